from __future__ import annotations

import sys
from pathlib import Path

try:
    import opennotice.matching  # noqa: F401
except ImportError:  # pragma: no cover - checkout without installation
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))
