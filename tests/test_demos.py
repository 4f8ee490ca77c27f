"""The demo recordings: each examples/demo_NAME.py runs and records what the viewer is meant to
show, the bundled assets/NAME.avr match their scripts, and `annoview demo` finds them.

The demo scripts run once per session, side by side in subprocesses (as a user runs them),
which keeps this file to a few seconds.
"""
from __future__ import annotations

import re
import subprocess
import sys
import types
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from annoview.io import load_chunks
from annoview.scene import SceneBuilder
from annoview.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ("pose", "segmentation", "tracking", "nested")
CONTEXT = "AnnotationContext:context"
MAX_BYTES = 3_200_000  # bundled in the wheel: keep each demo around 3 MB at most

# entity path -> archetype for every entity a demo logs (besides its contexts)
ENTITIES: dict[str, dict[str, str]] = {
    "segmentation": {"/camera/image": "Image", "/camera/image/mask": "SegmentationImage"},
    "tracking": {"/camera/image": "Image", "/camera/image/tracks": "Boxes2D",
                 "/camera/image/trails": "LineStrips2D"},
    "nested": {
        "/lab/camera": "Image", "/lab/aisle/equipment": "Boxes2D", "/lab/aisle/person": "Points2D",
        **{f"/lab/{r}/{p}": a for r in ("robot_a", "robot_b")
           for p, a in (("mask", "SegmentationImage"), ("objects", "Boxes2D"), ("arm", "Points2D"),
                        ("arm/links", "LineStrips2D"))},
    },
}
CONTEXTS = {"pose": {"/"}, "segmentation": {"/"}, "tracking": {"/"}, "nested": {"/", "/lab/robot_a", "/lab/robot_b"}}


def load(path: Path | str) -> Store:
    store = Store()
    store.add_chunks(load_chunks(path))
    return store


def norm(path: str) -> str:
    return path if path.startswith("/") else "/" + path


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    """Run every demo script at once into a temporary folder; name -> its recording."""
    out = tmp_path_factory.mktemp("demos")
    procs = {name: subprocess.Popen([sys.executable, str(ROOT / "examples" / f"demo_{name}.py"),
                                     str(out / f"{name}.avr")],
                                    cwd=out, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in DEMOS}
    stores = {}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"demo_{name}.py failed:\n{err}"
        assert "Warning" not in err, err   # the scripts log nothing the SDK has to drop or fix up
        path = out / f"{name}.avr"
        assert 0 < path.stat().st_size < MAX_BYTES, f"{name}: {path.stat().st_size} bytes"
        stores[name] = load(path)
    return stores


def at(store: Store, path: str, component: str, frame: int):
    ref = store.latest_at(norm(path), "frame", frame).get(component)
    return None if ref is None else ref.value


def scene_objects(store: Store, frame: int) -> dict[str, dict[str, object]]:
    """entity -> kind -> SceneObject, as the viewer builds them at `frame`."""
    scene = SceneBuilder(store).build("frame", frame)
    assert not scene.problems, scene.problems
    out: dict[str, dict[str, object]] = {}
    for obj in scene.objects.values():
        out.setdefault(norm(obj.entity), {})[obj.kind] = obj
    return out


# ---- every demo ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DEMOS)
def test_demo_structure(recordings: dict[str, Store], name: str) -> None:
    store = recordings[name]
    tls = store.timelines()
    assert (tls["frame"].kind, tls["frame"].min) == ("sequence", 0)
    assert 40 <= tls["frame"].max + 1 <= 60
    assert tls["time"].kind == "duration"
    assert {norm(p) for p in store.entities_with(CONTEXT)} == CONTEXTS[name]
    for path, arch in ENTITIES.get(name, {}).items():
        assert arch in store.archetypes(path), (path, arch)
    # everything in the recording renders: no entity the scene builder has to skip
    scene_objects(store, tls["frame"].max // 2)


@pytest.mark.parametrize("name", DEMOS)
def test_bundled_asset_matches_script(recordings: dict[str, Store], name: str) -> None:
    """assets/NAME.avr is what examples/demo_NAME.py writes today (regenerate it when this fails)."""
    asset = files("annoview.assets") / f"{name}.avr"
    assert asset.is_file(), f"assets/{name}.avr missing: run python examples/demo_{name}.py"
    bundled, fresh = load(str(asset)), recordings[name]
    assert bundled.entity_paths() == fresh.entity_paths()
    for path in fresh.entity_paths():
        assert bundled.archetypes(path) == fresh.archetypes(path), path
    assert {n: (t.kind, t.min, t.max) for n, t in bundled.timelines().items() if n != "log_time"} == \
           {n: (t.kind, t.min, t.max) for n, t in fresh.timelines().items() if n != "log_time"}
    assert Path(str(asset)).stat().st_size < MAX_BYTES


# ---- what each demo is for ----------------------------------------------------------------------

def test_segmentation_mask_matches_image_and_context(recordings: dict[str, Store]) -> None:
    store = recordings["segmentation"]
    scene = scene_objects(store, 20)
    ctx_labels = {0: "unlabeled", 1: "road", 2: "sidewalk", 3: "building", 4: "pole", 5: "tree", 6: "sky",
                  7: "person", 8: "car"}
    seen: set[int] = set()
    for frame in (0, 20, 39):
        img_fmt = at(store, "camera/image", "Image:format", frame)[0]
        fmt = at(store, "camera/image/mask", "SegmentationImage:format", frame)[0]
        assert (fmt["width"], fmt["height"]) == (img_fmt["width"], img_fmt["height"])  # pixel for pixel
        ids = np.asarray(at(store, "camera/image/mask", "SegmentationImage:buffer", frame))
        assert ids.dtype == np.uint8 and ids.size == fmt["height"] * fmt["width"]
        seen |= set(np.unique(ids).tolist())
    assert seen == set(ctx_labels)   # every class shows up, nothing outside the context
    seg = scene["/camera/image/mask"]["segmentation"]
    assert seg.context_entity in ("/", "")
    ctx = SceneBuilder(store).build("frame", 20).contexts[seg.palette_key]
    assert {c["id"]: c["label"] for c in ctx.describe()} == ctx_labels


def test_tracking_labels_follow_tracks(recordings: dict[str, Store]) -> None:
    store = recordings["tracking"]
    names = {1: "car", 2: "truck", 3: "bus", 4: "bicycle", 5: "person"}
    track_class: dict[int, int] = {}
    frames_seen: dict[int, list[int]] = {}
    for frame in range(40):
        boxes = scene_objects(store, frame)["/camera/image/tracks"]["boxes"]
        ids = [int(c) for c in boxes.class_ids]
        labels = list(at(store, "camera/image/tracks", "Boxes2D:labels", frame))
        assert len(labels) == len(ids) == len(set(labels)) > 0
        for label, cid in zip(labels, ids):
            m = re.fullmatch(r"(\w+) #(\d+)", label)
            assert m and m.group(1) == names[cid], (frame, label, cid)
            track = int(m.group(2))
            assert track_class.setdefault(track, cid) == cid     # a track keeps its class
            frames_seen.setdefault(track, []).append(frame)
        trails = at(store, "camera/image/trails", "LineStrips2D:class_ids", frame)
        assert trails is None or set(np.asarray(trails).tolist()) <= set(ids)
    assert len(track_class) >= 10 and set(track_class.values()) == set(names)
    entering = [t for t, f in frames_seen.items() if f[0] > 0]
    leaving = [t for t, f in frames_seen.items() if f[-1] < 39]
    assert entering and leaving
    for track, fr in frames_seen.items():
        assert fr == list(range(fr[0], fr[-1] + 1)), f"track {track} has gaps: ids are not reused"


def test_nested_contexts_differ_by_subtree_and_time(recordings: dict[str, Store]) -> None:
    store = recordings["nested"]

    def labels(frame: int, path: str) -> dict[int, str | None]:
        obj = scene_objects(store, frame)[path]["boxes"]
        return dict(zip(obj.class_ids.tolist(), obj.labels))

    def colors(frame: int, path: str) -> dict[int, tuple[int, ...]]:
        obj = scene_objects(store, frame)[path]["boxes"]
        return {int(c): tuple(int(v) for v in col) for c, col in zip(obj.class_ids, obj.colors)}

    a, b, aisle = "/lab/robot_a/objects", "/lab/robot_b/objects", "/lab/aisle/equipment"
    assert labels(5, a) == {1: "apple", 2: "banana", 3: "pear"}
    assert labels(5, b) == {1: "nut", 2: "bolt", 3: "washer", 4: None}  # 4 is not in v1: no label
    assert labels(5, aisle) == {1: "tote", 2: "cart"}
    # same id 1, three meanings and three colors side by side
    assert len({colors(5, a)[1], colors(5, b)[1], colors(5, aisle)[1]}) == 3
    # robot B's context is replaced at frame 20; robot A and the aisle do not change
    assert labels(25, b) == {1: "hex nut M6", 2: "bolt M6", 3: "washer M6", 4: "spacer"}
    assert colors(25, b)[1] != colors(5, b)[1]
    assert labels(25, a) == labels(5, a) and colors(25, a) == colors(5, a)
    # the masks and arm skeletons resolve against their robot's context too
    objs = scene_objects(store, 25)
    assert objs["/lab/robot_a/mask"]["segmentation"].context_entity == "/lab/robot_a"
    assert objs["/lab/robot_b/mask"]["segmentation"].context_entity == "/lab/robot_b"
    assert "connections" in objs["/lab/robot_a/arm"] and "connections" in objs["/lab/robot_b/arm"]
    assert objs["/lab/aisle/person"]["points"].labels == ["person"]


# ---- `annoview demo` ------------------------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", *args], capture_output=True, text=True, timeout=60)


def test_demo_list() -> None:
    r = cli("demo", "--list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(DEMOS)
    assert "missing" not in r.stdout


def test_demo_unknown_name() -> None:
    r = cli("demo", "nope")
    assert r.returncode != 0
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "nope" in err and all(n in err for n in DEMOS)


def test_demo_opens_bundled_recording_with_viewer_args(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    from annoview.app.cli import build_parser

    parser = build_parser()
    fake = types.ModuleType("annoview.app.viewer_command")
    fake.run_viewer = lambda argv: calls.append(list(argv)) or 0
    monkeypatch.setitem(sys.modules, "annoview.app.viewer_command", fake)
    args = parser.parse_args(["demo", "--window-size", "800x600", "tracking", "--screenshot-to", "out.png"])
    assert args.func(args) == 0
    (argv,) = calls
    assert Path(argv[0]).name == "tracking.avr" and Path(argv[0]).is_file()
    assert argv[1:] == ["--window-size", "800x600", "--screenshot-to", "out.png"]
    args = parser.parse_args(["demo"])
    assert args.func(args) == 0 and Path(calls[-1][0]).name == "pose.avr" and calls[-1][1:] == []
    # the viewer's own switches (e.g. --headless) work before NAME too
    from annoview.app.demo_command import viewer_options

    for flags, switch, _, _ in viewer_options():
        if switch and "--list" not in flags:
            args = parser.parse_args(["demo", flags[-1], "nested"])
            assert args.func(args) == 0 and calls[-1][1:] == [flags[-1]] and calls[-1][0].endswith("nested.avr")


def test_demo_without_viewer_says_what_to_do(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from annoview.app.cli import build_parser

    parser = build_parser()
    monkeypatch.setitem(sys.modules, "annoview.app.viewer_command", None)  # import fails as if not there
    args = parser.parse_args(["demo", "nested"])
    assert args.func(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "annoview screenshot" in err and "nested.avr" in err
