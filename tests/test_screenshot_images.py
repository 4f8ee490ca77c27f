"""End to end for images beyond u8 RGB: a float image of any range (Rerun's value range), a BGR
image and a PNG EncodedImage, logged, saved, rendered by `annoview screenshot`, pixels checked.

The three images are stacked with draw orders so one screenshot shows a row of each:
row 0 = the PNG (1 row high, on top), row 1 = the BGR image (2 rows), row 2 = the float image.
"""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

import annoview as rr

OUT = Path(__file__).resolve().parent.parent / "test-output"
FLOATS = np.array([-1.0, 0.0, 49.5, 100.0], np.float32)        # range -1..100 (Rerun: min..max)
BGR = np.array([(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30)], np.uint8)
PNG_RGB = np.array([(255, 255, 0), (0, 255, 255), (255, 0, 255), (40, 80, 120)], np.uint8)


def write_images(path: Path) -> None:
    rr.init("screenshot-images")
    rr.save(path)
    rr.log("float", rr.Image(np.tile(FLOATS, (3, 1))), static=True)
    rr.log("bgr", rr.Image(np.tile(BGR[None], (2, 1, 1)), color_model="BGR", draw_order=-5), static=True)
    png = io.BytesIO()
    PILImage.fromarray(PNG_RGB[None]).save(png, format="PNG")
    rr.log("png", rr.EncodedImage(contents=png.getvalue(), media_type="image/png", draw_order=0), static=True)
    rr.disconnect()


def screenshot_rgb(rec, out, size: str, rect: str) -> np.ndarray:
    """`annoview screenshot` of a recording's 2D rect, read back as (H, W, 3) ints."""
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(out),
                           "--size", size, "--rect", rect], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return np.asarray(PILImage.open(out).convert("RGB")).astype(int)


def test_float_bgr_and_png_images_render_as_rerun_shows_them(tmp_path):
    rec, out = tmp_path / "images.avr", tmp_path / "images.png"
    write_images(rec)
    img = screenshot_rgb(rec, out, "400x300", "0,0,4,3")
    gray = np.round((FLOATS + 1.0) / 101.0 * 255.0)  # normalized value shown as an sRGB gray
    expected = {0: PNG_RGB.astype(int), 1: BGR[:, ::-1].astype(int), 2: np.repeat(gray[:, None], 3, 1).astype(int)}
    bad = []
    for row, colors in expected.items():
        for col, want in enumerate(colors):
            got = img[50 + 100 * row, 50 + 100 * col]
            if np.abs(got - want).max() > 2:  # sRGB decode/encode in 8 bits rounds by up to 1-2
                bad.append(f"row {row} col {col}: {got.tolist()} != {want.tolist()}")
    if bad:
        OUT.mkdir(exist_ok=True)
        PILImage.fromarray(img.astype(np.uint8)).save(OUT / "screenshot_images.png")
    assert not bad, "; ".join(bad) + " (PNG in test-output/)"


def write_formats(path: Path) -> None:
    """Rows 0-1: a Bayer RGGB mosaic; row 2: an RGB float image outside [0, 1]; row 3: u16."""
    rr.init("screenshot-formats")
    rr.save(path)
    rr.log("u16", rr.Image(np.array([[0, 1000, 3000, 5000]] * 4, np.uint16)), static=True)
    rgb = np.zeros((3, 4, 3), np.float32)
    rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2] = [-1, 0, 1, 2], 0.5, [2, 1, 0, -1]
    rr.log("rgbf", rr.Image(rgb, draw_order=1), static=True)
    bayer = np.array([[200, 100, 200, 30], [50, 10, 50, 250]], np.uint8)
    rr.log("bayer", rr.Image(bytes=bayer.tobytes(), width=4, height=2, pixel_format=rr.PixelFormat.BayerRGGB8,
                             draw_order=3), static=True)
    rr.disconnect()


# What the Rerun 0.41 viewer shows for write_formats' scene (pixel centers, measured with it).
RERUN_SHOWS = [
    [(229, 147, 56), (229, 168, 56), (229, 133, 189), (229, 96, 253)],
    [(229, 122, 56), (229, 140, 56), (229, 122, 189), (229, 110, 253)],
    [(0, 187, 255), (156, 187, 213), (213, 187, 156), (255, 187, 0)],   # min..max, read as linear light
    [(0, 0, 0), (51, 51, 51), (153, 153, 153), (255, 255, 255)],        # u16: 0..5000
]


def test_u16_float_rgb_and_bayer_match_rerun(tmp_path):
    rec, out = tmp_path / "formats.avr", tmp_path / "formats.png"
    write_formats(rec)
    img = screenshot_rgb(rec, out, "400x400", "0,0,4,4")
    bad = [f"row {r} col {c}: {img[50 + 100 * r, 50 + 100 * c].tolist()} != {want}"
           for r, row in enumerate(RERUN_SHOWS) for c, want in enumerate(row)
           if np.abs(img[50 + 100 * r, 50 + 100 * c] - want).max() > 2]
    if bad:
        OUT.mkdir(exist_ok=True)
        PILImage.fromarray(img.astype(np.uint8)).save(OUT / "screenshot_formats.png")
    assert not bad, "; ".join(bad) + " (PNG in test-output/)"


def test_linear_magnification_filter_interpolates(tmp_path):
    rec, out = tmp_path / "filter.avr", tmp_path / "filter.png"
    rr.init("screenshot-filter")
    rr.save(rec)
    ramp = np.array([[0, 255], [0, 255]], np.uint8)  # 2 rows: (1, W, 3) would read as a gray (W, 3) image
    rr.log("nearest", rr.Image(ramp), static=True)
    rr.log("smooth", rr.Image(np.repeat(ramp[:, :, None], 3, axis=2), magnification_filter="Linear"), static=True)
    rr.disconnect()
    proc = subprocess.run([sys.executable, "-m", "annoview.app.cli", "screenshot", str(rec), "--out", str(out),
                           "--size", "200x200", "--rect", "0,0,2,2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    img = np.asarray(PILImage.open(out).convert("RGB")).astype(int)
    smooth = img[100, :, 0]  # "smooth" is drawn over "nearest" (same draw order, later path)
    assert smooth[10] < 10 and smooth[190] > 245  # the ends are the pixels' own values
    assert 20 < smooth[90] < smooth[100] < smooth[110] < 235  # in between: a smooth ramp, not a step
