"""The viewer's inspector shows the raw values of components annoview records but does not draw
(Transform3D, Pinhole, TextLog, ...), for the selected entity at the time cursor."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                reason="viewer tests need an X display: run `xvfb-run -a python3 -m pytest`")
SCRIPT = Path(__file__).parent / "compat_types" / "spatial_extras.py"


def test_inspector_shows_recorded_components_of_the_selected_entity(tmp_path):
    from annoview.app.viewer.app import App

    path = tmp_path / "spatial.avr"
    proc = subprocess.run([sys.executable, "-W", "ignore", str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    app = App(size=(1000, 640), vsync=False)
    try:
        rec = app.open(str(path), wait=True)
        for _ in range(3):
            app.frame()
        before = app.frame(capture=True)
        app.select_entity(rec, "/world/b")
        for _ in range(3):
            app.frame()
        after = app.frame(capture=True)
        assert app.ctx.error == "GL_NO_ERROR"
        # the inspector (right column) gained the "Recorded components (raw)" table: more text pixels there
        right = slice(int(after.shape[1] * 0.7), None)
        assert np.abs(after[:, right].astype(int) - before[:, right].astype(int)).sum() > 0
        from annoview.app.viewer.panels.inspector import recorded_component_rows

        rows = dict(recorded_component_rows(rec.store, "/world/b", rec.time.timeline, rec.time.time))
        assert rows["Transform3D:translation"] == "[1, 2, 3]"
        from PIL import Image

        out = Path(__file__).resolve().parent.parent / "test-output"
        out.mkdir(exist_ok=True)
        Image.fromarray(np.ascontiguousarray(after)).save(out / "inspector_recorded_components.png")
    finally:
        app.release()
