"""`rr.Clear`: from its time on, the entity (and with `recursive`, every entity below it) shows
nothing until it is logged again.

Recorded as Rerun records it, one `Clear:is_recursive` bool; the store applies it at query time
(store/clears.py), so a clear costs one row however much data it hides.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from .archetypes import Archetype
from .kinds import Kind


class Clear(Archetype):
    """Empties an entity (flat) or an entity and its descendants (recursive) from its time on."""

    archetype_name = "Clear"
    field_kinds = {"is_recursive": Kind.BOOL}

    def __init__(self, *, recursive: Any) -> None:
        super().__init__()

        def flag() -> np.ndarray:
            if not isinstance(recursive, (bool, np.bool_)):
                raise ValidationError("Clear", "recursive", f"expected True or False, got {recursive!r:.40}")
            return np.array([bool(recursive)])

        self._required("is_recursive", flag)

    @classmethod
    def flat(cls) -> "Clear":
        """Clears only the entity it is logged at."""
        return cls(recursive=False)

    @classmethod
    def recursive(cls) -> "Clear":
        """Clears the entity it is logged at and every entity below it."""
        return cls(recursive=True)

    @property
    def is_recursive(self) -> bool | None:
        value = self.components.get("is_recursive")
        return None if value is None or not len(value) else bool(value[0])
