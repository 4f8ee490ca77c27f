"""`annoview info FILE`: entity tree, timelines, annotation contexts and the other Rerun components
of a recording.

Uses the footer index for structure (a big file is not read whole); only the chunks holding
annotation contexts or generic Rerun components (archetypes annoview records but does not draw
with its own kinds, e.g. Transform3D, TextLog) are loaded.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TextIO

from annoview.annotations import context_from_cell
from annoview.chunk import Chunk
from annoview.io import is_rrd, load_chunks
from annoview.store import Store
from annoview.types.display import short_value

CONTEXT = "AnnotationContext:context"
# Archetypes stored with annoview's own kinds; chunks of any other archetype may hold generic components.
OWN_ARCHETYPES = frozenset({"Points2D", "Points3D", "Boxes2D", "LineStrips2D", "LineStrips3D", "SegmentationImage",
                            "Image", "AnnotationContext"})


def format_time(kind: str, value: int) -> str:
    if kind == "sequence":
        return str(value)
    if kind == "duration":
        return f"{value / 1e9:.3f}s"
    return _dt.datetime.fromtimestamp(value / 1e9, tz=_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def _tree_lines(entities: dict[str, dict[str, int]], static: dict[str, bool]) -> list[str]:
    from annoview.store.tree import EntityTree

    tree = EntityTree()
    for p in entities:
        tree.add(p).has_data = True
    lines = []

    def visit(node, depth: int) -> None:
        archs = entities.get(node.path, {})
        desc = ", ".join(f"{a} x{n}" for a, n in sorted(archs.items()))
        mark = " [context]" if "AnnotationContext" in archs else ""
        label = "/" if node.path == "/" else node.name
        lines.append(f"{'  ' * depth}{label}{'  ' + desc if desc else ''}{mark}")
        for name in sorted(node.children):
            visit(node.children[name], depth + 1)

    visit(tree.root, 0)
    return lines


def _context_lines(chunks: Iterable[Chunk]) -> list[str]:
    lines = []
    for chunk in chunks:
        if CONTEXT not in chunk.component_names:
            continue
        col = chunk.column(CONTEXT)
        ids = chunk.row_ids()
        tls = chunk.timelines
        for row in range(chunk.num_rows):
            cell = col.cell(row)
            if cell is None:
                continue
            when = "static" if chunk.is_static else ", ".join(
                f"{name}={format_time(kind, int(chunk.times(name)[row]))}" for name, kind in tls.items() if name != "log_time")
            ctx = context_from_cell(cell, (int(ids[row, 0]), int(ids[row, 1])))
            lines.append(f"{chunk.entity_path} ({when or 'log_time only'}):")
            for cls in ctx.describe():
                lines.append(f"  class {cls['id']} {cls['label']!r} {cls['color']}")
                for kp in cls.get("keypoints", []):
                    lines.append(f"    keypoint {kp['id']} {kp['label']!r} {kp['color']}")
                conns = cls.get("connections", [])
                if conns:
                    lines.append("    connections: " + ", ".join(f"{a}-{b}" for a, b in conns))
    return lines


def _component_lines(chunks: Iterable[Chunk]) -> list[str]:
    """Per entity, each generic component: its Rerun type, row count and newest value (row-id order)."""
    found: dict[str, dict[str, list]] = {}  # entity -> component -> [type, rows, newest row key, value]
    for chunk in chunks:
        if not chunk.num_rows:
            continue
        ids = chunk.row_ids()
        for name in chunk.component_names:
            if not chunk.is_generic(name):
                continue
            col = chunk.column(name)
            md = chunk.batch.schema.field(name).metadata or {}
            ctype = md.get(b"rerun:component_type", b"").decode("utf-8", "replace").removeprefix("rerun.components.")
            entry = found.setdefault(chunk.entity_path, {}).setdefault(name, [ctype, 0, None, None])
            for row in range(chunk.num_rows):
                if col.valid is not None and not col.valid[row]:
                    continue
                entry[1] += 1
                key = (int(ids[row, 0]), int(ids[row, 1]))
                if entry[2] is None or key > entry[2]:
                    entry[2], entry[3] = key, (chunk, row)
    lines = []
    for entity in sorted(found):
        lines.append(entity)
        for name, (ctype, rows, _, where) in sorted(found[entity].items()):
            chunk, row = where
            value = short_value(chunk.column(name).cell(row), 70, ctype)
            lines.append(f"  {name}  {ctype or '?'}  {rows} row{'s' if rows != 1 else ''}  last: {value}")
    return lines


def print_info(path: str, out: TextIO) -> None:
    if not is_rrd(path):
        from annoview.io.avr import open_index

        index = open_index(path)
        entities: dict[str, dict[str, int]] = {}
        static: dict[str, bool] = {}
        for e in index.entries:
            archs = entities.setdefault(e.entity_path, {})
            for a in e.archetypes:
                archs[a] = archs.get(a, 0) + e.num_rows
            static[e.entity_path] = static.get(e.entity_path, False) or e.is_static
        timelines = index.timelines()
        context_chunks = [index.load_chunk(e) for e in index.entries if "AnnotationContext" in e.archetypes]
        generic_chunks = [index.load_chunk(e) for e in index.entries if set(e.archetypes) - OWN_ARCHETYPES]
        header = index.header
        out.write(f"recording {path}\n")
        if header is not None:
            out.write(f"  application_id: {header.application_id}\n  recording_id: {header.recording_id}\n")
        out.write(f"  chunks: {len(index.entries)}, rows: {sum(e.num_rows for e in index.entries)}"
                  f"{' (footer index)' if index.from_footer else ' (scanned)'}\n")
    else:
        # A Rerun file has no annoview footer index: load it whole through rerun-sdk.
        from annoview.io.rrd import rrd_recording_info

        application_id, recording_id = rrd_recording_info(path)
        store = Store()
        store.add_chunks(load_chunks(path))
        entities = {p: store.archetypes(p) for p in store.entity_paths()}
        static = {}
        timelines = {n: (t.kind, t.min, t.max) for n, t in store.timelines().items()}
        # Rerun chunks are not in log order; list context rows in log (row id) order.
        context_chunks = sorted((c for c in store.chunks if CONTEXT in c.component_names and c.num_rows),
                                key=lambda c: tuple(int(x) for x in c.row_ids()[0]))
        generic_chunks = list(store.chunks)
        out.write(f"recording {path} (Rerun .rrd)\n")
        out.write(f"  application_id: {application_id}\n  recording_id: {recording_id}\n")
        out.write(f"  chunks: {len(store.chunks)}, rows: {sum(c.num_rows for c in store.chunks)}\n")
    out.write("\ntimelines:\n")
    for name, (kind, lo, hi) in sorted(timelines.items()):
        out.write(f"  {name} ({kind}): {format_time(kind, lo)} .. {format_time(kind, hi)}\n")
    if not timelines:
        out.write("  (none: static data only)\n")
    out.write("\nentities:\n")
    for line in _tree_lines(entities, static):
        out.write(f"  {line}\n")
    out.write("\nannotation contexts:\n")
    lines = _context_lines(context_chunks)
    for line in lines or ["(none)"]:
        out.write(f"  {line}\n")
    out.write("\nother Rerun components (recorded; type, rows, newest value):\n")
    for line in _component_lines(generic_chunks) or ["(none)"]:
        out.write(f"  {line}\n")
