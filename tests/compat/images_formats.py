"""A Rerun user's camera script: OpenCV-style BGR frames, a float depth map in meters, NV12
frames from a video decoder, raw bytes with an explicit layout, PNG/JPEG files and in-memory
JPEG compression."""
import io
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

import annoview as rr

rr.init("compat_images")
rr.save(sys.argv[1])
png_path = Path(tempfile.mkdtemp()) / "logo.png"
PILImage.new("RGBA", (16, 8), (255, 128, 0, 200)).save(png_path)
rr.log("camera/logo", rr.EncodedImage(path=png_path, draw_order=10), static=True)
for frame in range(5):
    rr.set_time("frame", sequence=frame)
    bgr = np.zeros((24, 32, 3), np.uint8)
    bgr[:, :, 0] = 255  # blue in OpenCV's channel order
    bgr[:, frame * 4:frame * 4 + 4, 2] = 255
    rr.log("camera/bgr", rr.Image(bgr, color_model="BGR"))
    depth = np.linspace(0.5, 12.0, 24 * 32, dtype=np.float32).reshape(24, 32) + frame
    rr.log("camera/depth_as_image", rr.Image(depth, opacity=0.5))
    nv12 = np.full(32 * 24 * 3 // 2, 128, np.uint8)
    nv12[: 32 * 24] = np.linspace(16, 235, 32 * 24).astype(np.uint8)
    rr.log("camera/nv12", rr.Image(bytes=nv12.tobytes(), width=32, height=24, pixel_format=rr.PixelFormat.NV12))
    raw = (np.arange(24 * 32, dtype=np.uint16) * 80).tobytes()
    rr.log("camera/raw16", rr.Image(bytes=raw, width=32, height=24, color_model=rr.ColorModel.L,
                                    datatype=rr.ChannelDatatype.U16))
    rr.log("camera/jpeg", rr.Image(bgr[:, :, ::-1]).compress(jpeg_quality=80))
    buf = io.BytesIO()
    PILImage.fromarray(bgr[:, :, ::-1]).save(buf, format="PNG")
    rr.log("camera/png_bytes", rr.EncodedImage(contents=buf.getvalue(), media_type="image/png"))
