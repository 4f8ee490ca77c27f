"""Transform, view-coordinate and pinhole math without GL, against hand-computed matrices and
the semantics Rerun documents for Transform3D / Pinhole / ViewCoordinates."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from annoview.spatial import (PinholeCamera, TransformTree, axis_angle_matrix, compose_trs, frustum_segments,
                              parse_view_coordinates, pinhole_from_cells, quaternion_matrix, transform_from_cells,
                              transform_points, up_vector, view_up)
from annoview.spatial.transforms import TransformError
from annoview.store import Store

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from spatial_chunks import chunk, col_major  # noqa: E402

S = math.sqrt(0.5)
RZ90 = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]], np.float64)   # 90 degrees about +z


def cells_at(store: Store, path: str, t: int | None = 0):
    return store.latest_at(path, "frame", t)


# ---- rotations -------------------------------------------------------------------------------

def test_quaternion_xyzw_and_axis_angle_match_hand_computed_rotation():
    np.testing.assert_allclose(quaternion_matrix([0, 0, S, S]), RZ90, atol=1e-12)
    np.testing.assert_allclose(axis_angle_matrix([0, 0, 1], math.pi / 2), RZ90, atol=1e-12)
    # 90 degrees about +x takes +y to +z (right-handed)
    np.testing.assert_allclose(axis_angle_matrix([2, 0, 0], math.pi / 2) @ [0, 1, 0], [0, 0, 1], atol=1e-12)
    # unnormalized quaternions are normalized
    np.testing.assert_allclose(quaternion_matrix([0, 0, 3, 3]), RZ90, atol=1e-12)
    np.testing.assert_allclose(axis_angle_matrix([0, 0, 0], 0.0), np.eye(3))


def test_random_quaternions_give_proper_rotations():
    rng = np.random.default_rng(1)
    for q in rng.normal(size=(50, 4)):
        r = quaternion_matrix(q)
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
        assert abs(np.linalg.det(r) - 1) < 1e-12
        # same rotation as the axis-angle form of the quaternion
        qn = q / np.linalg.norm(q)
        angle = 2 * math.acos(np.clip(qn[3], -1, 1))
        if abs(math.sin(angle / 2)) > 1e-6:
            np.testing.assert_allclose(axis_angle_matrix(qn[:3] / math.sin(angle / 2), angle), r, atol=1e-9)


def test_rotations_agree_with_pyrr():
    pyrr = pytest.importorskip("pyrr")
    rng = np.random.default_rng(2)
    for q in rng.normal(size=(20, 4)):
        qn = q / np.linalg.norm(q)
        np.testing.assert_allclose(quaternion_matrix(q), pyrr.matrix33.create_from_quaternion(qn), atol=1e-12)
    for axis, angle in zip(rng.normal(size=(20, 3)), rng.uniform(-7, 7, 20)):
        expected = pyrr.matrix33.create_from_quaternion(
            pyrr.quaternion.create_from_axis_rotation(axis / np.linalg.norm(axis), angle))
        np.testing.assert_allclose(axis_angle_matrix(axis, angle), expected, atol=1e-12)


@pytest.mark.parametrize("bad", [[0, 0, 0, 0], [np.nan, 0, 0, 1]])
def test_degenerate_quaternion_is_refused(bad):
    with pytest.raises(TransformError, match="quaternion"):
        quaternion_matrix(bad)


# ---- composition order ---------------------------------------------------------------------

def test_translation_rotation_scale_order_is_t_r_s():
    m = compose_trs(translation=[1, 2, 3], quaternion=[0, 0, S, S], scale=2)
    expected = np.array([[0, -2, 0, 1], [2, 0, 0, 2], [0, 0, 2, 3], [0, 0, 0, 1]], np.float64)
    np.testing.assert_allclose(m, expected, atol=1e-12)
    # a point is scaled first, then rotated, then translated
    np.testing.assert_allclose(transform_points(m, [[1, 0, 0]]), [[1, 4, 3]], atol=1e-12)


def test_mat3x3_applies_before_scale_rotation_and_translation():
    shear = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], np.float64)
    m = compose_trs(translation=[5, 0, 0], rotation_axis_angle=([0, 0, 1], math.pi / 2), scale=[1, 2, 3],
                    mat3x3=shear)
    p = np.array([0, 1, 1.0])
    by_hand = RZ90 @ (np.diag([1, 2, 3]) @ (shear @ p)) + [5, 0, 0]
    np.testing.assert_allclose(transform_points(m, [p])[0], by_hand, atol=1e-12)


def test_axis_angle_applies_after_quaternion():
    rx = axis_angle_matrix([1, 0, 0], math.pi / 2)
    m = compose_trs(rotation_axis_angle=([0, 0, 1], math.pi / 2), quaternion=[S, 0, 0, S])
    np.testing.assert_allclose(m[:3, :3], RZ90 @ rx, atol=1e-12)


def test_child_from_parent_is_inverted():
    fwd = compose_trs(translation=[1, 2, 3], quaternion=[0, 0, S, S], scale=2)
    inv = compose_trs(translation=[1, 2, 3], quaternion=[0, 0, S, S], scale=2, relation=2)
    np.testing.assert_allclose(inv @ fwd, np.eye(4), atol=1e-12)


# ---- decoding rows -------------------------------------------------------------------------

def test_stored_mat3x3_is_column_major():
    store = Store()
    rows = [[1, 2, 3], [4, 5, 6], [7, 8, 10]]
    store.add_chunk(chunk("/a", [(0, {"Transform3D:mat3x3": [col_major(rows)]})]))
    np.testing.assert_allclose(transform_from_cells(cells_at(store, "/a"))[:3, :3], rows, atol=1e-6)


def test_a_new_transform_row_replaces_the_whole_previous_transform():
    store = Store()
    store.add_chunk(chunk("/a", [
        (0, {"Transform3D:translation": [[1, 2, 3]], "Transform3D:scale": [[2, 2, 2]]}),
        (5, {"Transform3D:quaternion": [[0, 0, S, S]]}),
    ]))
    at0 = transform_from_cells(cells_at(store, "/a", 0))
    np.testing.assert_allclose(at0, np.diag([2, 2, 2, 1.0]) + np.pad([[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3]],
                                                                        ((0, 1), (0, 0))), atol=1e-12)
    at5 = transform_from_cells(cells_at(store, "/a", 5))   # only the rotation: no translation, no scale
    expected = np.eye(4)
    expected[:3, :3] = RZ90
    np.testing.assert_allclose(at5, expected, atol=1e-6)


def test_cleared_fields_and_axis_angle_struct_decode():
    store = Store()
    store.add_chunk(chunk("/a", [(0, {
        "Transform3D:translation": [[0, 0, 1]], "Transform3D:quaternion": [], "Transform3D:scale": [],
        "Transform3D:rotation_axis_angle": [{"axis": [0, 0, 1], "angle": math.pi / 2}],
        "Transform3D:relation": [1]})]))
    m = transform_from_cells(cells_at(store, "/a"))
    np.testing.assert_allclose(m[:3, :3], RZ90, atol=1e-6)
    np.testing.assert_allclose(m[:3, 3], [0, 0, 1])


# ---- the entity tree -----------------------------------------------------------------------

def robot_store() -> Store:
    """base (static, translated) / link1 (rotating over time) / link2 (fixed offset)."""
    store = Store()
    store.add_chunk(chunk("/world/base", [(None, {"Transform3D:translation": [[10, 0, 0]]})]))
    store.add_chunk(chunk("/world/base/link1", [
        (t, {"Transform3D:rotation_axis_angle": [{"axis": [0, 0, 1], "angle": t * math.pi / 2}]}) for t in range(4)]))
    store.add_chunk(chunk("/world/base/link1/link2", [(None, {"Transform3D:translation": [[1, 0, 0]]})]))
    store.add_chunk(chunk("/world/base/link1/link2/tip", [(0, {"Points3D:positions": [[0, 0, 0]]})]))
    return store


def resolve(tree: TransformTree, store: Store, t: int):
    q = store.query(None, "frame", t)
    return tree.resolve(q.paths, q.for_entity)


def test_tree_composes_parent_transforms_in_order():
    store = robot_store()
    tree = TransformTree()
    for t, tip in [(0, [11, 0, 0]), (1, [10, 1, 0]), (2, [9, 0, 0]), (3, [10, -1, 0])]:
        spaces = resolve(tree, store, t)
        w = spaces["/world/base/link1/link2/tip"].world_from_entity
        np.testing.assert_allclose(transform_points(w, [[0, 0, 0]])[0], tip, atol=1e-6)
        assert spaces["/world"].world_from_entity is not None and not spaces["/world"].is_transformed


def test_tree_recomputes_only_what_changed():
    store = robot_store()
    tree = TransformTree()
    resolve(tree, store, 0)
    first = tree.recomputed
    resolve(tree, store, 0)
    assert tree.recomputed == first            # same rows: all cached
    resolve(tree, store, 1)                    # link1 changed: link1, link2, tip recomputed
    assert tree.recomputed == first + 3


def test_bad_transform_is_reported_and_identity():
    store = Store()
    store.add_chunk(chunk("/a", [(0, {"Transform3D:quaternion": [[0, 0, 0, 0]]})]))
    store.add_chunk(chunk("/a/b", [(0, {"Transform3D:translation": [[1, 0, 0]]})]))
    spaces = resolve(TransformTree(), store, 0)
    assert "quaternion" in spaces["/a"].problems[0]
    np.testing.assert_allclose(spaces["/a/b"].world_from_entity[:3, 3], [1, 0, 0])


# ---- view coordinates ----------------------------------------------------------------------

def test_view_coordinates_codes_and_up():
    assert parse_view_coordinates(np.array([[3, 5, 1]], np.uint8)) == (3, 5, 1)       # RIGHT_HAND_Z_UP = RFU
    np.testing.assert_array_equal(up_vector(parse_view_coordinates("RFU")), [0, 0, 1])
    np.testing.assert_array_equal(up_vector(parse_view_coordinates("RDF")), [0, -1, 0])
    assert parse_view_coordinates([[3, 3, 1]]) is None       # right twice: not a basis
    assert parse_view_coordinates([]) is None
    store = Store()
    store.add_chunk(chunk("/world", [(None, {"ViewCoordinates:xyz": [[3, 1, 6]]})]))   # RUB: y up
    q = store.query(None, "frame", 0)
    where, up = view_up(q.for_entity, "/", q.paths)
    assert where == "/world"
    np.testing.assert_array_equal(up, [0, 1, 0])


# ---- pinhole -------------------------------------------------------------------------------

K = np.array([[100.0, 0, 100], [0, 100, 50], [0, 0, 1]])


def camera_store(xyz=None, distance=None) -> Store:
    store = Store()
    pin = {"Pinhole:image_from_camera": [col_major(K)], "Pinhole:resolution": [[200, 100]]}
    if xyz is not None:
        pin["Pinhole:camera_xyz"] = [xyz]
    if distance is not None:
        pin["Pinhole:image_plane_distance"] = [distance]
    store.add_chunk(chunk("/world/cam", [(None, {"Transform3D:translation": [[0, 0, 5]], **pin})]))
    store.add_chunk(chunk("/world/cam/kp", [(0, {"Points2D:positions": [[100, 50]]})]))
    return store


def test_pinhole_decodes_column_major_intrinsics():
    cam = pinhole_from_cells(cells_at(camera_store(), "/world/cam"))
    np.testing.assert_allclose(cam.image_from_camera, K)
    assert cam.size == (200, 100) and cam.camera_xyz == (3, 2, 5) and cam.image_plane_distance is None


def test_pixels_land_on_the_image_plane_in_rdf():
    spaces = resolve(TransformTree(), camera_store(distance=2.0), 0)
    sp = spaces["/world/cam/kp"]
    assert sp.pinhole == "/world/cam" and sp.transform_for(3) is None
    m = sp.transform_for(2)
    # principal point -> straight ahead (+z in RDF) at the distance; pixel (200, 100) -> right/down
    np.testing.assert_allclose(transform_points(m, [[100, 50]])[0], [0, 0, 7], atol=1e-9)
    np.testing.assert_allclose(transform_points(m, [[200, 100]])[0], [2, 1, 7], atol=1e-9)


def test_camera_xyz_rub_looks_along_minus_z_with_y_up():
    spaces = resolve(TransformTree(), camera_store(xyz=[3, 1, 6]), 0)   # RUB
    m = spaces["/world/cam"].world_from_image
    np.testing.assert_allclose(transform_points(m, [[100, 50]])[0], [0, 0, 4], atol=1e-9)
    np.testing.assert_allclose(transform_points(m, [[100, 0]])[0], [0, 0.5, 4], atol=1e-9)   # top row is up


def test_projection_round_trips_with_the_image_plane():
    cam = PinholeCamera(K, (200, 100))
    pix = np.array([[0, 0], [200, 100], [37, 81]], np.float64)
    pts = transform_points(cam.entity_from_image(3.0), pix)
    np.testing.assert_allclose(cam.project(pts), pix, atol=1e-9)


def test_frustum_runs_from_the_center_to_the_image_corners():
    cam = PinholeCamera(K, (200, 100), image_plane_distance=1.0)
    segs = frustum_segments(cam)
    np.testing.assert_allclose(segs[:4, 0], 0)
    np.testing.assert_allclose(segs[:4, 1], [[-1, -0.5, 1], [1, -0.5, 1], [1, 0.5, 1], [-1, 0.5, 1]], atol=1e-12)
    assert np.allclose(segs[:, :, 2][4:], 1)   # the rectangle and the up triangle lie on the plane


def test_default_image_plane_distance_follows_the_scene_size():
    from annoview.spatial.pinhole import default_image_plane_distance
    assert default_image_plane_distance(None) == 0.3                       # nothing else in 3D
    assert default_image_plane_distance((np.zeros(3), np.array([0, 0, 20.0]))) == pytest.approx(0.8)
    assert default_image_plane_distance((np.zeros(3), np.array([1.0, 0, 0]))) == 0.1   # at least


def test_pinhole_without_resolution_uses_twice_the_principal_point():
    assert PinholeCamera(K, None).size == (200, 100)


def test_transform_below_a_pinhole_is_reported_not_applied():
    store = camera_store()
    store.add_chunk(chunk("/world/cam/kp", [(0, {"Transform3D:translation": [[1, 1, 1]]})]))
    sp = resolve(TransformTree(), store, 0)["/world/cam/kp"]
    assert any("not applied" in p for p in sp.problems)
    np.testing.assert_allclose(sp.world_from_image, resolve(TransformTree(), store, 0)["/world/cam"].world_from_image)


def test_rerun_sdk_files_decode_to_the_documented_matrices(tmp_path):
    """Transforms logged by rerun-sdk itself: mat3x3 given row by row, relation ChildFromParent,
    a scaled and rotated link, and a RUB pinhole give the matrices Rerun documents."""
    rerun = pytest.importorskip("rerun")
    from annoview.io import load_chunks
    path = tmp_path / "tf.rrd"
    rec = rerun.RecordingStream("spatial-test")
    rec.save(str(path))
    m = [[1, 2, 3], [4, 5, 6], [7, 8, 10]]
    rec.log("a", rerun.Transform3D(mat3x3=m, translation=[1, 0, 0]), static=True)
    rec.log("b", rerun.Transform3D(translation=[1, 2, 3], relation=rerun.TransformRelation.ChildFromParent),
            static=True)
    rec.log("c", rerun.Transform3D(translation=[0, 0, 1], rotation=rerun.RotationAxisAngle(axis=[0, 0, 1], degrees=90),
                                   scale=2), static=True)
    rec.log("cam", rerun.Pinhole(focal_length=100, width=200, height=100, camera_xyz=rerun.ViewCoordinates.RUB),
            static=True)
    rec.flush()
    rec.disconnect()
    store = Store()
    store.add_chunks(load_chunks(path))
    q = store.query(None, None, None)
    spaces = TransformTree().resolve(q.paths, q.for_entity)
    np.testing.assert_allclose(spaces["/a"].world_from_entity[:3, :3], m, atol=1e-6)
    np.testing.assert_allclose(spaces["/b"].world_from_entity[:3, 3], [-1, -2, -3], atol=1e-6)
    np.testing.assert_allclose(transform_points(spaces["/c"].world_from_entity, [[1, 0, 0]])[0], [0, 2, 1], atol=1e-6)
    cam = spaces["/cam"].camera
    np.testing.assert_allclose(cam.image_from_camera, [[100, 0, 100], [0, 100, 50], [0, 0, 1]])
    assert cam.camera_xyz == (3, 1, 6)
    # RUB: the image center is straight ahead along -z, the image's top edge is up (+y)
    np.testing.assert_allclose(transform_points(cam.entity_from_image(1.0), [[100, 50], [100, 0]]),
                               [[0, 0, -1], [0, 0.5, -1]], atol=1e-9)
