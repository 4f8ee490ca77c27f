"""Which recording a call without `recording=` goes to: the thread's own, else the global one.

Rerun keeps two defaults: a process-wide global recording (`rr.init`, `make_default=True`) and
a per-thread one (`with rec:`, `make_thread_default=True`, `set_thread_local_data_recording`),
which wins on its thread. Scripts that log from worker threads or generators rely on that, so
annoview keeps the same two slots and the same lookup order.
"""
from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .recording import RecordingStream

_TFunc = TypeVar("_TFunc", bound=Callable[..., Any])

_global: "RecordingStream | None" = None
_local = threading.local()


def get_global_data_recording() -> "RecordingStream | None":
    """The process-wide default recording (set by `rr.init`), or None."""
    return _global


def set_global_data_recording(recording: "RecordingStream | None") -> "RecordingStream | None":
    """Make `recording` the process-wide default; returns the previous one."""
    global _global
    prev, _global = _global, recording
    return prev


def get_thread_local_data_recording() -> "RecordingStream | None":
    """This thread's default recording, or None."""
    return getattr(_local, "recording", None)


def set_thread_local_data_recording(recording: "RecordingStream | None") -> "RecordingStream | None":
    """Make `recording` this thread's default (None clears it); returns the previous one."""
    prev = getattr(_local, "recording", None)
    _local.recording = recording
    return prev


def get_data_recording(recording: "RecordingStream | None" = None) -> "RecordingStream | None":
    """The recording a call goes to: the one given, else this thread's, else the global one."""
    if recording is not None:
        return recording
    local = getattr(_local, "recording", None)
    return local if local is not None else _global


def _run_with(recording: "RecordingStream | None", func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    prev = set_thread_local_data_recording(recording)
    try:
        return func(*args, **kwargs)
    finally:
        set_thread_local_data_recording(prev)


def _generator_with(recording: Callable[[], "RecordingStream | None"], gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Drive `gen` one step at a time with `recording()` as this thread's default during each
    step, and the caller's own default in between (the generator may be resumed anywhere)."""
    rec = recording()
    sent: Any = None
    while True:
        prev = set_thread_local_data_recording(rec)
        try:
            value = gen.send(sent)
        except StopIteration as stop:
            return stop.value
        finally:
            set_thread_local_data_recording(prev)
        sent = yield value


def recording_stream_generator_ctx(func: _TFunc) -> _TFunc:
    """Decorate a generator function so that its body logs to the recording that was this
    thread's default when the generator was created, whenever and wherever it is resumed."""
    if not inspect.isgeneratorfunction(func):
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        rec = get_thread_local_data_recording()
        return _generator_with(lambda: rec, func(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def thread_local_stream(application_id: str) -> Callable[[_TFunc], _TFunc]:
    """Decorator: every call of the function logs to a new recording of its own
    (`application_id`), made this thread's default for the duration of the call."""

    def decorator(func: _TFunc) -> _TFunc:
        from .recording import RecordingStream

        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
                rec = RecordingStream(application_id)
                return _generator_with(lambda: rec, func(*args, **kwargs))

            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _run_with(RecordingStream(application_id), func, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
