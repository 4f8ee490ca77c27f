"""`annoview info FILE`: entity tree, timelines, annotation contexts and the other Rerun components
of a recording.

Uses the footer index for structure (a big file is not read whole); only the chunks holding
annotation contexts or generic Rerun components (archetypes annoview records but does not draw
with its own kinds, e.g. Transform3D, TextLog) are loaded.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TextIO

from annoview.annotations import context_from_cell
from annoview.chunk import Chunk
from annoview.io import is_rrd, load_chunks
from annoview.store import Store
from annoview.store.clears import CLEAR, clear_rows
from annoview.types.display import short_value, timestamp_text

CONTEXT = "AnnotationContext:context"
VERIFY_MAX_BYTES = 64 << 20  # `info` reads a recording up to this size whole, checking every frame
# Archetypes stored with annoview's own kinds; chunks of any other archetype may hold generic components.
OWN_ARCHETYPES = frozenset({"Points2D", "Points3D", "Boxes2D", "LineStrips2D", "LineStrips3D", "SegmentationImage",
                            "Image", "AnnotationContext"})


def format_time(kind: str, value: int) -> str:
    if kind == "sequence":
        return str(value)
    if kind == "duration":
        return f"{value / 1e9:.3f}s"
    return timestamp_text(value)


def printable(text: str) -> str:
    """`text` with control and other non-printable characters escaped (as `serve` shows ids with
    repr), so a name sent by a logger cannot move the cursor or retitle the user's terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _tree_lines(entities: dict[str, dict[str, int]], static: dict[str, bool]) -> list[str]:
    from annoview.store.tree import EntityTree

    tree = EntityTree()
    for p in entities:
        tree.add(p).has_data = True
    lines = []
    stack = [(tree.root, 0)]  # iterative: a recording may hold paths thousands of levels deep
    while stack:
        node, depth = stack.pop()
        archs = entities.get(node.path, {})
        desc = ", ".join(f"{a} x{n}" for a, n in sorted(archs.items()))
        mark = " [context]" if "AnnotationContext" in archs else ""
        label = "/" if node.path == "/" else printable(node.name)
        lines.append(f"{'  ' * depth}{label}{'  ' + printable(desc) if desc else ''}{mark}")
        stack.extend((node.children[name], depth + 1) for name in sorted(node.children, reverse=True))
    return lines


def _context_lines(chunks: Iterable[Chunk]) -> list[str]:
    lines = []
    for chunk in chunks:
        if CONTEXT not in chunk.component_names:
            continue
        col = chunk.column(CONTEXT)
        ids = chunk.row_ids()
        for row in range(chunk.num_rows):
            cell = col.cell(row)
            if cell is None:
                continue
            ctx = context_from_cell(cell, (int(ids[row, 0]), int(ids[row, 1])))
            lines.append(f"{printable(chunk.entity_path)} ({printable(_when(chunk, row))}):")
            for cls in ctx.describe():
                lines.append(f"  class {cls['id']} {printable(repr(cls['label']))} {cls['color']}")
                for kp in cls.get("keypoints", []):
                    lines.append(f"    keypoint {kp['id']} {printable(repr(kp['label']))} {kp['color']}")
                conns = cls.get("connections", [])
                if conns:
                    lines.append("    connections: " + printable(", ".join(f"{a}-{b}" for a, b in conns)))
    return lines


def _when(chunk: Chunk, row: int) -> str:
    if chunk.is_static:
        return "static"
    tls = chunk.timelines
    return ", ".join(f"{name}={format_time(kind, int(chunk.times(name)[row]))}"
                     for name, kind in tls.items() if name != "log_time") or "log_time only"


def _clear_items(chunk: Chunk) -> list[tuple[tuple[int, int], str]]:
    """Each rr.Clear of the chunk: (row id, where, when, and whether it also clears the entities below)."""
    found = []
    rows, recursive = clear_rows(chunk)
    ids = chunk.row_ids()
    for r, rec in zip(rows.tolist(), recursive.tolist()):
        what = "recursive (the entity and everything below it)" if rec else "flat (the entity only)"
        found.append(((int(ids[r, 0]), int(ids[r, 1])), f"{chunk.entity_path} ({_when(chunk, r)}): {what}"))
    return found


def _clear_lines(chunks: Iterable[Chunk]) -> list[str]:
    return [line for _, line in sorted(item for chunk in chunks for item in _clear_items(chunk))]


class _Components:
    """Per entity, each generic component: its Rerun type, row count and newest value (row-id
    order). Keeps the newest value as text, not its chunk, so chunks can pass through one at a time."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, list]] = {}  # entity -> component -> [type, rows, newest row key, text]

    def add(self, chunk: Chunk) -> None:
        if not chunk.num_rows:
            return
        ids = chunk.row_ids()
        for name in chunk.component_names:
            if not chunk.is_generic(name):
                continue
            col = chunk.column(name)
            md = chunk.batch.schema.field(name).metadata or {}
            ctype = md.get(b"rerun:component_type", b"").decode("utf-8", "replace").removeprefix("rerun.components.")
            entry = self.found.setdefault(chunk.entity_path, {}).setdefault(name, [ctype, 0, None, None])
            newest = None
            for row in range(chunk.num_rows):
                if col.valid is not None and not col.valid[row]:
                    continue
                entry[1] += 1
                key = (int(ids[row, 0]), int(ids[row, 1]))
                if entry[2] is None or key > entry[2]:
                    entry[2], newest = key, row
            if newest is not None:
                entry[3] = short_value(col.cell(newest), 70, ctype)

    def lines(self) -> list[str]:
        lines = []
        for entity in sorted(self.found):
            lines.append(entity)
            for name, (ctype, rows, _, value) in sorted(self.found[entity].items()):
                lines.append(f"  {name}  {ctype or '?'}  {rows} row{'s' if rows != 1 else ''}  last: {value}")
        return lines


def _component_lines(chunks: Iterable[Chunk]) -> list[str]:
    found = _Components()
    for chunk in chunks:
        found.add(chunk)
    return found.lines()


def print_info(path: str, out: TextIO) -> None:
    if not is_rrd(path):
        from annoview.io.avr import AvrIndex, open_index

        index = open_index(path)
        entries = index.entries
        verified = not index.from_footer  # a scan decoded (and validated) every frame already
        dropped: list = []
        if index.from_footer and os.path.getsize(path) <= VERIFY_MAX_BYTES:
            # Small enough to read through: check every frame, so the listing is what the readers
            # load, and a damaged frame is named in one warning, as read_avr does.
            to_read = entries
            verified = True
        else:
            to_read = [e for e in entries if "AnnotationContext" in e.archetypes or "Clear" in e.archetypes
                       or set(e.archetypes) - OWN_ARCHETYPES]
        # One chunk at a time (a file may be larger than memory); damaged frames are skipped with
        # one warning naming them, as read_avr does.
        context_lines: list[str] = []
        clear_items: list = []
        components = _Components()
        for chunk in index.iter_entries(to_read, dropped):
            if CONTEXT in chunk.component_names:
                context_lines.extend(_context_lines([chunk]))
            if "Clear" in chunk.archetypes:
                clear_items.extend(_clear_items(chunk))
            if set(chunk.archetypes) - OWN_ARCHETYPES:
                components.add(chunk)
        if verified and index.from_footer:
            entries = [e for e in entries if e not in dropped]
        clear_lines = [line for _, line in sorted(clear_items)]
        component_lines = components.lines()
        entities: dict[str, dict[str, int]] = {}
        static: dict[str, bool] = {}
        for e in entries:
            archs = entities.setdefault(e.entity_path, {})
            for a in e.archetypes:
                archs[a] = archs.get(a, 0) + e.num_rows
            static[e.entity_path] = static.get(e.entity_path, False) or e.is_static
        timelines = AvrIndex(index.path, index.header, entries, index.from_footer).timelines()
        header = index.header
        out.write(f"recording {printable(path)}\n")
        if header is not None:
            out.write(f"  application_id: {printable(header.application_id)}\n"
                      f"  recording_id: {printable(header.recording_id)}\n")
        how = ("footer index" + ("" if verified else ", frames not verified")) if index.from_footer else "scanned"
        out.write(f"  chunks: {len(entries)}, rows: {sum(e.num_rows for e in entries)} ({how})\n")
    else:
        # A Rerun file has no annoview footer index: load it whole through rerun-sdk.
        from annoview.io.rrd import rrd_recording_info

        chunks = load_chunks(path)  # first: its reader has the ids, so they need no second reader
        application_id, recording_id = rrd_recording_info(path)
        store = Store()
        store.add_chunks(chunks)
        entities = {p: store.archetypes(p) for p in store.entity_paths()}
        static = {}
        timelines = {n: (t.kind, t.min, t.max) for n, t in store.timelines().items()}
        # Rerun chunks are not in log order; list context rows in log (row id) order.
        context_lines = _context_lines(sorted((c for c in store.chunks if CONTEXT in c.component_names and c.num_rows),
                                              key=lambda c: tuple(int(x) for x in c.row_ids()[0])))
        clear_lines = _clear_lines(c for c in store.chunks if CLEAR in c.component_names)
        component_lines = _component_lines(store.chunks)
        out.write(f"recording {printable(path)} (Rerun .rrd)\n")
        out.write(f"  application_id: {printable(application_id)}\n  recording_id: {printable(recording_id)}\n")
        out.write(f"  chunks: {len(store.chunks)}, rows: {sum(c.num_rows for c in store.chunks)}\n")
    out.write("\ntimelines:\n")
    for name, (kind, lo, hi) in sorted(timelines.items()):
        out.write(f"  {printable(name)} ({kind}): {format_time(kind, lo)} .. {format_time(kind, hi)}\n")
    if not timelines:
        out.write("  (none: static data only)\n")
    out.write("\nentities:\n")
    for line in _tree_lines(entities, static):
        out.write(f"  {line}\n")
    out.write("\nannotation contexts:\n")
    for line in context_lines or ["(none)"]:
        out.write(f"  {line}\n")
    out.write("\nother Rerun components (recorded; type, rows, newest value):\n")
    for line in component_lines or ["(none)"]:
        out.write(f"  {printable(line)}\n")
    clears = clear_lines
    if clears:  # from a clear's time on, the entity shows nothing until it is logged again
        out.write("\nclears:\n")
        for line in clears:
            out.write(f"  {printable(line)}\n")
