"""Chunks with the exact Arrow types rerun-sdk 0.41 writes for Transform3D, Pinhole,
ViewCoordinates and InstancePoses3D, built directly (no SDK), for GL-free spatial tests."""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pyarrow as pa

from annoview.chunk import Chunk, row_ids_to_array

F32 = pa.float32()


def _fsl(n: int, t: pa.DataType = F32) -> pa.DataType:
    return pa.list_(pa.field("item", t, nullable=False), n)


AXIS_ANGLE = pa.struct([pa.field("axis", _fsl(3), nullable=False), pa.field("angle", F32, nullable=False)])
TYPES: dict[str, pa.DataType] = {
    "Transform3D:translation": _fsl(3), "Transform3D:quaternion": _fsl(4), "Transform3D:scale": _fsl(3),
    "Transform3D:mat3x3": _fsl(9), "Transform3D:relation": pa.uint8(), "Transform3D:rotation_axis_angle": AXIS_ANGLE,
    "Pinhole:image_from_camera": _fsl(9), "Pinhole:resolution": _fsl(2), "Pinhole:camera_xyz": _fsl(3, pa.uint8()),
    "Pinhole:image_plane_distance": F32, "ViewCoordinates:xyz": _fsl(3, pa.uint8()),
    "InstancePoses3D:translations": _fsl(3), "InstancePoses3D:scales": _fsl(3), "InstancePoses3D:quaternions": _fsl(4),
    "Points3D:positions": _fsl(3), "Points2D:positions": _fsl(2),
}
_ROW = itertools.count(1)


def chunk(path: str, rows: list[tuple[int | None, dict[str, list[Any]]]], timeline: str = "frame") -> Chunk:
    """One chunk of `path`: rows of (time or None for static, {component: list of instances}).
    A column missing from a row is null there; an empty list is a cleared field."""
    static = all(t is None for t, _ in rows)
    n = len(rows)
    ids = np.array([next(_ROW) for _ in range(n)], np.uint64)
    fields = [pa.field("row_id", pa.binary(16), nullable=False)]
    arrays: list[pa.Array] = [row_ids_to_array(np.zeros(n, np.uint64), ids)]
    if not static:
        fields.append(pa.field(timeline, pa.int64(), metadata={b"annoview:index": b"sequence"}))
        arrays.append(pa.array([t for t, _ in rows], pa.int64()))
    names = sorted({c for _, cells in rows for c in cells})
    for name in names:
        typ = pa.list_(TYPES[name])
        arrays.append(pa.array([cells.get(name) for _, cells in rows], typ))
        fields.append(pa.field(name, typ))
    md = {b"annoview:entity_path": path.encode(), b"annoview:is_static": b"1" if static else b"0",
          b"annoview:archetype": ",".join(sorted({c.split(":")[0] for c in names})).encode()}
    return Chunk(path, static, pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata=md)))


def col_major(m: Any) -> list[float]:
    """A row-major 3x3 as the 9 numbers Rerun stores (column after column)."""
    return np.asarray(m, np.float64).T.reshape(-1).tolist()
