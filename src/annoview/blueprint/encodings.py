"""`rerun.blueprint.encodings`: every name is an ignored blueprint part (see _parts.py)."""
from ._parts import module_hooks

__getattr__, __dir__, __all__ = module_hooks("encodings")
