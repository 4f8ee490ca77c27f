"""Frame timestamps of the video track of an MP4 (ISO-BMFF) file, for `AssetVideo`.

Why: Rerun scripts log a video asset once and then one `VideoFrameReference` per frame, with the
frame times read from the file (`AssetVideo.read_frame_timestamps_nanos()`). Only the sample
tables are needed, so this reads the box tree (moov/trak/mdia: mdhd timescale, hdlr type,
stbl: stts decode deltas, ctts composition offsets) and never decodes video.

The input is treated as hostile: every box size and entry count is checked against the bytes
that are there (so a bad file costs no memory it does not hold), and any inconsistency is one
ValueError line naming what was wrong.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

MAX_SAMPLES = 50_000_000  # far above any real video; bounds what a lying header can ask for


class Mp4Error(ValueError):
    """The bytes are not an MP4 file this reader understands."""


def _boxes(data: memoryview, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise Mp4Error(f"box {kind!r} at byte {pos}: truncated 64-bit size")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos  # extends to the end of its parent
        if size < header or pos + size > end:
            raise Mp4Error(f"box {kind!r} at byte {pos} claims {size} bytes, {end - pos} are there")
        yield bytes(kind), pos + header, pos + size
        pos += size


def _child(data: memoryview, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for k, a, b in _boxes(data, start, end):
        if k == kind:
            return a, b
    return None


def _table(data: memoryview, start: int, end: int, name: str, signed_second: bool = False) -> np.ndarray:
    """A full box of (count, value) u32 pairs (stts, ctts) -> (n, 2) int64."""
    if end - start < 8:
        raise Mp4Error(f"{name}: truncated header")
    version = data[start]
    (entries,) = struct.unpack_from(">I", data, start + 4)
    if 8 + entries * 8 > end - start:
        raise Mp4Error(f"{name}: {entries} entries announced, room for {(end - start - 8) // 8}")
    dtype = np.dtype([("count", ">u4"), ("value", ">i4" if signed_second and version == 1 else ">u4")])
    raw = np.frombuffer(data, dtype, count=entries, offset=start + 8)
    return np.stack([raw["count"].astype(np.int64), raw["value"].astype(np.int64)], axis=1)


def _timescale(data: memoryview, start: int, end: int) -> int:
    version = data[start] if end > start else 0
    offset = start + (20 if version == 1 else 12)
    if offset + 4 > end:
        raise Mp4Error("mdhd: truncated")
    (scale,) = struct.unpack_from(">I", data, offset)
    if scale == 0:
        raise Mp4Error("mdhd: timescale 0")
    return scale


def frame_timestamps_ns(blob: bytes | memoryview | np.ndarray) -> np.ndarray:
    """Presentation times (int64 ns, ascending, the first at 0) of the first video track's frames."""
    data = memoryview(np.ascontiguousarray(blob, np.uint8).reshape(-1) if isinstance(blob, np.ndarray) else blob)
    moov = _child(data, 0, len(data), b"moov")
    if moov is None:
        raise Mp4Error("no 'moov' box: not an MP4 file (or its index is at a part that is missing)")
    for kind, a, b in _boxes(data, *moov):
        if kind != b"trak":
            continue
        mdia = _child(data, a, b, b"mdia")
        hdlr = mdia and _child(data, *mdia, b"hdlr")
        if not mdia or not hdlr or bytes(data[hdlr[0] + 8:hdlr[0] + 12]) != b"vide":
            continue
        mdhd = _child(data, *mdia, b"mdhd")
        stbl = (minf := _child(data, *mdia, b"minf")) and _child(data, *minf, b"stbl")
        if mdhd is None or not stbl:
            raise Mp4Error("video track without mdhd or sample table")
        stts_box = _child(data, *stbl, b"stts")
        if stts_box is None:
            raise Mp4Error("video track without decode times (stts)")
        stts = _table(data, *stts_box, "stts")
        n = int(stts[:, 0].sum())
        if n > MAX_SAMPLES:
            raise Mp4Error(f"stts: {n} samples")
        dts = np.concatenate([[0], np.cumsum(np.repeat(stts[:, 1], stts[:, 0]))])[:n]
        ctts_box = _child(data, *stbl, b"ctts")
        pts = dts
        if ctts_box is not None:
            ctts = _table(data, *ctts_box, "ctts", signed_second=True)
            offsets = np.repeat(ctts[:, 1], ctts[:, 0])
            if len(offsets) != n:
                raise Mp4Error(f"ctts covers {len(offsets)} samples, stts {n}")
            pts = dts + offsets
        pts = np.sort(pts)
        if n:
            pts = pts - pts[0]
        scale = _timescale(data, *mdhd)
        return np.round(pts.astype(np.float64) * (1e9 / scale)).astype(np.int64)
    raise Mp4Error("no video track")
