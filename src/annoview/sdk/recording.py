"""RecordingStream: the object behind `rr.init`/`rr.log`, one per recording.

A log call validates its archetypes, stamps the thread's time context plus `log_time`, and hands
one row to the batcher; chunks flow to the current sink (a buffer until `save`/`connect`).
"""
from __future__ import annotations

import atexit
import threading
import time
import uuid
import warnings
import weakref
from typing import Any

from .. import paths
from ..chunk import Chunk
from ..errors import ValidationError
from ..strict import report, set_strict_mode, strictness
from ..types.annotation import as_context
from ..types.archetypes import Archetype
from ..unsupported import UnsupportedArchetype, warn_not_drawn, warn_once
from ..utf8 import encodable
from . import current
from .batcher import Batcher
from .byte_sinks import MemoryRecording
from .columns import columns_chunk, loose_batches
from .losses import LateRows, warn_unsaved_after_disconnect
from .sinks import BufferSink, FileSink, Sink
from .stream_api import RerunStreamAPI
from .time import TimeContext, to_index_value



class _RowCounter:
    """The low half of row ids: increasing across threads; `take(n)` reserves n in a row (a
    send_columns call), so ids minted in the same nanosecond never repeat."""

    def __init__(self) -> None:
        self._next = 1
        self._lock = threading.Lock()

    def take(self, n: int = 1) -> int:
        with self._lock:
            first = self._next
            self._next += n
        return first


_row_counter = _RowCounter()
_START_NS = time.time_ns()
_START_MONO = time.monotonic_ns()
_live_streams: "weakref.WeakSet[RecordingStream]" = weakref.WeakSet()


def _tuid_hi() -> int:
    """Monotonic nanoseconds since the epoch: row ids sort in log order within a process."""
    return _START_NS + (time.monotonic_ns() - _START_MONO)


class RecordingStream(RerunStreamAPI):
    """One recording: its id, time context, batcher and sink (Rerun's other methods: stream_api.py)."""

    def __init__(self, application_id: str, *, recording_id: Any = None, make_default: bool = False,
                 make_thread_default: bool = False, default_enabled: bool = True, send_properties: bool = True,
                 batcher_config: Any = None, strict: bool | None = None, spawn: bool = False,
                 **_ignored: Any) -> None:
        if not isinstance(application_id, str) or not application_id:
            raise ValidationError("init", "application_id", "expected a non-empty string")
        self.application_id = encodable(application_id, "init", "application_id")
        self.recording_id = (encodable(str(recording_id), "init", "recording_id") if recording_id is not None
                             else str(uuid.uuid4()))
        self.enabled = default_enabled
        if strict is not None:
            set_strict_mode(strict)
        self._time = TimeContext()
        self._sink: Sink = BufferSink()
        self._sink_lock = threading.Lock()
        self._batcher = Batcher(self._emit)
        self._closed = False
        self.log_time_enabled = True
        self._late = LateRows(self.recording_id)
        self._disconnected = False  # the current BufferSink follows rr.disconnect()
        _live_streams.add(self)
        if make_default:
            current.set_global_data_recording(self)
        if make_thread_default:
            current.set_thread_local_data_recording(self)
        if spawn:
            self.spawn()

    # -- sinks -------------------------------------------------------------------------------
    def _emit(self, chunk: Chunk) -> None:
        with self._sink_lock:
            self._sink.send(chunk)

    def _set_sink(self, sink: Sink) -> Sink:
        """Make `sink` current; what the old sink holds undelivered moves to the new one.

        A live-stream sink is flushed *before* the lock is taken (its flush may wait on the
        network, and log calls on other threads emit through this lock), then stopped with
        `handoff()`, which returns what it could not deliver (a viewer that went away).
        """
        self._batcher.flush()
        if callable(getattr(self._sink, "handoff", None)):
            # to another live stream: no need to wait for this one to connect, its data moves over;
            # disconnect/save/memory: wait (bounded), so data goes where it was first sent
            to_stream = callable(getattr(sink, "handoff", None))
            self._sink.flush(wait_connecting=not to_stream)  # type: ignore[call-arg]
        with self._sink_lock:
            old, self._sink = self._sink, sink
            if isinstance(old, BufferSink):
                carried = old.drain()
            elif callable(getattr(old, "handoff", None)):
                carried = old.handoff()
            else:
                old.flush()
                old.close()
                carried = old.unwritten() if isinstance(old, FileSink) else []
            self._disconnected = isinstance(sink, BufferSink)
            for chunk in carried:
                sink.send(chunk)
        return sink

    def save(self, path: str, default_blueprint: Any = None, *, write_footer: bool = True) -> None:
        """Stream everything (also what was logged before this call) to a `.avr` file."""
        self._set_sink(FileSink(str(path), self.application_id, self.recording_id))

    def memory_recording(self) -> MemoryRecording:
        """Keep the recording in memory; `.chunks()` / `.to_store()` / `.drain_as_bytes()` read it back."""
        sink = MemoryRecording(self.application_id, self.recording_id)
        self._set_sink(sink)
        return sink

    def set_sink(self, sink: Sink) -> None:
        self._set_sink(sink)

    def spawn(self, *, port: int = 9877, connect: bool = True, **options: Any) -> None:
        """Start a viewer on `port` unless one listens there, then stream to it (streaming.py)."""
        from .streaming import spawn_viewer

        spawn_viewer(self, port=port, connect=connect, **_stream_options(options))

    def connect(self, addr: str | None = None, **options: Any) -> None:
        """Stream to a running viewer or `annoview serve` at addr (default 127.0.0.1:9877)."""
        from .streaming import connect_tcp

        connect_tcp(self, addr, **_stream_options(options))

    def connect_grpc(self, url: str | None = None, **options: Any) -> None:
        """Rerun's name for connect; a "rerun+http://host:port/proxy" URL gives host and port."""
        from .streaming import connect_tcp

        connect_tcp(self, url, **_stream_options(options))  # parse_addr takes URLs as well

    def flush(self, blocking: bool = True, *, timeout_sec: float = 1e38) -> None:
        """Turn every pending row into a chunk and push it through the sink.

        The sink's flush runs outside the sink lock: a live stream's flush waits on the network
        (bounded), and log calls on other threads must not wait with it.
        """
        self._batcher.flush()
        with self._sink_lock:
            sink = self._sink
        sink.flush()

    def disconnect(self) -> None:
        """Flush and close the current sink; later data is buffered again."""
        self._set_sink(BufferSink())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._batcher.close()
        with self._sink_lock:
            self._sink.flush()
            self._sink.close()
            if self._disconnected and isinstance(self._sink, BufferSink):
                warn_unsaved_after_disconnect(self.recording_id, self._sink.chunks())

    # -- time ------------------------------------------------------------------------------------
    def set_time(self, timeline: str, *, sequence: Any = None, duration: Any = None, timestamp: Any = None) -> None:
        try:
            kind, value = to_index_value(timeline, sequence, duration, timestamp)
            self._time.set(timeline, kind, value)
        except ValidationError as e:
            report(e, "time not changed")

    def set_time_sequence(self, timeline: str, sequence: int) -> None:
        self.set_time(timeline, sequence=sequence)

    def set_time_seconds(self, timeline: str, seconds: float) -> None:
        """Older Rerun API: seconds since the epoch when it looks like one (>= 1e9, year 2001+),
        otherwise a duration."""
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and abs(seconds) >= 1e9:
            self.set_time(timeline, timestamp=seconds)
        else:
            self.set_time(timeline, duration=seconds)

    def set_time_nanos(self, timeline: str, nanos: int) -> None:
        self.set_time(timeline, duration=int(nanos) / 1e9)

    def disable_timeline(self, timeline: str) -> None:
        self._time.disable(timeline)

    def reset_time(self) -> None:
        self._time.reset()

    # -- logging ---------------------------------------------------------------------------------
    def log(self, entity_path: Any, entity: Any, *extra: Any, static: bool = False, strict: bool | None = None) -> None:
        """Log one or more archetypes at an entity path, at the current time (or static)."""
        if not self.enabled:
            return
        with strictness(strict):
            self._log(entity_path, (entity, *extra), static)

    def _log(self, entity_path: Any, items: tuple[Any, ...], static: bool) -> None:
        try:
            path = paths.normalize(entity_path)
        except ValidationError as e:
            report(e, "nothing logged")
            return
        components: dict[str, tuple[Any, Any]] = {}
        for item in items:
            item = as_context(item)
            if isinstance(item, UnsupportedArchetype):
                warn_once(f"rr.{item.rerun_name}")
                continue
            if not isinstance(item, Archetype):
                try:
                    batches = loose_batches(item)
                except ValidationError as e:
                    report(e, "that item not logged")
                    continue
                if batches is None:
                    report(ValidationError("log", "entity", f"{path}: expected an archetype such as rr.Points2D, "
                                           f"got {type(item).__name__}"), "that item not logged")
                else:
                    components.update(batches)
                continue
            if item.invalid is not None:  # already warned once when the archetype was built
                continue
            name = item.archetype_name
            if not item.drawn:
                warn_not_drawn(name)
            for fname, value in item.components.items():
                components[f"{name}:{fname}"] = (item.field_kinds[fname], value)
        if not components:
            return
        if static:
            times: dict[str, tuple[str, int]] = {}
        else:
            times = dict(self._time.snapshot())
            if self.log_time_enabled:
                times["log_time"] = ("timestamp", time.time_ns())
            static = not times  # no time at all (log_time off, no timeline set): static, as in Rerun
        if not self._batcher.add_row(path, bool(static), _tuid_hi(), _row_counter.take(), times, components):
            self._late.dropped()

    def send_columns(self, entity_path: Any, indexes: Any, columns: Any, *, strict: bool | None = None) -> None:
        """Many rows at once, recorded as one chunk (see sdk/columns.py)."""
        if not self.enabled:
            return
        with strictness(strict):
            try:
                path = paths.normalize(entity_path)
                chunk = columns_chunk(path, indexes, columns, lambda n: (_tuid_hi(), _row_counter.take(n)))
            except ValidationError as e:
                report(e, "nothing sent")
                return
            if self._closed:
                self._late.dropped()
            elif chunk.num_rows:
                self._emit(chunk)


def _stream_options(options: dict[str, Any]) -> dict[str, Any]:
    """The Rerun/annoview keyword options that streaming understands; the rest are ignored."""
    keep = ("flush_timeout_sec", "flush_timeout_s", "max_pending_bytes")
    return {k: v for k, v in options.items() if k in keep}


@atexit.register
def _flush_all_at_exit() -> None:
    """Nothing logged is lost at exit: flush every stream and close its sink (writes footers)."""
    for stream in list(_live_streams):
        try:
            stream.close()
        except Exception as e:  # never raise from atexit
            warnings.warn(f"annoview: closing recording {stream.recording_id} at exit failed: {e}", RuntimeWarning, stacklevel=1)
