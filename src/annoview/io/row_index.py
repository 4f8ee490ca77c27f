"""Per-chunk row index in the `.avr` footer: what the store's latest-at index needs from a chunk
(row ids, times on each timeline, which rows hold each component), without the chunk's data.

Why: a viewer that reads every chunk of an 8 GB recording to build its index needs minutes
before it can show an arbitrary time. With these columns in the footer, opening a file reads
the footer only; chunk data is read when a frame needs it (store/residency.py).

Why the data is trusted only until the chunk is read: the footer is CRC-checked, validated and
cross-checked against its own base columns here (counts, time ranges, archetypes), but a
hostile writer computes CRCs too. So every chunk read back is compared with the row index it
was indexed by (`digest`); a chunk that disagrees is a damaged frame, never a wrong answer or
an out-of-range row in a query.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..chunk import Chunk, row_ids_from_array, row_ids_to_array
from ..errors import RecordingFormatError

# The footer columns that carry the row index (appended to the base footer columns).
ROW_INDEX_FIELDS = [
    ("row_ids", pa.list_(pa.binary(16))),            # one per row
    ("times", pa.list_(pa.list_(pa.int64()))),       # per entry of `timelines`, in its order: one per row
    ("components", pa.list_(pa.utf8())),             # component column names, in chunk order
    ("null_rows", pa.list_(pa.list_(pa.uint32()))),  # per component: rows without a value, ascending
    ("data_bytes", pa.uint64()),                     # the chunk's Arrow buffer bytes (its memory cost)
]
# The writer stops recording row indexes past this many bytes of them (the footer then has the
# base columns only, and a reader reads every chunk once to index it, as for older files): a
# logging process must not hold an ever-growing footer in memory. 64 MiB is about two million
# rows on two timelines; a recording of big chunks (images, masks) stays far below it.
MAX_ROW_INDEX_BYTES = 64 << 20


@dataclass(frozen=True, eq=False)
class RowIndex:
    """The index columns of one chunk."""

    row_ids: np.ndarray                  # (n, 2) uint64 (hi, lo)
    times: dict[str, np.ndarray]         # timeline -> (n,) int64
    null_rows: dict[str, np.ndarray]     # component -> rows without a value (int64, ascending)
    data_bytes: int = 0                  # Arrow buffer bytes of the chunk (an estimate until it is read)

    @property
    def num_rows(self) -> int:
        return len(self.row_ids)

    @property
    def nbytes(self) -> int:
        return int(self.row_ids.nbytes + sum(t.nbytes for t in self.times.values())
                   + sum(r.nbytes + 64 for r in self.null_rows.values()))

    def present(self, component: str) -> np.ndarray:
        """Rows holding a value of the component."""
        nulls = self.null_rows[component]
        rows = np.arange(self.num_rows)
        return rows if not len(nulls) else np.setdiff1d(rows, nulls, assume_unique=True)

    def digest(self) -> int:
        """CRC-32 over everything above: a chunk read back must give the same (see module doc)."""
        crc = zlib.crc32(np.ascontiguousarray(self.row_ids, np.uint64).tobytes())
        for name in sorted(self.times):
            crc = zlib.crc32(name.encode(), crc)
            crc = zlib.crc32(np.ascontiguousarray(self.times[name], np.int64).tobytes(), crc)
        for name in sorted(self.null_rows):
            crc = zlib.crc32(b"\0" + name.encode(), crc)
            crc = zlib.crc32(np.ascontiguousarray(self.null_rows[name], np.int64).tobytes(), crc)
        return crc

    @staticmethod
    def of_chunk(chunk: Chunk) -> "RowIndex":
        # an empty chunk has no time range, so the footer lists no timelines for it (avr._summarize)
        # copies: a view would keep the chunk's whole IPC payload alive (a scan of a big file)
        times = {tl: np.array(chunk.times(tl), np.int64) for tl in chunk.timelines} if chunk.num_rows else {}
        nulls = {}
        for comp in chunk.component_names:
            arr = chunk.batch.column(comp)
            nulls[comp] = (np.zeros(0, np.int64) if arr.null_count == 0 else
                           np.flatnonzero(~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))).astype(np.int64))
        return RowIndex(chunk.row_ids(), times, nulls, int(chunk.batch.get_total_buffer_size()))


def verify(chunk: Chunk, digest: int, where: str) -> None:
    """Raise RecordingFormatError when a chunk read back differs from the row index it was
    indexed by."""
    if RowIndex.of_chunk(chunk).digest() != digest:
        raise RecordingFormatError(f"{where}: the chunk's rows differ from the footer index")


def encode_columns(rows: list[RowIndex], timeline_order: list[list[str]]) -> dict[str, pa.Array]:
    """Footer columns for entries whose timelines are listed in `timeline_order` (one list per entry)."""
    def offsets(lengths: list[int]) -> pa.Array:
        return pa.array(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int32), pa.int32())

    ids = [r.row_ids for r in rows]
    flat_ids = np.concatenate(ids) if ids else np.zeros((0, 2), np.uint64)
    row_ids = pa.ListArray.from_arrays(offsets([len(i) for i in ids]), row_ids_to_array(flat_ids[:, 0], flat_ids[:, 1]))
    inner = [r.times[name] for r, names in zip(rows, timeline_order) for name in names]
    inner_arr = pa.ListArray.from_arrays(offsets([len(v) for v in inner]),
                                         pa.array(np.concatenate(inner) if inner else np.zeros(0, np.int64), pa.int64()))
    times = pa.ListArray.from_arrays(offsets([len(n) for n in timeline_order]), inner_arr)
    names = [list(r.null_rows) for r in rows]
    comps = pa.ListArray.from_arrays(offsets([len(n) for n in names]), pa.array([c for n in names for c in n], pa.utf8()))
    nulls = [r.null_rows[c] for r, n in zip(rows, names) for c in n]
    null_inner = pa.ListArray.from_arrays(offsets([len(v) for v in nulls]), pa.array(
        np.concatenate(nulls).astype(np.uint32) if nulls else np.zeros(0, np.uint32), pa.uint32()))
    null_rows = pa.ListArray.from_arrays(offsets([len(n) for n in names]), null_inner)
    data_bytes = pa.array([r.data_bytes for r in rows], pa.uint64())
    return {"row_ids": row_ids, "times": times, "components": comps, "null_rows": null_rows, "data_bytes": data_bytes}


def _list_parts(col: pa.Array) -> tuple[np.ndarray, pa.Array]:
    return np.asarray(col.offsets.to_numpy(zero_copy_only=False), np.int64), col.values


def _segment_min_max(values: np.ndarray, offsets: np.ndarray) -> tuple[list[int], list[int]]:
    """Per list segment [offsets[k], offsets[k+1]): min and max (0 for an empty one), vectorized."""
    lengths = np.diff(offsets)
    mins = np.zeros(len(lengths), np.int64)
    maxs = np.zeros(len(lengths), np.int64)
    full = lengths > 0
    if full.any():
        body = values[:offsets[-1]]           # offsets ascend (validated), so segments tile the body
        starts = offsets[:-1][full]
        mins[full] = np.minimum.reduceat(body, starts)
        maxs[full] = np.maximum.reduceat(body, starts)
    return mins.tolist(), maxs.tolist()


def decode_columns(batch: pa.RecordBatch, num_rows: list[int], timelines: list[dict[str, tuple[str, int, int]]],
                   archetypes: list[tuple[str, ...]], lengths: list[int]) -> list[RowIndex]:
    """The row index of every footer entry, checked against the entry's base columns: counts,
    time ranges and archetypes must agree, or the footer is not used (RecordingFormatError).
    `data_bytes` is only an estimate: it is capped at the frame length (`lengths`)."""
    id_off, id_values = _list_parts(batch.column("row_ids"))
    all_ids = row_ids_from_array(id_values) if len(id_values) else np.zeros((0, 2), np.uint64)
    t_off, t_inner = _list_parts(batch.column("times"))
    ti_off, ti_values = _list_parts(t_inner)
    all_times = np.asarray(ti_values.to_numpy(zero_copy_only=False), np.int64)
    c_off, c_values = _list_parts(batch.column("components"))
    comp_names = c_values.to_pylist()
    n_off, n_inner = _list_parts(batch.column("null_rows"))
    ni_off, ni_values = _list_parts(n_inner)
    all_nulls = np.asarray(ni_values.to_numpy(zero_copy_only=False), np.int64)
    data_bytes = batch.column("data_bytes").to_pylist()
    t_min, t_max = _segment_min_max(all_times, ti_off)
    id_off, t_off, ti_off, c_off, n_off, ni_off = (o.tolist() for o in (id_off, t_off, ti_off, c_off, n_off, ni_off))
    names_ok: dict[tuple[tuple[str, ...], tuple[str, ...]], bool] = {}   # most chunks share their columns
    out: list[RowIndex] = []
    for i, (n, ranges, archs, length) in enumerate(zip(num_rows, timelines, archetypes, lengths)):
        def bad(what: str) -> RecordingFormatError:
            return RecordingFormatError(f"footer index entry {i}: {what}")

        if id_off[i + 1] - id_off[i] != n:
            raise bad(f"{id_off[i + 1] - id_off[i]} row ids for {n} rows")
        if t_off[i + 1] - t_off[i] != len(ranges):
            raise bad(f"time columns for {t_off[i + 1] - t_off[i]} of {len(ranges)} timelines")
        times = {}
        for k, (name, (_, lo, hi)) in zip(range(t_off[i], t_off[i + 1]), ranges.items()):
            a, b = ti_off[k], ti_off[k + 1]
            if b - a != n:
                raise bad(f"{b - a} times on timeline {name!r} for {n} rows")
            if n and (t_min[k] != lo or t_max[k] != hi):
                raise bad(f"times on {name!r} outside the entry's range {lo}..{hi}")
            times[name] = all_times[a:b]
        if n_off[i + 1] - n_off[i] != c_off[i + 1] - c_off[i]:
            raise bad(f"null rows for {n_off[i + 1] - n_off[i]} of {c_off[i + 1] - c_off[i]} components")
        names = tuple(comp_names[c_off[i]:c_off[i + 1]])
        ok = names_ok.get((names, archs))
        if ok is None:
            ok = names_ok[(names, archs)] = (len(set(names)) == len(names) and all(":" in c for c in names)
                                             and tuple(sorted({c.split(":", 1)[0] for c in names})) == tuple(archs))
        if not ok:
            raise bad(f"components {', '.join(names)[:200]!r} are not the archetypes {','.join(archs)}")
        nulls = {}
        for k, name in zip(range(n_off[i], n_off[i + 1]), names):
            a, b = ni_off[k], ni_off[k + 1]
            rows = all_nulls[a:b]
            if b > a and (int(rows[-1]) >= n or (b - a > 1 and not (np.diff(rows) > 0).all())):
                raise bad(f"null rows of {name!r} out of range or out of order")
            nulls[name] = rows
        out.append(RowIndex(all_ids[id_off[i]:id_off[i + 1]], times, nulls, min(int(data_bytes[i]), int(length))))
    return out
