"""Rerun's top-level functions beyond init/log/set_time, with Rerun's signatures.

Each one acts on the recording given as `recording=`, else this thread's default, else the
global one (sdk/current.py); with no recording at all it does nothing, after the one "call
rr.init first" warning. Features that need a browser, notebook or Rerun's servers say so once
(notices.py) instead of failing, so the rest of a script still runs and is recorded.
"""
from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .notices import NotAvailableError, not_available, notice_once
from .sdk import current
from .sdk.byte_sinks import BinaryStream, MemoryRecording
from .sdk.current import (get_data_recording, get_global_data_recording, get_thread_local_data_recording,
                          recording_stream_generator_ctx, set_global_data_recording, set_thread_local_data_recording,
                          thread_local_stream)
from .sdk.properties import RECORDING_PROPERTIES_PATH
from .sdk.sink_specs import FileSink, GrpcServerSink, GrpcSink, LogSinkLike
from .sdk.stream_api import AUTO_INDEX
from .entity_path_parts import escape_entity_path_part, new_entity_path

if TYPE_CHECKING:
    from .sdk.recording import RecordingStream

_TFunc = TypeVar("_TFunc", bound=Callable[..., Any])

EXTERNAL_IMPORTER_INCOMPATIBLE_EXIT_CODE = 66
# Arrow schema metadata keys of Rerun's chunk layout (annoview writes them in .rrd exports).
RERUN_KIND = b"rerun:kind"
RERUN_KIND_CONTROL = b"control"
RERUN_KIND_INDEX = b"index"
SORBET_ARCHETYPE_NAME = b"rerun:archetype"
SORBET_COMPONENT = b"rerun:component"
SORBET_COMPONENT_TYPE = b"rerun:component_type"
SORBET_ENTITY_PATH = b"rerun:entity_path"
SORBET_INDEX_NAME = b"rerun:index_name"
SORBET_IS_TABLE_INDEX = b"rerun:is_table_index"


def _rec(recording: "RecordingStream | None") -> "RecordingStream | None":
    import annoview

    return annoview._rec(recording)


# -- recordings ------------------------------------------------------------------------------------


def get_recording_id(recording: "RecordingStream | None" = None) -> str | None:
    rec = get_data_recording(recording)
    return rec.recording_id if rec is not None else None


def get_application_id(recording: "RecordingStream | None" = None) -> str | None:
    rec = get_data_recording(recording)
    return rec.application_id if rec is not None else None


def is_enabled(recording: "RecordingStream | None" = None) -> bool:
    rec = get_data_recording(recording)
    return bool(rec is not None and rec.enabled)


def binary_stream(recording: "RecordingStream | None" = None) -> BinaryStream | None:
    rec = _rec(recording)
    return rec.binary_stream() if rec is not None else None


def cleanup_if_forked_child() -> None:
    """Rerun resets its native state in a forked child; annoview has none to reset."""


# -- sinks -----------------------------------------------------------------------------------------------


def set_sinks(*sinks: LogSinkLike, default_blueprint: Any = None, recording: "RecordingStream | None" = None) -> None:
    """Send the recording to every sink given (`rr.FileSink(path)`, `rr.GrpcSink(url)`, ...)."""
    rec = _rec(recording)
    if rec is not None:
        rec.set_sinks(*sinks, default_blueprint=default_blueprint)


def stdout(default_blueprint: Any = None, recording: "RecordingStream | None" = None, *,
           write_footer: bool = True) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.stdout(default_blueprint, write_footer=write_footer)


def serve_grpc(*, grpc_port: int | None = None, default_blueprint: Any = None,
               recording: "RecordingStream | None" = None, server_memory_limit: str = "1GiB",
               newest_first: bool = False, cors_allow_origin: list[str] | None = None) -> str:
    rec = _rec(recording)
    if rec is None:
        return GrpcServerSink(port=grpc_port or 9876).uri()
    return rec.serve_grpc(grpc_port=grpc_port, default_blueprint=default_blueprint)


def serve_web_viewer(*, web_port: int | None = None, open_browser: bool = True, connect_to: str | None = None) -> None:
    notice_once("web-viewer", "serve_web_viewer: annoview has no web viewer; open the recording with "
                "`annoview FILE` or stream to the desktop viewer with rr.spawn / rr.connect")


def start_web_viewer_server(port: int = 0) -> None:
    serve_web_viewer()


def notebook_show(*, width: int | None = None, height: int | None = None, blueprint: Any = None,
                  recording: "RecordingStream | None" = None) -> None:
    rec = get_data_recording(recording)
    if rec is not None:
        rec.notebook_show(width=width, height=height, blueprint=blueprint)
    else:
        notice_once("notebook", "notebook_show: annoview has no notebook viewer")


def legacy_notebook_show(*, width: int = 950, height: int = 712, app_url: str | None = None, timeout_ms: int = 2000,
                         blueprint: Any = None, recording: "RecordingStream | None" = None) -> Any:
    notebook_show(recording=recording)
    return None


# -- properties, files, time ------------------------------------------------------------------------


def send_property(name: str, values: Any, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.send_property(name, values)


def send_recording_name(name: str, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.send_recording_name(name)


def send_recording_start_time_nanos(nanos: int, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.send_recording_start_time_nanos(nanos)


def log_file_from_path(file_path: str | os.PathLike[str], *, entity_path_prefix: str | None = None, static: bool = False,
                       recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.log_file_from_path(file_path, entity_path_prefix=entity_path_prefix, static=static)


def log_file_from_contents(file_path: str | os.PathLike[str], file_contents: bytes, *,
                           entity_path_prefix: str | None = None, static: bool = False,
                           recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.log_file_from_contents(file_path, file_contents, entity_path_prefix=entity_path_prefix, static=static)


def set_log_time_enabled(enabled: bool, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_log_time_enabled(enabled)


def set_log_tick_enabled(enabled: bool, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_log_tick_enabled(enabled)


def send_chunks(chunks: Any, *, recording: "RecordingStream | None" = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.send_chunks(chunks)


def send_dataframe(df: Any, recording: "RecordingStream | None" = None, *, index: Any = AUTO_INDEX,
                   entity_path: str | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.send_dataframe(df, index=index, entity_path=entity_path)


def send_record_batch(batch: Any, recording: "RecordingStream | None" = None, *, index: Any = AUTO_INDEX,
                      entity_path: str | None = None) -> None:
    send_dataframe(batch, recording, index=index, entity_path=entity_path)


# -- process ------------------------------------------------------------------------------------------


def version() -> str:
    """annoview's version, and the Rerun SDK version whose API it follows."""
    from . import __version__

    return f"annoview {__version__} (Rerun SDK API 0.41)"


def rerun_shutdown() -> None:
    """Flush and close every recording now (also done automatically at exit)."""
    from .sdk.recording import _flush_all_at_exit

    _flush_all_at_exit()


def shutdown_at_exit(func: _TFunc) -> _TFunc:
    """Decorator: run `func` at interpreter exit (Rerun's helper for cleanup callbacks)."""
    atexit.register(func)
    return func


def unregister_shutdown() -> None:
    """annoview's exit flush is harmless to keep; nothing to unregister."""


@contextlib.contextmanager
def tracing_session() -> Iterator[str]:
    """Rerun profiles its native code here; annoview has none. Yields a name, as Rerun does."""
    yield "annoview"


def asarray(item: Any, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
    """numpy.asarray that also accepts `copy=` on numpy 1.x."""
    arr = np.asarray(item, dtype=dtype)
    return arr.copy() if copy else arr


def login() -> None:
    raise not_available("rr.login")


def logout() -> None:
    raise not_available("rr.logout")


class ChunkBatcherConfig:
    """How a recording groups rows into chunks (Rerun's knobs). annoview's batcher has its own
    policy (sdk/batcher.py); the values are kept and otherwise ignored."""

    flush_tick: Any = None
    flush_num_bytes: int | None = None
    flush_num_rows: int | None = None
    chunk_max_rows_if_unsorted: int | None = None

    def __init__(self, flush_tick: Any = None, flush_num_bytes: int | None = None, flush_num_rows: int | None = None,
                 chunk_max_rows_if_unsorted: int | None = None) -> None:
        self.flush_tick, self.flush_num_bytes = flush_tick, flush_num_bytes
        self.flush_num_rows, self.chunk_max_rows_if_unsorted = flush_num_rows, chunk_max_rows_if_unsorted

    def __repr__(self) -> str:
        return (f"ChunkBatcherConfig(flush_tick={self.flush_tick!r}, flush_num_bytes={self.flush_num_bytes!r}, "
                f"flush_num_rows={self.flush_num_rows!r})")

    @staticmethod
    def DEFAULT() -> "ChunkBatcherConfig":  # noqa: N802 (Rerun's name)
        return ChunkBatcherConfig()

    @staticmethod
    def LOW_LATENCY() -> "ChunkBatcherConfig":  # noqa: N802
        return ChunkBatcherConfig(flush_tick=0.008)

    @staticmethod
    def NEVER() -> "ChunkBatcherConfig":  # noqa: N802
        return ChunkBatcherConfig(flush_num_bytes=2**63 - 1, flush_num_rows=2**63 - 1)

    @staticmethod
    def ALWAYS_TEST_ONLY() -> "ChunkBatcherConfig":  # noqa: N802
        return ChunkBatcherConfig(flush_tick=0, flush_num_bytes=0, flush_num_rows=0)





__all__ = [
    "AUTO_INDEX", "BinaryStream", "ChunkBatcherConfig", "EXTERNAL_IMPORTER_INCOMPATIBLE_EXIT_CODE", "FileSink",
    "GrpcServerSink", "GrpcSink", "MemoryRecording", "NotAvailableError", "RECORDING_PROPERTIES_PATH", "RERUN_KIND",
    "RERUN_KIND_CONTROL", "RERUN_KIND_INDEX", "SORBET_ARCHETYPE_NAME", "SORBET_COMPONENT", "SORBET_COMPONENT_TYPE",
    "SORBET_ENTITY_PATH", "SORBET_INDEX_NAME", "SORBET_IS_TABLE_INDEX", "asarray", "binary_stream",
    "cleanup_if_forked_child", "escape_entity_path_part", "get_application_id", "get_data_recording",
    "get_global_data_recording", "get_recording_id", "get_thread_local_data_recording", "is_enabled",
    "legacy_notebook_show", "log_file_from_contents", "log_file_from_path", "login", "logout", "new_entity_path",
    "notebook_show", "recording_stream_generator_ctx", "rerun_shutdown", "send_chunks", "send_dataframe",
    "send_property", "send_record_batch", "send_recording_name", "send_recording_start_time_nanos", "serve_grpc",
    "serve_web_viewer", "set_global_data_recording", "set_log_tick_enabled", "set_log_time_enabled", "set_sinks",
    "set_thread_local_data_recording", "shutdown_at_exit", "start_web_viewer_server", "stdout", "thread_local_stream",
    "tracing_session", "unregister_shutdown", "version",
]
