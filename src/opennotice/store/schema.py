"""Every table module, imported once so that Base.metadata holds the whole schema."""

from __future__ import annotations

from . import tables as core_tables
from . import tables_assembly as assembly_tables  # noqa: F401
from . import tables_ccf as ccf_tables  # noqa: F401
from . import tables_register as register_tables  # noqa: F401
from . import tables_screening as screening_tables  # noqa: F401

__all__ = ["core_tables"]
