"""Packed pixel formats (Rerun's PixelFormat: YUV 4:2:0 / 4:2:2 / 4:4:4 / 4:0:0, Bayer) -> RGB u8
for display, on the CPU with numpy.

Conversion rules follow Rerun's viewer: NV12 and YUY2 use BT.601 coefficients, the fully planar
Y_U_V formats and Y8 use BT.709; "LimitedRange" (and NV12, YUY2) map Y from 16..235 and U/V from
16..240, "FullRange" uses 0..255; chroma is upsampled by repeating samples. Bayer mosaics are
demosaiced bilinearly (each missing color is the mean of the nearest sites that have it, at the
border of those that exist) and their values are read as linear light, as Rerun's viewer does.
"""
from __future__ import annotations

import numpy as np

_BT601 = (0.299, 0.114)
_BT709 = (0.2126, 0.0722)
_LIMITED = {20, 26, 27, 39, 41, 49}
# code -> (layout, coefficients)
_YUV: dict[int, tuple[str, tuple[float, float]]] = {
    20: ("planar420", _BT709), 44: ("planar420", _BT709), 49: ("planar422", _BT709), 50: ("planar422", _BT709),
    39: ("planar444", _BT709), 40: ("planar444", _BT709), 30: ("y400", _BT709), 41: ("y400", _BT709),
    26: ("nv12", _BT601), 27: ("yuy2", _BT601),
}
# Bayer code -> positions of R and B in the 2x2 cell ((row, col)); G fills the other two.
_BAYER: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {
    128: ((0, 0), (1, 1)), 129: ((1, 1), (0, 0)), 130: ((1, 0), (0, 1)), 131: ((0, 1), (1, 0)),
}


def is_known(pixel_format: int) -> bool:
    return int(pixel_format) in _YUV or int(pixel_format) in _BAYER


def to_rgb(buffer: np.ndarray, pixel_format: int, width: int, height: int) -> np.ndarray:
    """(H, W, 3) uint8 RGB; ValueError for a buffer too short for the format or an unknown code."""
    code = int(pixel_format)
    raw = np.asarray(buffer, np.uint8).reshape(-1)
    if code in _BAYER:
        return _bayer(raw, code, width, height)
    if code not in _YUV:
        raise ValueError(f"pixel format {code} is not one annoview can draw")
    layout, coefficients = _YUV[code]
    y, u, v = _planes(raw, layout, width, height)
    return _yuv_to_rgb(y, u, v, coefficients, code in _LIMITED)


def _take(raw: np.ndarray, start: int, count: int, what: str) -> np.ndarray:
    if start + count > raw.size:
        raise ValueError(f"pixel buffer of {raw.size} bytes too short for its {what} plane")
    return raw[start:start + count]


def _planes(raw: np.ndarray, layout: str, w: int, h: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Full-resolution Y, U, V planes ((H, W) each; U/V None for gray)."""
    n = w * h
    if layout == "yuy2":
        if w % 2:
            raise ValueError("YUY2 needs an even width")
        quads = _take(raw, 0, 2 * n, "YUYV").reshape(h, w // 2, 4)
        y = quads[:, :, [0, 2]].reshape(h, w)
        return y, np.repeat(quads[:, :, 1], 2, axis=1), np.repeat(quads[:, :, 3], 2, axis=1)
    y = _take(raw, 0, n, "Y").reshape(h, w)
    if layout == "y400":
        return y, None, None
    if layout == "planar444":
        return y, _take(raw, n, n, "U").reshape(h, w), _take(raw, 2 * n, n, "V").reshape(h, w)
    cw = (w + 1) // 2
    ch = (h + 1) // 2 if layout in ("planar420", "nv12") else h
    if layout == "nv12":
        uv = _take(raw, n, 2 * cw * ch, "UV").reshape(ch, cw, 2)
        u, v = uv[:, :, 0], uv[:, :, 1]
    else:
        u = _take(raw, n, cw * ch, "U").reshape(ch, cw)
        v = _take(raw, n + cw * ch, cw * ch, "V").reshape(ch, cw)
    rows = 2 if ch != h else 1
    return y, _upsample(u, rows, h, w), _upsample(v, rows, h, w)


def _upsample(plane: np.ndarray, rows: int, h: int, w: int) -> np.ndarray:
    return np.repeat(np.repeat(plane, rows, axis=0), 2, axis=1)[:h, :w]


def _yuv_to_rgb(y: np.ndarray, u: np.ndarray | None, v: np.ndarray | None, coefficients: tuple[float, float],
                limited: bool) -> np.ndarray:
    kr, kb = coefficients
    yf = y.astype(np.float32)
    if limited:
        yf = (yf - 16.0) * (255.0 / 219.0)
    if u is None or v is None:
        gray = np.clip(np.rint(yf), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    scale = 255.0 / 224.0 if limited else 1.0
    uf = (u.astype(np.float32) - 128.0) * scale
    vf = (v.astype(np.float32) - 128.0) * scale
    r = yf + 2.0 * (1.0 - kr) * vf
    b = yf + 2.0 * (1.0 - kb) * uf
    g = (yf - kr * r - kb * b) / (1.0 - kr - kb)
    return np.clip(np.rint(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)


_G_KERNEL = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]], np.float32)
_RB_KERNEL = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float32)


def _bayer(raw: np.ndarray, code: int, w: int, h: int) -> np.ndarray:
    if w % 2 or h % 2:
        raise ValueError("Bayer images need an even width and height")
    mosaic = _take(raw, 0, w * h, "Bayer").reshape(h, w).astype(np.float32)
    (ry, rx), (by, bx) = _BAYER[code]
    masks = np.zeros((3, h, w), np.float32)
    masks[0, ry::2, rx::2] = 1
    masks[2, by::2, bx::2] = 1
    masks[1] = 1 - masks[0] - masks[2]
    linear = np.stack([_normalized_conv(mosaic * m, m, k) for m, k in zip(masks, (_RB_KERNEL, _G_KERNEL, _RB_KERNEL))],
                      axis=-1)
    return _LINEAR_TO_SRGB[np.clip(np.rint(linear), 0, 255).astype(np.uint8)]


def _normalized_conv(values: np.ndarray, mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Weighted mean of the 3x3 neighbours that carry this color (a missing border counts as absent)."""
    h, w = values.shape
    pv, pm = np.pad(values, 1), np.pad(mask, 1)
    num = np.zeros((h, w), np.float32)
    den = np.zeros((h, w), np.float32)
    for dy in range(3):
        for dx in range(3):
            k = kernel[dy, dx]
            if k:
                num += k * pv[dy:dy + h, dx:dx + w]
                den += k * pm[dy:dy + h, dx:dx + w]
    return num / np.maximum(den, 1e-6)


def _linear_to_srgb_table() -> np.ndarray:
    x = np.arange(256, dtype=np.float64) / 255.0
    srgb = np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.rint(srgb * 255.0), 0, 255).astype(np.uint8)


_LINEAR_TO_SRGB = _linear_to_srgb_table()
