"""`rerun.dynamic_archetype`: `DynamicArchetype` under Rerun's module name."""
from .types.any_values import DynamicArchetype

__all__ = ["DynamicArchetype"]
