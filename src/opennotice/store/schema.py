"""Every table module, imported once so that Base.metadata holds the whole schema."""

from __future__ import annotations

from . import tables as core_tables

__all__ = ["core_tables"]
