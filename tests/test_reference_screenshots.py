"""Reference screenshots: the four demos (headless `annoview screenshot`) and the viewer UI
(`annoview demo NAME --screenshot-to` under the test display) compared with PNGs kept in
tests/reference/.

The comparison tolerates llvmpipe's small differences (each channel within TOLERANCE on at
least MIN_MATCH of the pixels). On failure the new image and a diff image (differing pixels in
red over a darkened copy) are written under test-output/reference/. Regenerate the references
after an intended change with `pytest --regen-reference tests/test_reference_screenshots.py`
(or ANNOVIEW_REGEN_REFERENCE=1), then look at every PNG before committing it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annoview.app.demo_command import DEMOS, demo_path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "reference"
OUTPUT = ROOT / "test-output" / "reference"
SIZE = (640, 400)
TOLERANCE = 3          # per channel, 0..255
MIN_MATCH = 0.995      # share of pixels within the tolerance

# demo -> (timeline=value, space): a frame where each demo shows its point
DEMO_SHOTS = {name: ("frame=30", None) for name in DEMOS}


def regenerate(config: pytest.Config) -> bool:
    return bool(config.getoption("--regen-reference", default=False)) or \
        os.environ.get("ANNOVIEW_REGEN_REFERENCE") == "1"


def compare(name: str, new_png: Path, config: pytest.Config) -> None:
    """Compare new_png with tests/reference/NAME.png, or replace the reference when regenerating."""
    ref_png = REFERENCE / f"{name}.png"
    if regenerate(config):
        REFERENCE.mkdir(exist_ok=True)
        shutil.copyfile(new_png, ref_png)
        return
    assert ref_png.is_file(), f"{ref_png} missing: run pytest --regen-reference {__file__}"
    new = np.asarray(Image.open(new_png).convert("RGB"), np.int16)
    ref = np.asarray(Image.open(ref_png).convert("RGB"), np.int16)
    match, diff = match_share(new, ref)
    if match >= MIN_MATCH:
        return
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(new_png, OUTPUT / f"{name}.new.png")
    if diff is not None:
        Image.fromarray(diff).save(OUTPUT / f"{name}.diff.png")
    pytest.fail(f"{name}: {match:.2%} of pixels match {ref_png.name} (need {MIN_MATCH:.1%}); "
                f"new image and diff in {OUTPUT}")


def match_share(new: np.ndarray, ref: np.ndarray) -> tuple[float, np.ndarray | None]:
    """(share of pixels within TOLERANCE on every channel, diff image); 0 when sizes differ."""
    if new.shape != ref.shape:
        return 0.0, None
    bad = (np.abs(new - ref) > TOLERANCE).any(axis=-1)
    diff = (ref // 3).astype(np.uint8)
    diff[bad] = (255, 0, 0)
    return 1.0 - float(bad.mean()), diff


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annoview.app.cli", *args], capture_output=True, text=True,
                          timeout=240, cwd=ROOT)


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_screenshot_matches_reference(name, tmp_path, pytestconfig):
    if not demo_path(name).is_file():
        pytest.skip(f"assets/{name}.avr not in this checkout")
    time_arg, space = DEMO_SHOTS[name]
    out = tmp_path / f"{name}.png"
    args = ["screenshot", str(demo_path(name)), "--out", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}",
            "--time", time_arg]
    if space:
        args += ["--space", space]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    compare(f"demo_{name}", out, pytestconfig)


def test_viewer_ui_matches_reference(tmp_path, pytestconfig):
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display (run the suite under xvfb-run)")
    out = tmp_path / "viewer_pose.png"
    proc = run_cli("demo", "pose", "--screenshot-to", str(out), "--window-size", f"{SIZE[0]}x{SIZE[1]}",
                   "--time", "frame=30", "--no-listen")
    assert proc.returncode == 0, proc.stderr
    compare("viewer_pose", out, pytestconfig)


def test_the_comparison_catches_a_change_and_tolerates_noise():
    rng = np.random.default_rng(0)
    ref = rng.integers(0, 256, (40, 50, 3)).astype(np.int16)
    noisy = np.clip(ref + rng.integers(-3, 4, ref.shape), 0, 255)
    assert match_share(noisy, ref)[0] == 1.0
    changed = ref.copy()
    changed[:5, :10] = 255 - changed[:5, :10]
    share, diff = match_share(changed, ref)
    assert share < MIN_MATCH and (diff[:5, :10] == (255, 0, 0)).all(axis=-1).mean() > 0.9
    assert match_share(ref[:-1], ref)[0] == 0.0
