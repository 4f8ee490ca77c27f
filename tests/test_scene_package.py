"""The scene package: GL-free, one registered visualizer per archetype, frozen typed inputs,
the shared instance rules and the legend's edit model, all without a display."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import annoview as rr
from annoview.chunk import build_chunk
from annoview.instances import (broadcast_last, component_name, packed_hex, pack_rgba, rgba_hex, split_component,
                                unpack_one, unpack_rgba)
from annoview.scene import ClassEdits, SceneBuilder, ViewOptions, edited_palette
from annoview.scene.visualizers import archetypes, register, visualizer_for
from annoview.scene.visualizers.base import VisualizerInput
from annoview.types.kinds import Kind


def test_importing_the_scene_loads_no_gl():
    code = ("import sys, annoview.scene, annoview.scene.visualizers as v; v.archetypes(); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('moderngl', 'glfw', 'imgui_bundle', 'OpenGL')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_drawn_archetype_has_one_registered_visualizer():
    names = archetypes()
    for arch in ("Points2D", "Points3D", "Boxes2D", "LineStrips2D", "LineStrips3D", "Image", "SegmentationImage"):
        assert arch in names
        assert visualizer_for(arch).__module__.startswith("annoview.scene.visualizers.")
    assert visualizer_for("TextDocument") is None
    with pytest.raises(ValueError, match="two visualizers for Points2D"):
        register("Points2D")(lambda inp: None)


def _store():
    rr.init("scene-package")
    mem = rr.memory_recording()
    rr.log("/", rr.AnnotationContext([(1, "cat", (255, 0, 0)), (2, "dog")]), static=True)
    rr.log("pts", rr.Points2D([[1, 2], [3, 4], [5, 6]], class_ids=[1, 2]), static=True)
    rr.flush()
    store = mem.to_store()
    store.add_chunk(build_chunk("/doc", True, np.ones(1, np.uint64), np.full(1, 99, np.uint64), {},
                                {"Mystery:value": (Kind.ID, [np.ones(1, np.uint16)])}))
    return store


def test_visualizer_input_is_frozen_and_typed():
    seen = []
    builder = SceneBuilder(_store())
    original = visualizer_for("Points2D")
    from annoview.scene.visualizers import _REGISTRY
    _REGISTRY["Points2D"] = lambda inp: (seen.append(inp), original(inp))[1]
    try:
        scene = builder.build(None, None)
    finally:
        _REGISTRY["Points2D"] = original
    (inp,) = seen
    assert isinstance(inp, VisualizerInput) and inp.path == "/pts" and inp.archetype == "Points2D"
    assert inp.context_owner == "/" and inp.context.class_label(1) == "cat"
    assert set(inp.cells) >= {"positions", "class_ids"} and inp.value("radii") is None
    assert np.array_equal(inp.value("class_ids"), [1, 2])
    assert inp.cache_key == tuple(sorted((f"Points2D:{f}", r.row_key) for f, r in inp.cells.items()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        inp.path = "/other"  # type: ignore[misc]
    # the points are drawn; the archetype nobody draws is reported, not raised
    assert [o.kind for o in scene.objects.values()] == ["points"]
    assert ("/doc", "Mystery: not rendered by annoview (kept in the store)") in scene.problems
    # class counts for the legend: class ids shorter than the instances repeat their last value
    assert scene.class_counts[inp.palette_key] == {1: 1, 2: 2}


def test_a_failing_visualizer_becomes_a_problem_of_that_entity_only():
    from annoview.scene.visualizers import _REGISTRY

    original = _REGISTRY["Points2D"]

    def broken(inp):
        raise ValueError("bad positions")

    _REGISTRY["Points2D"] = broken
    try:
        scene = SceneBuilder(_store()).build(None, None)
    finally:
        _REGISTRY["Points2D"] = original
    assert ("/pts", "Points2D: ValueError: bad positions") in scene.problems


def test_view_options_are_part_of_the_cache_key():
    builder = SceneBuilder(_store())
    a = builder.build(None, None)
    b = builder.build(None, None, options=ViewOptions())
    assert a.visuals_2d[0] is b.visuals_2d[0]
    c = builder.build(None, None, options=ViewOptions(seg_opacity={"/pts": 0.3}))
    assert c.visuals_2d[0] is not a.visuals_2d[0]


def test_instance_rules():
    assert broadcast_last(np.array([1, 2]), 4).tolist() == [1, 2, 2, 2]
    assert broadcast_last(np.array([1, 2, 3]), 2).tolist() == [1, 2]
    assert broadcast_last(7, 3).tolist() == [7, 7, 7]
    assert broadcast_last(None, 3) is None and broadcast_last(np.array([]), 3).size == 0
    rgba = np.array([[255, 0, 128, 255], [1, 2, 3, 4]], np.uint8)
    packed = pack_rgba(rgba)
    assert packed.tolist() == [0xFF0080FF, 0x01020304]
    assert (unpack_rgba(packed) == rgba).all() and unpack_one(0x01020304) == (1, 2, 3, 4)
    assert rgba_hex((1, 2, 3, 255)) == "#010203ff" and packed_hex(0x01020304) == "#01020304"
    assert split_component(component_name("Boxes3D", "half_sizes")) == ("Boxes3D", "half_sizes")


def test_legend_edits_announce_themselves_and_give_palettes():
    from annoview.annotations import context_from_cell

    ctx = context_from_cell([{"class_id": 1, "class_description": {"info": {"id": 1, "label": "a", "color": 0xFF0000FF}}}])
    edits = ClassEdits()
    g = edits.generation
    edits.set_color(("/", 1), (0, 0, 255, 255))
    edits.set_hidden(("/", 2), True)
    edits.set_hidden(("/", 2), True)               # no change, no new generation
    assert edits.generation == g + 2
    pal = edited_palette(ctx, "/", edits)
    assert tuple(pal.colors[1]) == (0, 0, 255, 255) and pal.hidden == {2} and pal.highlight is None
    other = edited_palette(ctx, "/elsewhere", edits)   # edits are per context owner
    assert tuple(other.colors[1]) == (255, 0, 0, 255) and not other.hidden
    edits.set_solo(("/", 1))
    assert edited_palette(ctx, "/", edits).hidden == frozenset(range(65536)) - {1}
    edits.set_highlight(("/", 1))
    assert edited_palette(ctx, "/", edits).highlight == 1
    edits.reset()
    assert not edits.any and edits.highlight == ("/", 1)


def test_boxes2d_without_centers_sit_at_the_origin_and_one_value_applies_to_all():
    rr.init("boxes2d-defaults")
    mem = rr.memory_recording()
    rr.log("a", rr.Boxes2D(half_sizes=[[2, 1], [4, 3]]), static=True)
    rr.log("b", rr.Boxes2D(centers=[[10, 10], [20, 20], [30, 30]], half_sizes=[[1, 1]]), static=True)
    rr.flush()
    scene = SceneBuilder(mem.to_store()).build(None, None)
    assert not scene.problems
    boxes = {scene.objects[v.object_id].entity: v for v in scene.visuals_2d if type(v).__name__ == "BoxesVisual"}
    assert boxes["/a"].mins.tolist() == [[-2, -1], [-4, -3]] and boxes["/a"].sizes.tolist() == [[4, 2], [8, 6]]
    assert boxes["/b"].mins.tolist() == [[9, 9], [19, 19], [29, 29]] and boxes["/b"].sizes.tolist() == [[2, 2]] * 3
