"""`rerun.blueprint.visualizers`: every name is an ignored blueprint part (see _parts.py)."""
from ._parts import module_hooks

__getattr__, __dir__, __all__ = module_hooks("visualizers")
_annoview_blueprint = True  # deeper imports below this module work too (_parts.py)
__path__: list[str] = []
