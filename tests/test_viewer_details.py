"""Viewer details a new user notices: natural order in the entity tree, the logged mask opacity
shown in the legend."""
from __future__ import annotations

import numpy as np
import pytest

import annoview as rr
from annoview.app.viewer.entity_model import EntityModel
from annoview.app.viewer.panels.legend import logged_opacity
from annoview.io import load_chunks
from annoview.scene import SceneBuilder
from annoview.store import Store


def _store(path, log) -> Store:
    rr.init("viewer-details")
    rr.save(path)
    log()
    rr.disconnect()
    store = Store()
    store.add_chunks(load_chunks(str(path)))
    return store


def test_entity_tree_sorts_naturally(tmp_path):
    def log():
        for name in ("n30", "n5", "n1", "n29", "10", "2"):
            rr.log(f"nodes/{name}", rr.Points2D([[0, 0]]), static=True)

    model = EntityModel()
    model.sync(_store(tmp_path / "n.avr", log))
    model.set_expanded("/nodes", True)
    names = [r.node.path for r in model.rows() if r.node.path.startswith("/nodes/")]
    assert names == ["/nodes/2", "/nodes/10", "/nodes/n1", "/nodes/n5", "/nodes/n29", "/nodes/n30"]


def test_legend_shows_the_logged_mask_opacity(tmp_path):
    ids = np.zeros((4, 4), np.uint8)

    def log():
        rr.log("a", rr.SegmentationImage(ids, opacity=0.8), static=True)
        rr.log("b", rr.SegmentationImage(ids), static=True)

    scene = SceneBuilder(_store(tmp_path / "s.avr", log)).build(None, None)
    assert logged_opacity(scene, "/a") == pytest.approx(0.8)
    assert logged_opacity(scene, "/b") is None


def test_a_busy_live_port_is_printed_to_the_terminal_too(capsys):
    import socket

    from annoview.app.viewer.notifications import Notifications
    from annoview.app.viewer.streams import StreamHub

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        notes = Notifications()
        hub = StreamHub("127.0.0.1", port, notes)
        try:
            assert hub.server is None
        finally:
            hub.close()
    err = capsys.readouterr().err
    assert err.startswith(f"annoview: warning: Not listening for live recordings on 127.0.0.1:{port}")
    assert err.count("\n") == 1 and "--port" in err     # says how to get past it
    assert any(str(port) in n.text for n in notes.log())
