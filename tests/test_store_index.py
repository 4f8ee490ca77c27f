"""The latest-at index against a brute-force reference, for any arrival order of rows, ties at
equal times, several appends between queries, and both key modes (offset and rank)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from annoview.store.index import ComponentIndex


def reference(rows: list[tuple[int, int, int, int]], slot: int, t: int) -> int | None:
    """rows: (slot, time, row_id, tag); the tag of the latest row (by time, then row id) <= t."""
    best = None
    for s, tm, rid, tag in rows:
        if s == slot and tm <= t and (best is None or (tm, rid) > best[:2]):
            best = (tm, rid, tag)
    return None if best is None else best[2]


@st.composite
def batches(draw):
    huge = draw(st.booleans())   # times spread over the whole int64 range force the rank mode
    n_batches = draw(st.integers(1, 8))
    out, rid, tag = [], 0, 0
    for _ in range(n_batches):
        n = draw(st.integers(1, 12))
        rows = []
        for _ in range(n):
            rid += draw(st.integers(1, 3))
            t = draw(st.integers(-2**62, 2**62)) if huge and draw(st.booleans()) else draw(st.integers(-3, 6))
            rows.append((draw(st.integers(0, 3)), t, rid, tag))
            tag += 1
        if draw(st.booleans()):
            rows = draw(st.permutations(rows))
        out.append(rows)
    if draw(st.booleans()):
        out = draw(st.permutations(out))   # whole batches out of row-id order
    return out


@settings(max_examples=200, deadline=None)
@given(batches(), st.lists(st.integers(-5, 8), min_size=1, max_size=4))
def test_index_matches_brute_force(batches, times):
    idx = ComponentIndex()
    seen: list[tuple[int, int, int, int]] = []
    tags: list[int] = []
    for batch in batches:
        # one add() per slot, as the store does per chunk
        for slot in sorted({r[0] for r in batch}):
            rows = [r for r in batch if r[0] == slot]
            base = len(tags)
            tags.extend(r[3] for r in rows)
            ids = np.array([[0, r[2]] for r in rows], np.uint64)
            idx.add(slot, np.array([r[1] for r in rows], np.int64), 0, np.arange(base, base + len(rows)), ids)
        seen.extend(batch)
        probe = list(times) + [r[1] for r in batch[:2]]
        for t in probe:
            hits = idx.lookup(np.arange(4), t)
            found = dict(zip(hits.entities.tolist(), hits.row.tolist()))
            for slot in range(4):
                want = reference(seen, slot, t)
                got = tags[found[slot]] if slot in found else None
                assert got == want, (slot, t)
