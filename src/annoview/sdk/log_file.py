"""`rr.log_file_from_path` / `rr.log_file_from_contents`: log a file by what it holds.

What annoview understands, recorded as Rerun's data loaders record it:
- images (PNG, JPEG, BMP, GIF, TIFF, WebP): at the entity `<prefix>/<file path>`, statically
  (Rerun logs loaded images statically whatever the time); as an `EncodedImage` blob when the
  SDK has one, else decoded (Pillow) into an `Image`;
- text (.txt, .md): a `TextDocument` at the same entity;
- recordings (.avr, .rrd): their chunks are added to this recording (Rerun opens an `.rrd` as a
  recording of its own; annoview's viewer shows one recording at a time, so they are merged).
Anything else, or a file that cannot be read or decoded, gets one clear warning (an exception
in strict mode) and logs nothing; the script carries on.
"""
from __future__ import annotations

import io
import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import numpy as np

from ..entity_path_parts import escape_entity_path_part
from ..errors import RecordingFormatError, ValidationError
from ..strict import report

if TYPE_CHECKING:
    from .recording import RecordingStream

IMAGE_MEDIA_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".bmp": "image/bmp", ".gif": "image/gif",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp",
}
TEXT_MEDIA_TYPES = {".txt": "text/plain", ".md": "text/markdown"}
MAX_FILE_BYTES = 1 << 31  # refuse to read files larger than this into memory


def _entity_path(file_path: str, prefix: str | None) -> str:
    """`<prefix>/<the file path's parts>`, each part escaped (Rerun's layout)."""
    pure = PureWindowsPath(file_path) if "\\" in file_path and "/" not in file_path else PurePosixPath(file_path)
    parts = [p for p in pure.parts if p not in ("/", "\\") and not p.endswith(":\\")]
    head = [] if prefix is None else [p for p in str(prefix).strip("/").split("/") if p]
    return "/" + "/".join(head + [escape_entity_path_part(p) for p in parts])


def log_file(stream: "RecordingStream", file_path: Any, contents: bytes | None, *, entity_path_prefix: str | None,
             static: bool) -> None:
    """Shared body of both calls; `contents` None means read the file."""
    try:
        path_str = os.fspath(file_path)
    except TypeError:
        report(ValidationError("log_file", "file_path", f"expected a path, got {type(file_path).__name__}"), "nothing logged")
        return
    ext = os.path.splitext(path_str)[1].lower()
    if ext in (".avr", ".rrd"):
        _log_recording(stream, path_str, contents, ext)
        return
    if contents is None:
        try:
            size = os.path.getsize(path_str)
            if size > MAX_FILE_BYTES:
                raise OSError(f"{size} bytes is more than the {MAX_FILE_BYTES} this call reads")
            contents = Path(path_str).read_bytes()
        except OSError as e:
            report(ValidationError("log_file_from_path", "file_path", f"cannot read {path_str!r}: {e}"), "nothing logged")
            return
    elif not isinstance(contents, (bytes, bytearray, memoryview)):
        report(ValidationError("log_file_from_contents", "file_contents",
                               f"expected bytes, got {type(contents).__name__}"), "nothing logged")
        return
    entity = _entity_path(path_str, entity_path_prefix)
    if ext in IMAGE_MEDIA_TYPES:
        _log_image(stream, entity, bytes(contents), IMAGE_MEDIA_TYPES[ext], path_str)
    elif ext in TEXT_MEDIA_TYPES:
        _log_text(stream, entity, bytes(contents), TEXT_MEDIA_TYPES[ext], path_str)
    else:
        report(ValidationError("log_file", "file_path", f"{path_str!r}: annoview loads images "
                               f"({', '.join(sorted(IMAGE_MEDIA_TYPES))}), text (.txt, .md) and recordings "
                               "(.avr, .rrd), not this kind of file"), "nothing logged")


def _sdk_archetype(name: str) -> Any | None:
    """annoview's archetype class `name`, or None when the SDK only has a stand-in for it."""
    import annoview
    from ..types.archetypes import Archetype

    cls = getattr(annoview, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, Archetype) else None


def _log_image(stream: "RecordingStream", entity: str, data: bytes, media_type: str, source: str) -> None:
    encoded = _sdk_archetype("EncodedImage")
    if encoded is not None:
        stream.log(entity, encoded(contents=data, media_type=media_type), static=True)
        return
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode not in ("L", "RGB", "RGBA"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            pixels = np.asarray(img)
    except Exception as e:  # Pillow raises many kinds of errors on bad data
        report(ValidationError("log_file", "file_contents", f"{source!r} is not a readable image: {e}"), "nothing logged")
        return
    from ..types import Image

    stream.log(entity, Image(pixels), static=True)


def _log_text(stream: "RecordingStream", entity: str, data: bytes, media_type: str, source: str) -> None:
    doc = _sdk_archetype("TextDocument")
    if doc is None:
        from ..notices import notice_once

        notice_once("log_file-text", f"log_file: text files such as {source!r} are not recorded yet (no TextDocument)")
        return
    stream.log(entity, doc(data.decode("utf-8", errors="replace"), media_type=media_type), static=True)


def _read_recording(path: str, ext: str) -> list[Any]:
    from ..io.avr import read_avr
    from ..io.rrd import read_rrd

    return list(read_avr(path) if ext == ".avr" else read_rrd(path))


def _log_recording(stream: "RecordingStream", source: str, contents: Any, ext: str) -> None:
    """Read the recording (from disk, or from `contents` through a temporary file, since the
    readers work on files) and add its chunks to this recording."""
    import tempfile

    try:
        if contents is None:
            chunks = _read_recording(source, ext)
        else:
            with tempfile.TemporaryDirectory(prefix="annoview-log-file-") as tmp:
                path = os.path.join(tmp, "recording" + ext)
                Path(path).write_bytes(bytes(contents))
                chunks = _read_recording(path, ext)
    except (RecordingFormatError, OSError, TypeError) as e:
        report(ValidationError("log_file", "file_contents", f"{source!r} is not a readable recording: {e}"),
               "nothing logged")
        return
    stream.send_chunks(chunks)
