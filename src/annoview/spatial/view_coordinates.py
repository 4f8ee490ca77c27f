"""View coordinates: what each of an entity's x, y, z axes means (right, down, forward, ...).

Stored as three direction codes (`ViewCoordinates:xyz`, `Pinhole:camera_xyz`), one per axis:
1 Up, 2 Down, 3 Right, 4 Left, 5 Forward, 6 Back (the codes Rerun writes). A camera's pixel
space is always RDF (x right, y down, z forward), so a camera whose entity uses other
coordinates needs `entity_from_rdf`; a ViewCoordinates at the root says which world axis is up.
"""
from __future__ import annotations

from typing import Any

import numpy as np

UP, DOWN, RIGHT, LEFT, FORWARD, BACK = 1, 2, 3, 4, 5, 6
LETTERS = {"U": UP, "D": DOWN, "R": RIGHT, "L": LEFT, "F": FORWARD, "B": BACK}
DEFAULT_CAMERA_XYZ = (RIGHT, DOWN, FORWARD)   # RDF: a pinhole's default and pixel space's own

# each direction as a vector in RDF coordinates (x right, y down, z forward)
_IN_RDF = {RIGHT: (1, 0, 0), LEFT: (-1, 0, 0), DOWN: (0, 1, 0), UP: (0, -1, 0), FORWARD: (0, 0, 1), BACK: (0, 0, -1)}


def parse_view_coordinates(value: Any) -> tuple[int, int, int] | None:
    """Three direction codes from a stored cell (array, nested list, or a name like "RDF");
    None when absent or not a valid right- or left-handed basis (one of each axis pair)."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) != 3 or any(c not in LETTERS for c in value.upper()):
            return None
        codes = tuple(LETTERS[c] for c in value.upper())
    else:
        arr = np.asarray(_plain(value)).reshape(-1)
        if arr.size == 0:
            return None
        if arr.size < 3 or not np.issubdtype(arr.dtype, np.number):
            return None
        codes = tuple(int(v) for v in arr[-3:])   # the last instance of a batch wins
    if any(c not in _IN_RDF for c in codes):
        return None
    if len({(c + 1) // 2 for c in codes}) != 3:   # Up/Down, Right/Left, Forward/Back each once
        return None
    return codes  # type: ignore[return-value]


def axis_basis(codes: tuple[int, int, int]) -> np.ndarray:
    """3x3 `rdf_from_entity`: column i is the direction of the entity's axis i in RDF."""
    return np.array([_IN_RDF[c] for c in codes], np.float64).T


def entity_from_rdf(codes: tuple[int, int, int]) -> np.ndarray:
    """3x3 matrix taking RDF (camera/pixel convention) coordinates into the entity's axes."""
    return axis_basis(codes).T   # orthonormal: the inverse is the transpose


def up_vector(codes: tuple[int, int, int] | None) -> np.ndarray | None:
    """The world up direction in the entity's own coordinates (e.g. +z for RIGHT_HAND_Z_UP),
    None when the coordinates name no up or down axis."""
    if codes is None:
        return None
    for i, c in enumerate(codes):
        if c in (UP, DOWN):
            v = np.zeros(3)
            v[i] = 1.0 if c == UP else -1.0
            return v
    return None


def _plain(value: Any) -> Any:
    """pyarrow arrays/scalars -> Python lists; numpy stays as it is."""
    if hasattr(value, "to_pylist"):
        return value.to_pylist()
    if hasattr(value, "as_py"):
        return value.as_py()
    return value
