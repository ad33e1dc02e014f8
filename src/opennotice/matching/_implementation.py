"""Which implementation of the engine's hot modules runs: compiled or the Python sources.

``make compile`` (``scripts/compile_matching.py``) compiles :data:`COMPILED_MODULES` with
mypyc into C extensions beside their sources and records a digest of the sources it
compiled (``_compiled.json``).  Python would load an extension before its ``.py`` file,
so an extension built from older sources would silently run old code: when the digest no
longer matches, or when ``OPENNOTICE_PURE_PYTHON=1``, the sources are loaded instead and
the reason is logged.  Both implementations give the same results (tested); the compiled
one is faster (``docs/benchmarks.md``).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

__all__ = [
    "COMPILED_MODULES",
    "MANIFEST",
    "PURE_PYTHON_ENV",
    "choose_implementation",
    "source_digest",
]

#: The modules compiled together (one mypyc group): the whole query path. The others
#: (transliteration tables, MRZ, data types that are pickled) stay Python.
COMPILED_MODULES = ("dates", "normalize", "phonetic", "forms", "scoring", "index")
#: The shared library of the group (``<name>__mypyc``), a module of this package.
GROUP_NAME = "opennotice.matching._native"
PURE_PYTHON_ENV = "OPENNOTICE_PURE_PYTHON"

_PACKAGE = "opennotice.matching"
_HERE = Path(__file__).resolve().parent
MANIFEST = _HERE / "_compiled.json"

log = logging.getLogger(__name__)


def source_digest(directory: Path = _HERE) -> str:
    """SHA-256 of the compiled modules' sources, in order, with the interpreter's tag."""
    h = hashlib.sha256(sys.implementation.cache_tag.encode())
    for name in COMPILED_MODULES:
        h.update(b"\0" + name.encode() + b"\0")
        h.update((directory / f"{name}.py").read_bytes())
    return h.hexdigest()


def _extensions(directory: Path) -> list[bool]:
    """Per compiled module: whether an extension of this interpreter's kind is there."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return [any((directory / f"{n}{s}").exists() for s in suffixes) for n in COMPILED_MODULES]


def _why_not_compiled(directory: Path, environ: Mapping[str, str]) -> str | None:
    """None when the compiled modules may run, else the reason they may not."""
    if environ.get(PURE_PYTHON_ENV, "").strip().lower() in ("1", "true", "yes"):
        return f"{PURE_PYTHON_ENV} is set"
    manifest = directory / MANIFEST.name
    if not manifest.exists():
        return "not compiled (make compile)"
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{manifest.name} is unreadable"
    if not isinstance(recorded, dict) or recorded.get("digest") != source_digest(directory):
        return "the sources changed since they were compiled (make compile)"
    if not all(_extensions(directory)):
        # all or none: compiled modules call each other directly, not through imports
        return "some compiled modules are missing (make compile)"
    return None


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the listed modules of this package as their ``.py`` sources only."""

    def __init__(self, directory: Path, names: Sequence[str]) -> None:
        self._directory = directory
        self._names = {f"{_PACKAGE}.{n}" for n in names}

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self._names:
            return None
        source = self._directory / f"{fullname.rpartition('.')[2]}.py"
        return importlib.util.spec_from_file_location(fullname, source)


def choose_implementation() -> tuple[str, str]:
    """Decide, before the modules are first imported, which implementation runs:
    ("compiled", "") or ("python", why). Extensions that may not run are bypassed."""
    why = _why_not_compiled(_HERE, os.environ)
    if why is None:
        return "compiled", ""
    if any(_extensions(_HERE)):
        if not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceFinder(_HERE, COMPILED_MODULES))
        if not why.startswith(PURE_PYTHON_ENV):
            log.warning("matching engine runs its Python sources: %s", why)
    return "python", why
