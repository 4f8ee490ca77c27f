"""Points2D and Points3D for many entities at once (the grouped scene build, scene/grouped.py).

`build_points` (`_points.py`) draws one entity; 1,000 people logged as 1,000 entities would call
it 1,000 times a frame only for `batch.py` to concatenate the results again. This module
produces the batched visuals directly with array code over every entity of the group: the same
arrays `batch.py`'s merge of `build_points`' visuals gives (positions, per-instance class,
keypoint ids and radii, pick ids), and the keypoint connections of rule 6 computed once per
distinct (context, class ids, keypoint ids) and offset per entity.

Every default (draw order, radii, the connections' offset below their points) comes from
`_points.py`; nothing is decided twice. What this module does not draw itself (explicit colors,
labels, a batch of one) it reports in `needs_part`, and the grouped build takes those visuals
from `build_points` for that entity.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...instances import MAX_ID
from ...store.gather import Gathered
from ..batch import _pick_ids, _scalar
from ..visuals import LABEL_PRIORITY_CONTEXT, NO_KEYPOINT, LabelsVisual, LinesVisual, PointsVisual, label_ident_base
from ._points import CONNECTION_RADIUS, CONNECTIONS_BELOW, DEFAULT_RADIUS, DRAW_ORDER
from .base import LABELS_MAX_INSTANCES
from ..grouped_api import GroupBatch, GroupInput, GroupResult, register_grouped, unreadable

FIELDS = ("positions", "class_ids", "keypoint_ids", "radii", "colors", "labels", "show_labels", "draw_order")


def _per_instance(values: np.ndarray, starts: np.ndarray, counts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Each entity's values broadcast to its n instances (a shorter list repeats its last value,
    rule 3), concatenated. `counts` >= 1 for every entity given."""
    if (counts == 1).all():                       # one value per entity (a class id given once)
        return np.repeat(values[starts], n)
    if (counts == n).all():                       # one value per instance
        if len(starts) and starts[0] == 0 and len(values) == int(n.sum()) and (starts[1:] == np.cumsum(n)[:-1]).all():
            return values                         # already the concatenation
        return values[_instances(starts, n)]
    total = int(n.sum())
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return values[np.repeat(starts, n) + np.minimum(within, np.repeat(counts - 1, n))]


def _instances(starts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Indices of every entity's n values from its start, concatenated."""
    if len(n) and (n == n[0]).all():
        return (starts[:, None] + np.arange(int(n[0]), dtype=np.int64)[None, :]).reshape(-1)
    total = int(n.sum())
    return np.repeat(starts, n) + np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)


@dataclass
class _Skeletons:
    sig: np.ndarray                      # per entity: signature index, -1 = no connections
    pairs: list[np.ndarray] = field(default_factory=list)
    classes: list[np.ndarray] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def _skeletons(inp: GroupInput, n: np.ndarray, kc: np.ndarray, kk: np.ndarray) -> _Skeletons:
    """Rule 6 pairs per entity, resolved once per distinct (palette, n, class ids, keypoint ids)."""
    cls, kp = inp.field("class_ids"), inp.field("keypoint_ids")
    e_count = len(n)
    sig = np.full(e_count, -1, np.int64)
    todo = np.flatnonzero((kc > 0) & (kk > 0))
    out = _Skeletons(sig)
    if not len(todo):
        out.counts = np.zeros(e_count, np.int64)
        return out
    ids_c = inp.value_ids(cls, todo, kc)
    ids_k = inp.value_ids(kp, todo, kk)
    rows = np.stack([inp.palette_gid[todo], n[todo], ids_c, ids_k], 1)
    if (rows == rows[0]).all():
        inverse = np.zeros(len(todo), np.int64)
        firsts = todo[:1]
    else:
        _, first_pos, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        firsts = todo[first_pos]
    pair_counts = []
    for e in firsts.tolist():
        g = int(inp.palette_gid[e])
        c = cls.values[cls.starts[e]:cls.starts[e] + kc[e]]
        k = kp.values[kp.starts[e]:kp.starts[e] + kk[e]]
        pairs, pcls = inp.services.skeleton(inp.palette_keys[g], inp.contexts[g], c, k, int(n[e]))
        out.pairs.append(np.asarray(pairs, np.int64).reshape(-1, 2))
        out.classes.append(np.asarray(pcls))
        pair_counts.append(len(out.pairs[-1]))
    sig[todo] = inverse
    counts = np.zeros(e_count, np.int64)
    counts[todo] = np.asarray(pair_counts, np.int64)[inverse]
    out.counts = counts
    return out


@register_grouped("Points2D", "Points3D", fields=FIELDS, required="positions")
def build_grouped(inp: GroupInput) -> GroupResult:
    pos = inp.field("positions")
    n = pos.lengths
    result = GroupResult(space="2d" if inp.archetype == "Points2D" else "3d", drawn=n > 0,
                         needs_part=np.zeros(len(n), bool))
    if unreadable(pos) or pos.values is None or pos.values.ndim != 2:   # an odd recording: one by one
        result.needs_part[:] = True
        return result
    dim = int(pos.values.shape[1])               # as logged (batch.py keys on the positions' shape)
    cut = np.maximum(n, 1)                       # rerun-sdk keeps longer lists; the viewer cuts them
    cls, kp, radii = inp.field("class_ids"), inp.field("keypoint_ids"), inp.field("radii")
    kc, kk, kr = np.minimum(cls.lengths, cut), np.minimum(kp.lengths, cut), np.minimum(radii.lengths, cut)
    if unreadable(cls) or unreadable(kp) or unreadable(radii) or not (_ids_ok(cls) and _ids_ok(kp)):
        result.needs_part[:] = True               # the per-entity path names what is wrong
        return result
    colors, labels, show = inp.field("colors"), inp.field("labels"), inp.field("show_labels")
    order = inp.field("draw_order")
    draw_order = np.full(len(n), DRAW_ORDER, np.float64)
    has_order = order.lengths > 0
    if has_order.any():
        if unreadable(order):
            result.needs_part[:] = True
            return result
        draw_order[has_order] = order.values[order.starts[has_order]].astype(np.float64)
    shown = (n < LABELS_MAX_INSTANCES) | (labels.lengths > 0)   # rule 7; labels: per entity below
    has_show = show.lengths > 0
    if has_show.any():
        if unreadable(show):
            result.needs_part[:] = True
            return result
        shown[has_show] = show.values[show.starts[has_show]].astype(bool)
    if inp.labels is not None:               # the view's labels option wins (visualizers/base.py add_labels)
        shown[:] = inp.labels
    # palette-colored points batch (batch.py); explicit colors and no class ids draw one by one
    batchable = (kc > 0) & (colors.lengths == 0) & (n > 0)
    skel = _skeletons(inp, n, kc, kk)
    has_conn = (skel.counts > 0) & (n > 0)
    # context labels (no explicit ones) of palette-colored points: built here, per entity
    labeled = _ContextLabels(inp, n, kc, kk, kr, shown & batchable & (labels.lengths == 0))
    result.needs_part = (n > 0) & (~batchable | (shown & ~labeled.covered))

    conn_radius = _scalar(CONNECTION_RADIUS)
    keys = _group_keys(inp.palette_gid, draw_order)
    gid_do = _group_index(inp.palette_gid, draw_order, keys)

    positions: dict[bytes, np.ndarray] = {}

    def positions_of(members: np.ndarray) -> np.ndarray:
        """The members' positions, concatenated (points and connections share them)."""
        key = members.tobytes()
        got = positions.get(key)
        if got is None:
            if len(members) == len(n):                # everyone: the gathered array as it is
                got = np.asarray(pos.values, np.float32)
            else:
                got = np.asarray(pos.values[_instances(pos.starts[members], n[members])], np.float32)
            positions[key] = got
        return got

    def points_visual(members: np.ndarray, key_index: int) -> PointsVisual:
        g, d = keys[key_index]
        m_n = n[members]
        kp_ok = kk[members] > 0
        if kp_ok.all():
            kp_ids = _per_instance(kp.values, kp.starts[members], kk[members], m_n).astype(np.uint32)
        else:
            kp_ids = np.full(int(m_n.sum()), NO_KEYPOINT, np.uint32)
            sub = np.repeat(kp_ok, m_n)
            if kp_ok.any():
                kp_ids[sub] = _per_instance(kp.values, kp.starts[members][kp_ok], kk[members][kp_ok], m_n[kp_ok])
        r_ok = kr[members] > 0
        rad = np.full(int(m_n.sum()), DEFAULT_RADIUS, np.float32)
        if r_ok.any():
            rad[np.repeat(r_ok, m_n)] = _per_instance(radii.values, radii.starts[members][r_ok], kr[members][r_ok],
                                                      m_n[r_ok])
        oids = inp.object_ids("points", members)
        return PointsVisual(
            positions=positions_of(members),
            class_ids=_per_instance(cls.values, cls.starts[members], kc[members], m_n).astype(np.uint32),
            keypoint_ids=kp_ids, radii=rad, palette_key=inp.palette_keys[g], draw_order=d,
            pick_ids=_pick_ids(oids, m_n), cache_key=("grouped-points", inp.cache_key(members), inp.palette_keys[g]))

    def connections_visual(members: np.ndarray, key_index: int) -> LinesVisual:
        g, d = keys[key_index]
        m_n = n[members]
        points = positions_of(members)
        m_pairs = skel.counts[members]
        base = np.cumsum(m_n) - m_n
        pairs = np.empty((int(m_pairs.sum()), 2), np.int64)
        pcls = np.empty(int(m_pairs.sum()), np.uint32)
        at = np.cumsum(m_pairs) - m_pairs
        msig = skel.sig[members]
        if (msig == msig[0]).all():               # every skeleton alike (the usual case)
            p, c = skel.pairs[int(msig[0])], skel.classes[int(msig[0])]
            pairs = (p[None, :, :] + base[:, None, None]).reshape(-1, 2)
            pcls = np.tile(c.astype(np.uint32), len(members))
            msig = msig[:0]
        for s in np.unique(msig).tolist():
            who = np.flatnonzero(msig == s)
            p, c = skel.pairs[s], skel.classes[s]
            slots = at[who][:, None] + np.arange(len(p))[None, :]
            pairs[slots] = p[None, :, :] + base[who][:, None, None]
            pcls[slots] = c[None, :]
        oids = inp.object_ids("connections", members)
        return LinesVisual(points=points, pairs=pairs, class_ids=pcls, radii=CONNECTION_RADIUS,
                           palette_key=inp.palette_keys[g], draw_order=d - CONNECTIONS_BELOW,
                           pick_ids=_pick_ids(oids, m_pairs),
                           cache_key=("grouped-connections", inp.cache_key(members), inp.palette_keys[g]))

    for i, (g, d) in enumerate(keys):
        in_group = gid_do == i
        result.batches.append(GroupBatch(("points", inp.palette_keys[g], d, dim), in_group & batchable, 0,
                                         _bind(points_visual, i), "points"))
        result.batches.append(GroupBatch(("connections", inp.palette_keys[g], d - CONNECTIONS_BELOW, dim, conn_radius),
                                         in_group & has_conn, 1, _bind(connections_visual, i),
                                         "connections"))
    # the legend's counts (Part.count_classes): the per-instance class ids of every drawn entity
    result.count_classes = lambda members: (members, _per_instance(cls.values, cls.starts[members], kc[members],
                                                                     n[members]))
    result.kinds = [("points", n > 0), ("connections", has_conn)]
    result.singles = lambda light: labeled.visuals(light, 1 + has_conn.astype(np.int64))
    return result


class _ContextLabels:
    """Rule 7 labels of entities whose labels come only from the annotation context, exactly as
    `add_labels` / `point_labels` make them for each entity: the labels are resolved once per
    distinct (palette, instance count, class ids, keypoint ids), then each entity's
    `LabelsVisual` is sliced out of its arrays. An entity whose class id is given once for
    several instances (one shared label at their center, rule 3) is left to the per-entity path
    (`covered` is False for it)."""

    def __init__(self, inp: GroupInput, n: np.ndarray, kc: np.ndarray, kk: np.ndarray, kr: np.ndarray,
                 wanted: np.ndarray) -> None:
        self.inp, self.n, self.kc, self.kk, self.kr = inp, n, kc, kk, kr
        self.covered = np.zeros(len(n), bool)
        self.sig = np.full(len(n), -1, np.int64)
        self.keep: list[np.ndarray] = []          # per signature: labeled instances
        self.texts: list[np.ndarray] = []         # per signature: their texts (object array)
        todo = np.flatnonzero(wanted & (n > 0) & (kc > 0))
        if not len(todo):
            return
        cls, kp = inp.field("class_ids"), inp.field("keypoint_ids")
        ids_c = inp.value_ids(cls, todo, kc)
        ids_k = np.full(len(todo), -1, np.int64)
        has_k = kk[todo] > 0
        if has_k.any():
            ids_k[has_k] = inp.value_ids(kp, todo[has_k], kk)
        rows = np.stack([inp.palette_gid[todo], n[todo], ids_c, ids_k], 1)
        if (rows == rows[0]).all():
            inverse, firsts = np.zeros(len(todo), np.int64), todo[:1]
        else:
            _, first_pos, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
            inverse, firsts = inverse.reshape(-1), todo[first_pos]
        ok = []
        for e in firsts.tolist():
            g = int(inp.palette_gid[e])
            c = cls.values[cls.starts[e]:cls.starts[e] + kc[e]]
            k = kp.values[kp.starts[e]:kp.starts[e] + kk[e]] if kk[e] > 0 else None
            res = inp.services.resolve(inp.palette_keys[g], inp.contexts[g], int(n[e]), c, k, None, None,
                                       inp.path(e))
            shared = res.shared_label is not None and n[e] > 1
            ok.append(not shared)
            keep = np.array([i for i, t in enumerate(res.labels) if t], np.int64)
            self.keep.append(keep)
            texts = np.empty(len(keep), object)
            texts[:] = [res.labels[i] for i in keep.tolist()]
            self.texts.append(texts)
        self.sig[todo] = inverse
        self.covered[todo] = np.asarray(ok, bool)[inverse]

    def visuals(self, light: np.ndarray, local_index: np.ndarray) -> list[tuple[int, int, LabelsVisual]]:
        inp, n, kc, kk, kr = self.inp, self.n, self.kc, self.kk, self.kr
        who = light[self.covered[light]]
        who = who[np.asarray([len(self.keep[s]) > 0 for s in self.sig[who].tolist()], bool).reshape(-1)]
        if not len(who):
            return []
        pos, cls, kp, radii = (inp.field(f) for f in ("positions", "class_ids", "keypoint_ids", "radii"))
        sig = self.sig[who]
        counts = np.asarray([len(k) for k in self.keep], np.int64)[sig]
        if (sig == sig[0]).all():                 # every entity alike (the usual case)
            inst = np.tile(self.keep[int(sig[0])], len(who))
        else:
            inst = np.concatenate([self.keep[s] for s in sig.tolist()])
        ends = np.cumsum(counts)
        begins = ends - counts

        def per_label(g: Gathered, lengths: np.ndarray) -> np.ndarray:
            """Each label's value of a per-instance field (a shorter list repeats its last value)."""
            m = np.repeat(lengths[who], counts)
            return g.values[np.repeat(g.starts[who], counts) + np.minimum(inst, np.maximum(m, 1) - 1)]

        positions = np.asarray(pos.values[np.repeat(pos.starts[who], counts) + inst], np.float32)
        class_ids = per_label(cls, kc)
        kp_ids = per_label(kp, kk) if (kk[who] > 0).any() else None
        r = np.full(len(inst), DEFAULT_RADIUS, np.float32)
        has_r = np.repeat(kr[who] > 0, counts)
        if has_r.any():
            r[has_r] = np.asarray(per_label(radii, kr)[has_r], np.float32)
        extent = np.maximum(r, 0.0) * 2.0
        priority = np.full(len(inst), LABEL_PRIORITY_CONTEXT, np.float32)
        instances = inst.astype(np.uint32)
        idents = inst.astype(np.uint64)
        paths = [inp.path(e) for e in who.tolist()]
        idents |= np.repeat(np.array([label_ident_base(p) for p in paths], np.uint64), counts)
        oids = inp.object_ids("points", who)
        data_key = inp.cache_key(who)             # with the entity's position: names its labels' data
        out = []
        for e, oid, path, s, b, t in zip(who.tolist(), oids.tolist(), paths, sig.tolist(), begins.tolist(),
                                         ends.tolist()):
            g = int(inp.palette_gid[e])
            out.append((e, int(local_index[e]), LabelsVisual(
                positions=positions[b:t], texts=self.texts[s].tolist(), instances=instances[b:t], colors=None,
                class_ids=class_ids[b:t], keypoint_ids=None if kp_ids is None or kk[e] == 0 else kp_ids[b:t],
                pick_ids=None, palette_key=inp.palette_keys[g], default_color=inp.services.default_color(path),
                object_id=oid, cache_key=("grouped-labels", data_key, e, inp.palette_keys[g]),
                extent=extent[b:t], clearance=r[b:t], span=0.0, priority=priority[b:t], idents=idents[b:t])))
        return out


def _ids_ok(g: Gathered) -> bool:
    """Class or keypoint ids that are all integers in 0..MAX_ID (or absent)."""
    if g.values is None or not len(g.values):
        return True
    v = g.values
    return v.dtype.kind in "ui" and int(v.min()) >= 0 and int(v.max()) <= MAX_ID


def _bind(fn: Callable[[np.ndarray, int], object], i: int) -> Callable[[np.ndarray], object]:
    return lambda members: fn(members, i)


def _group_keys(gid: np.ndarray, draw_order: np.ndarray) -> list[tuple[int, float]]:
    """The distinct (palette, draw order) pairs, sorted."""
    if not len(gid):
        return []
    if (gid == gid[0]).all() and (draw_order == draw_order[0]).all():
        return [(int(gid[0]), float(draw_order[0]))]
    orders, inv = np.unique(draw_order, return_inverse=True)
    combined = np.unique(gid.astype(np.int64) * len(orders) + inv.reshape(-1))
    return [(int(c // len(orders)), float(orders[c % len(orders)])) for c in combined.tolist()]


def _group_index(gid: np.ndarray, draw_order: np.ndarray, keys: list[tuple[int, float]]) -> np.ndarray:
    """Each entity's index in `keys`."""
    out = np.zeros(len(gid), np.int64)
    if len(keys) > 1:
        for i, (g, d) in enumerate(keys):
            out[(gid == g) & (draw_order == d)] = i
    return out
