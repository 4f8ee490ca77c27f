"""`rerun.bindings` (Rerun's native Rust extension) has no annoview counterpart: every name exists, so
imports and type hints work, and using one raises one NotAvailableError line (notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.bindings", ())
