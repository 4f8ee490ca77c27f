"""rr.components, rr.datatypes/rr.encodings and rr.archetypes have every public name rerun-sdk 0.41
has there, with the same constructor signatures (compared with rerun-sdk when installed)."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import annoview as rr
import annoview.archetypes as av_archetypes
import annoview.components as av_components
import annoview.datatypes as av_datatypes
import annoview.encodings as av_encodings
from annoview.types.generic import REGISTRY

# Names another module provides (none left: the image layer adds its enums and EncodedImage).
IMAGE_LAYER: set[str] = set()


def _public(module) -> set[str]:
    return {n for n in dir(module) if n[:1].isupper()}


def _image_layer(name: str) -> bool:
    return any(name.startswith(n) for n in IMAGE_LAYER)


@pytest.fixture(scope="module")
def rerun():
    return pytest.importorskip("rerun")


@pytest.mark.parametrize("module", ["components", "encodings", "archetypes"])
def test_every_public_name_exists(rerun, module):
    import importlib

    theirs = _public(importlib.import_module(f"rerun.{module}"))
    ours = _public({"components": av_components, "encodings": av_encodings, "archetypes": av_archetypes}[module])
    assert {n for n in theirs - ours if not _image_layer(n)} == set()
    assert ours - theirs == set()


def test_datatypes_is_encodings(rerun):
    assert _public(av_datatypes) == _public(av_encodings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import rerun.datatypes as rd
    assert all(hasattr(av_datatypes, n) for n in _public(rerun.encodings) if hasattr(rd, n) and not _image_layer(n))


def _shape(sig: inspect.Signature) -> list[tuple]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_generic_archetype_signatures_match_rerun(rerun):
    for name, cls in REGISTRY.items():
        theirs = getattr(rerun.archetypes, name)
        assert _shape(inspect.signature(cls.__init__)) == _shape(inspect.signature(theirs.__init__)), name


@pytest.mark.parametrize("module", ["components", "encodings"])
def test_value_class_signatures_match_rerun(rerun, module):
    import enum
    import importlib

    theirs_mod = importlib.import_module(f"rerun.{module}")
    ours_mod = av_components if module == "components" else av_datatypes
    checked = 0
    for name in _public(theirs_mod):
        theirs, ours = getattr(theirs_mod, name), getattr(ours_mod, name, None)
        if _image_layer(name) or name.endswith(("Like", "Batch")) or not isinstance(theirs, type):
            continue
        if issubclass(theirs, enum.Enum):
            assert [m.name for m in ours] == [m.name for m in theirs], name
            assert [m.value for m in ours] == [m.value for m in theirs], name
            continue
        if name in {"AnnotationInfo", "ClassDescription", "ClassDescriptionMapElem", "KeypointPair"}:
            continue  # annoview's annotation types (own, richer constructors)
        want = [p for p in _shape(inspect.signature(theirs.__init__)) if p[1] not in (p[1].VAR_POSITIONAL, p[1].VAR_KEYWORD)]
        assert _shape(inspect.signature(ours.__init__)) == want, name
        checked += 1
    assert checked > 40


def test_arrow_types_match_rerun(rerun):
    from annoview.types.rerun_schema import COMPONENTS, DATATYPES, component_arrow_type

    for name in COMPONENTS:
        assert component_arrow_type(name) == getattr(rerun.components, f"{name}Batch")._ARROW_DATATYPE, name
    for name, t in DATATYPES.items():
        assert t == getattr(rerun.encodings, f"{name}Batch")._ARROW_DATATYPE, name


# Each case builds the same batch with annoview (m = annoview) and with rerun-sdk (m = rerun).
BATCH_CASES = [
    lambda m: m.Radius.ui_points([1, 2]),
    lambda m: m.components.ColorBatch([[255, 0, 0], [0, 255, 0]]),
    lambda m: m.components.ClassIdBatch([1, 2, 3]),
    lambda m: m.components.KeypointIdBatch([0, 1]),
    lambda m: m.components.Position3DBatch([[1, 2, 3]]),
    lambda m: m.components.Position2DBatch(np.zeros((4, 2))),
    lambda m: m.components.TextBatch(["a", "b"]),
    lambda m: m.components.DrawOrderBatch(3),
    lambda m: m.components.OpacityBatch(0.5),
    lambda m: m.components.RadiusBatch(m.Radius.ui_points(2)),
    lambda m: m.components.TransformMat3x3Batch([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
    lambda m: m.components.RotationAxisAngleBatch(m.RotationAxisAngle([0, 0, 1], m.Angle(deg=90))),
    lambda m: m.components.RotationQuatBatch(m.Quaternion(xyzw=[0, 0, 0, 1])),
    lambda m: m.components.FillModeBatch("solid"),
    lambda m: m.components.TransformRelationBatch(m.TransformRelation.ChildFromParent),
    lambda m: m.components.ViewCoordinatesBatch(m.components.ViewCoordinates.RDF),
    lambda m: m.components.Scale3DBatch(m.Scale3D(2)),
    lambda m: m.components.LineStrip2DBatch([[0, 0], [1, 1]]),
    lambda m: m.components.GraphEdgeBatch([("a", "b")]),
    lambda m: m.components.KeyValuePairsBatch({"k": "v"}),
    lambda m: m.components.TensorDataBatch(m.TensorData(array=np.arange(6).reshape(2, 3))),
    lambda m: m.components.MarkerShapeBatch(["circle", m.components.MarkerShape.Cross]),
    lambda m: m.components.TextLogLevelBatch(m.TextLogLevel.WARN),
    lambda m: m.components.MediaTypeBatch(m.MediaType.PNG),
    lambda m: m.datatypes.Vec3DBatch([[1, 2, 3], [4, 5, 6]]),
    lambda m: m.datatypes.Mat3x3Batch(m.datatypes.Mat3x3(columns=np.arange(9))),
    lambda m: m.datatypes.Utf8PairBatch([("a", "b")]),
    lambda m: m.datatypes.Range1DBatch([0, 1]),
    lambda m: m.components.PinholeProjectionBatch(m.components.PinholeProjection([[1, 0, 2], [0, 1, 3], [0, 0, 1]])),
    lambda m: m.components.VideoTimestampBatch(m.components.VideoTimestamp(seconds=1.5)),
    lambda m: m.components.AlbedoFactorBatch(0xFF0000FF),
    lambda m: m.components.ClearIsRecursiveBatch(m.components.ClearIsRecursive()),
]


@pytest.mark.parametrize("case", range(len(BATCH_CASES)))
def test_batches_hold_what_rerun_batches_hold(rerun, case):
    import types

    ours = BATCH_CASES[case](rr)
    names = {n: getattr(rerun, n) for n in dir(rerun) if not n.startswith("__")}
    theirs = BATCH_CASES[case](types.SimpleNamespace(**{**names, "datatypes": rerun.encodings}))
    if not hasattr(theirs, "as_arrow_array"):
        assert np.array_equal(np.asarray(ours), np.asarray(theirs))
        return
    a, b = ours.as_arrow_array(), theirs.as_arrow_array()
    assert a.type == b.type
    assert str(a.to_pylist()) == str(b.to_pylist()) or np.allclose(np.asarray(a.to_pylist(), float),
                                                                  np.asarray(b.to_pylist(), float))


def test_top_level_names():
    for name in ("Quaternion", "RotationAxisAngle", "Angle", "Scale3D", "TransformRelation", "TextLogLevel", "Radius",
                 "MediaType", "VideoCodec", "GraphType", "TensorData", "TimeInt", "ComponentDescriptor",
                 "DescribedComponentBatch", "AsComponents", "ComponentValueLike", "Transform3D", "Pinhole", "TextLog",
                 "Scalars", "Clear"):
        assert hasattr(rr, name), name
    assert rr.TextLogLevel.WARN == "WARN" and rr.Radius.ui_points(3) == -3.0
    assert rr.Angle(deg=180).radians == pytest.approx(np.pi)
    assert rr.Clear.recursive().components["is_recursive"].to_pylist() == [True]
    assert not hasattr(rr, "RecordingInfo")  # not at Rerun's top level either


def test_repr_is_one_short_line():
    text = repr(rr.Transform3D(translation=[1, 2, 3], rotation=rr.RotationAxisAngle([0, 0, 1], 1.0)))
    assert text == "Transform3D(translation=[1, 2, 3], rotation_axis_angle={axis: [0, 0, 1], angle: 1})"
    assert "\n" not in repr(rr.Mesh3D(vertex_positions=np.zeros((1000, 3))))


def test_value_objects_read_back_as_in_rerun():
    r = rr.RotationAxisAngle([0, 0, 1], degrees=90)
    assert r.axis.xyz.tolist() == [0, 0, 1] and r.angle.radians == pytest.approx(np.pi / 2)
    assert rr.Quaternion(xyzw=[0, 0, 0, 1]).xyzw.dtype == np.float32
    assert rr.Angle(rad=1, deg=2).radians == 1.0  # radians win, as in rerun-sdk
