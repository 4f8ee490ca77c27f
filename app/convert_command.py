"""`annoview convert IN OUT`: Rerun `.rrd` <-> annoview `.avr` (either direction, or same format).

The format of each side comes from its extension. Chunks stream from reader to writer, so a big
recording is never held in memory whole; the output is written next to its final name and
renamed at the end, so a failed conversion leaves no half-written file. The application and
recording ids carry over unless overridden.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from annoview.chunk import Chunk
from annoview.errors import AnnoviewError, RecordingFormatError

FORMATS = (".avr", ".rrd")


class ConvertError(AnnoviewError):
    """A conversion the user asked for cannot be done (bad paths or formats)."""


class TextProgress:
    """A one-line text progress bar on a stream (stderr), redrawn at most 10 times a second.

    With a known total it shows a bar and a percentage; without one (a .rrd file with no footer)
    just the count so far.
    """

    WIDTH = 30

    def __init__(self, label: str, total: int | None, unit: str, stream: TextIO, enabled: bool) -> None:
        self.label, self.total, self.unit, self.stream, self.enabled = label, total, unit, stream, enabled
        self.done = 0
        self._last = 0.0
        self._width = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            frac = min(1.0, self.done / self.total)
            filled = int(frac * self.WIDTH)
            text = (f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {frac * 100:3.0f}% "
                    f"{self.done}/{self.total} {self.unit}")
        else:
            text = f"\r{self.label} {self.done} {self.unit}"
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write(text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line (when enabled)."""
        if self.enabled:
            if self.total is not None:
                self.total = max(self.total, self.done)
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def _format_of(path: str, role: str) -> str:
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ConvertError(f"{path}: unknown {role} format {ext or '(no extension)'!r}; use .avr or .rrd")
    return ext


def _source_ids(path: str, fmt: str) -> tuple[str, str | None]:
    """(application_id, recording_id) of the input; the recording id may be unknown (None)."""
    if fmt == ".rrd":
        from annoview.io.rrd import rrd_recording_info

        return rrd_recording_info(path)
    from annoview.io.avr import read_avr_header

    try:
        header = read_avr_header(path)
    except RecordingFormatError:
        return "unknown", None  # a damaged header: read_avr recovers what it can and warns
    return header.application_id, header.recording_id


def _source_chunks(path: str, fmt: str, progress: TextProgress) -> Iterator[Chunk]:
    """The input's chunks; advances `progress` by one per input chunk (Rerun or .avr frame)."""
    if fmt == ".rrd":
        from annoview.io.rrd import read_rrd, rrd_chunk_count

        chunks = read_rrd(path, on_chunk=lambda _nbytes: progress.advance())
        progress.total = rrd_chunk_count(path)
        return chunks
    from annoview.io.avr import open_index, read_avr

    index = open_index(path)
    progress.total = len(index.entries) if index.from_footer else None
    return _counting(read_avr(path), progress.advance)


def _counting(chunks: Iterator[Chunk], tick: Callable[[], None]) -> Iterator[Chunk]:
    for chunk in chunks:
        yield chunk
        tick()


def _write_avr(chunks: Iterator[Chunk], out: str, application_id: str, recording_id: str | None) -> int:
    from annoview.io.atomic import publish, temp_beside
    from annoview.io.avr import AvrWriter

    target = Path(out)
    tmp = temp_beside(target)
    count = 0
    try:
        with AvrWriter(tmp, application_id, recording_id) as writer:
            for chunk in chunks:
                writer.write_chunk(chunk)
                count += 1
        publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return count


def convert(src: str, dst: str, *, application_id: str | None = None, recording_id: str | None = None,
            progress: bool | None = None, stderr: TextIO | None = None) -> tuple[int, int]:
    """Convert one recording file; returns (chunks written, rows written).

    progress: True/False forces the stderr bar on/off; None shows it when stderr is a terminal.
    """
    err = sys.stderr if stderr is None else stderr
    src_fmt, dst_fmt = _format_of(src, "input"), _format_of(dst, "output")
    if not os.path.exists(src):
        raise ConvertError(f"{src}: no such file")
    if os.path.isdir(src):
        raise ConvertError(f"{src}: is a directory, not a recording")
    if os.path.exists(dst) and os.path.samefile(src, dst):
        raise ConvertError(f"{dst}: output is the input file")
    if not Path(dst).resolve().parent.is_dir():
        raise ConvertError(f"{dst}: the output folder does not exist")
    if dst_fmt == ".rrd" or src_fmt == ".rrd":
        from annoview.io.rrd import READ_EXTRA_MESSAGE, WRITE_EXTRA_MESSAGE, _extra_installed

        if not _extra_installed():  # before anything is opened or written
            raise ConvertError(READ_EXTRA_MESSAGE if src_fmt == ".rrd" else WRITE_EXTRA_MESSAGE)
    enabled = err.isatty() if progress is None else progress
    bar = TextProgress(f"converting {Path(src).name}", None, "chunks", err, enabled)
    rows = [0]

    def counted(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            rows[0] += chunk.num_rows
            yield chunk

    # The reader first: for a .rrd file it already knows the ids (one rerun-sdk worker, not two).
    chunks = counted(_source_chunks(src, src_fmt, bar))
    try:
        src_app, src_rec = _source_ids(src, src_fmt)
        app_id = application_id or src_app
        rec_id = recording_id or src_rec
        if dst_fmt == ".avr":
            written = _write_avr(chunks, dst, app_id, rec_id)
        else:
            from annoview.io.rrd import write_rrd

            written = write_rrd(chunks, dst, app_id, rec_id or _new_recording_id())
    finally:
        chunks.close()  # the input file (or .rrd reader process) even when writing failed
        bar.close()
    return written, rows[0]


def _new_recording_id() -> str:
    import uuid

    return str(uuid.uuid4())


def _run(args: argparse.Namespace) -> int:
    chunks, rows = convert(args.input, args.output, application_id=args.application_id,
                           recording_id=args.recording_id, progress=args.progress)
    print(f"converted {args.input} -> {args.output}: {chunks} chunks, {rows} rows")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "convert", help="convert between Rerun .rrd and annoview .avr recordings",
        description="Convert a recording: IN.rrd -> OUT.avr or IN.avr -> OUT.rrd (format from the extension). "
                    "Reading or writing .rrd needs the optional extra: pip install 'annoview[rerun]'.")
    p.add_argument("input", metavar="IN", help="recording to read (.rrd or .avr)")
    p.add_argument("output", metavar="OUT", help="file to write (.avr or .rrd); replaced if it exists")
    p.add_argument("--application-id", default=None, help="application id of the output (default: the input's)")
    p.add_argument("--recording-id", default=None, help="recording id of the output (default: the input's)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal)")
    p.set_defaults(func=_run)
