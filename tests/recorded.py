"""Test helper: what a recording file holds, row by row, read back through annoview's readers.

Used to compare a script logged with annoview against the same script logged with rerun-sdk:
rows are grouped per (entity, static) in log (row id) order, with their times (without the
wall-clock `log_time`) and every component's value and Arrow type.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from annoview.io import load_chunks


def recorded(path: str | Path) -> dict[tuple[str, bool], list[tuple[dict[str, int], dict[str, Any]]]]:
    rows: dict[tuple[str, bool], list] = defaultdict(list)
    for chunk in load_chunks(path):
        if chunk.entity_path.startswith("/__"):  # Rerun's recording properties
            continue
        ids = chunk.row_ids()
        times = {n: chunk.times(n) for n in chunk.timelines if n != "log_time"}
        cols = {c: chunk.batch.column(c) for c in chunk.component_names}
        for r in range(chunk.num_rows):
            comps = {c: (str(col.type), col[r].as_py()) for c, col in cols.items() if col[r].is_valid}
            rows[(chunk.entity_path, chunk.is_static)].append(
                ((int(ids[r, 0]), int(ids[r, 1])), {t: int(v[r]) for t, v in times.items()}, comps))
    return {k: [(t, c) for _, t, c in sorted(v, key=lambda e: e[0])] for k, v in rows.items()}


def chunk_counts(path: str | Path) -> dict[str, int]:
    """Entity -> number of chunks (send_columns writes one per call)."""
    out: dict[str, int] = defaultdict(int)
    for chunk in load_chunks(path):
        out[chunk.entity_path] += 1
    return dict(out)
