"""`rerun.server` (Rerun's catalog server) needs Rerun's own servers or services: every name exists, so
imports and type hints work, and using one raises one NotAvailableError line (notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.server", ('CatalogClient', 'PathLike', 'Server'))
