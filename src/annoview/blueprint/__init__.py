"""`import annoview.blueprint as rrb` for scripts written against `rerun.blueprint`.

annoview arranges its own views, so blueprints are accepted and ignored with one notice: every
name, attribute chain and call below this module works and does nothing (_parts.py). The
submodules Rerun has (`rrb.components`, `rrb.archetypes`, `rrb.views`, ...) exist too, so
`from annoview.blueprint.components import Corner2D` works.
"""
from . import api, archetypes, components, containers, encodings, experimental, table, views, visualizers
from ._parts import BlueprintPart, install_finder, module_hooks

__getattr__, __dir__, _names = module_hooks("")
_annoview_blueprint = True  # deeper imports below this package work too (_parts.py)
install_finder()
__all__ = [*_names, "BlueprintPart"]
del _names
