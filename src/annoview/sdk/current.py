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


_UNSET: Any = object()


def _generator_with(gen: Generator[Any, Any, Any], recording: Any = _UNSET) -> Generator[Any, Any, Any]:
    """Drive `gen` one step at a time. The generator keeps its own thread default (`recording`,
    else whatever its caller had when it first ran, or what its body set with `with rec:`) and
    the caller gets its own back at every yield, wherever the generator is resumed."""
    own = recording
    method, arg = gen.send, None
    while True:
        caller = get_thread_local_data_recording()
        if own is not _UNSET:
            set_thread_local_data_recording(own)
        try:
            value = method(arg)
        except StopIteration as stop:
            return stop.value
        finally:
            own = set_thread_local_data_recording(caller)
        try:
            method, arg = gen.send, (yield value)
        except GeneratorExit:
            gen.close()
            raise
        except BaseException as e:  # thrown in by the caller: pass it on to the generator
            method, arg = gen.throw, e


def recording_stream_generator_ctx(func: _TFunc) -> _TFunc:
    """Decorate a generator function so that the recording context it runs under (including
    a `with rec:` inside its body) stays its own across yields and does not leak to the code
    that iterates it."""
    if not inspect.isgeneratorfunction(func):
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        return _generator_with(func(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def thread_local_stream(application_id: str) -> Callable[[_TFunc], _TFunc]:
    """Decorator: every call of the function logs to a new recording of its own
    (`application_id`), made this thread's default for the duration of the call."""

    def decorator(func: _TFunc) -> _TFunc:
        from .recording import RecordingStream

        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
                return _generator_with(func(*args, **kwargs), RecordingStream(application_id))

            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _run_with(RecordingStream(application_id), func, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
