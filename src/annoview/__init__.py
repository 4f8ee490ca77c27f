"""annoview: a Rerun-compatible logging SDK and GPU viewer for annotated data.

`import annoview as rr` and log as with Rerun: rr.init, rr.log, rr.set_time, rr.save, ...
This module imports neither glfw, imgui nor moderngl, so logging works in headless jobs.
"""
from typing import Any

from . import archetypes, components, datatypes, encodings
from .errors import AnnoviewError, AnnoviewWarning, ValidationError, warn_user
from .logging_handler import LoggingHandler
from .rerun_api import *  # noqa: F403  (Rerun's other top-level calls; names in rerun_api.__all__)
from .rerun_api import __all__ as _rerun_api_names
from .sdk import current
from .sdk.byte_sinks import MemoryRecording
from .sdk.columns import TimeColumn
from .sdk.recording import RecordingStream
from .sdk.script_helpers import script_add_args, script_setup, script_teardown
from .sdk.sinks import MemorySink
from .strict import set_strict_mode, strict_mode
from .types import (AnnotationContext, AnnotationInfo, Box2DFormat, Boxes2D, ChannelDatatype, ClassDescription,
                    ColorModel, ComponentColumn, ComponentColumnList, EncodedImage, Image, LineStrips2D, LineStrips3D,
                    PixelFormat, Points2D, Points3D, SegmentationImage)
from .types.any_values import AnyBatchValue, AnyValues, DynamicArchetype

__version__ = "0.1.0"

_warned_no_init = False


def init(application_id: str, *, recording_id: Any = None, spawn: bool = False, init_logging: bool = True,
         default_enabled: bool = True, strict: bool | None = None, default_blueprint: Any = None,
         send_properties: bool = True, **kwargs: Any) -> RecordingStream:
    """Start a new global recording (closing the previous one)."""
    prev = current.get_global_data_recording()
    if prev is not None:
        prev.close()
    rec = RecordingStream(application_id, recording_id=recording_id, strict=strict, default_enabled=default_enabled,
                          **kwargs)
    current.set_global_data_recording(rec)
    if spawn:
        rec.spawn()
    return rec


def new_recording(application_id: str, *, recording_id: Any = None, make_default: bool = False,
                  spawn: bool = False, **kwargs: Any) -> RecordingStream:
    """A separate recording object (several recordings in one process)."""
    rec = RecordingStream(application_id, recording_id=recording_id, make_default=make_default, **kwargs)
    if spawn:
        rec.spawn()
    return rec


def _rec(recording: RecordingStream | None) -> RecordingStream | None:
    """The recording a call goes to (given, else this thread's, else the global one)."""
    global _warned_no_init
    rec = current.get_data_recording(recording)
    if rec is None and not _warned_no_init:
        _warned_no_init = True
        warn_user("annoview: no recording; call rr.init(...) first. Logged data is dropped.", AnnoviewWarning)
    return rec


def log(entity_path: Any, entity: Any, *extra: Any, static: bool = False, strict: bool | None = None,
        recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.log(entity_path, entity, *extra, static=static, strict=strict)


def send_columns(entity_path: str, indexes: Any, columns: Any, *, recording: RecordingStream | None = None,
                 strict: bool | None = None) -> None:
    """Many rows of one entity in one call, recorded as one chunk (sdk/columns.py)."""
    rec = _rec(recording)
    if rec is not None:
        rec.send_columns(entity_path, indexes, columns, strict=strict)


def set_time(timeline: str, *, sequence: Any = None, duration: Any = None, timestamp: Any = None,
             recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_time(timeline, sequence=sequence, duration=duration, timestamp=timestamp)


def set_time_sequence(timeline: str, sequence: int, recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_time_sequence(timeline, sequence)


def set_time_seconds(timeline: str, seconds: float, recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_time_seconds(timeline, seconds)


def set_time_nanos(timeline: str, nanos: int, recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.set_time_nanos(timeline, nanos)


def disable_timeline(timeline: str, recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.disable_timeline(timeline)


def reset_time(recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.reset_time()


def save(path: str, default_blueprint: Any = None, recording: RecordingStream | None = None, *,
         write_footer: bool = True) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.save(path)


def memory_recording(recording: RecordingStream | None = None) -> MemoryRecording | None:
    rec = _rec(recording)
    return rec.memory_recording() if rec is not None else None


def spawn(*, port: int = 9877, connect: bool = True, recording: RecordingStream | None = None, **kwargs: Any) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.spawn(port=port, connect=connect, **kwargs)


def connect(addr: str | None = None, recording: RecordingStream | None = None, **kwargs: Any) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.connect(addr, **kwargs)


def connect_grpc(url: str | None = None, recording: RecordingStream | None = None, **kwargs: Any) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.connect_grpc(url, **kwargs)


def flush(blocking: bool = True, recording: RecordingStream | None = None, *, timeout_sec: float = 1e38) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.flush(blocking, timeout_sec=timeout_sec)


def disconnect(recording: RecordingStream | None = None) -> None:
    rec = _rec(recording)
    if rec is not None:
        rec.disconnect()


def send_blueprint(blueprint: Any, *, make_active: bool = True, make_default: bool = True,
                   recording: RecordingStream | None = None) -> None:
    """Rerun's blueprint call: accepted and ignored (annoview arranges its own views)."""
    from .unsupported import warn_once

    warn_once("rr.send_blueprint")


# Rerun's top-level component/datatype names and component-batch base classes (types/).
from .components import (AlbedoFactor, GraphEdge, GraphType, MediaType, Radius, Scale3D,  # noqa: E402
                         TensorDimensionIndexSelection, TextLogLevel, TransformRelation, VideoCodec)
from .datatypes import (Angle, Quaternion, RotationAxisAngle, TensorData, TensorDimensionSelection,  # noqa: E402
                        TimeInt, TimeRange, TimeRangeBoundary, VisibleTimeRange)
from .types.batches import (AsComponents, ComponentBatchLike, ComponentBatchMixin, ComponentDescriptor,  # noqa: E402
                            ComponentMixin, ComponentValueLike, DescribedComponentBatch)
from .types.generic import REGISTRY as _GENERIC_ARCHETYPES  # noqa: E402

_TOP_LEVEL_ARCHETYPES = sorted(set(_GENERIC_ARCHETYPES) - {"RecordingInfo"})  # Rerun's top level lacks RecordingInfo
globals().update({n: _GENERIC_ARCHETYPES[n] for n in _TOP_LEVEL_ARCHETYPES})  # Transform3D, TextLog, ...


def __getattr__(name: str) -> Any:
    """Rerun archetypes annoview does not handle yet resolve to stand-ins that `log` skips with one
    warning, so Rerun scripts that also use them still run (see unsupported.py)."""
    from .unsupported import RERUN_ARCHETYPES, archetype

    if name in RERUN_ARCHETYPES:
        return archetype(name)
    raise AttributeError(f"module 'annoview' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Also list the names `__getattr__` serves, as `dir(rerun)` lists them."""
    from .unsupported import RERUN_ARCHETYPES

    return sorted(set(globals()) | RERUN_ARCHETYPES)


__all__ = [
    "init", "new_recording", "log", "set_time", "set_time_sequence", "set_time_seconds", "set_time_nanos",
    "disable_timeline", "reset_time", "save", "memory_recording", "spawn", "connect", "connect_grpc", "flush",
    "disconnect", "get_global_data_recording", "set_strict_mode", "strict_mode", "RecordingStream", "MemorySink",
    "AnnotationContext", "AnnotationInfo", "ClassDescription", "Points2D", "Points3D", "Boxes2D", "Box2DFormat",
    "LineStrips2D", "LineStrips3D", "SegmentationImage", "Image", "EncodedImage", "ChannelDatatype", "ColorModel",
    "PixelFormat", "AnnoviewError", "AnnoviewWarning",
    "ValidationError", "datatypes", "encodings", "archetypes", "components", "send_columns", "TimeColumn", "ComponentColumn",
    "ComponentColumnList", "AnyValues", "DynamicArchetype", "AnyBatchValue",
    "AlbedoFactor", "GraphEdge", "GraphType", "MediaType", "Radius", "Scale3D", "TensorDimensionIndexSelection",
    "TextLogLevel", "TransformRelation", "VideoCodec", "Angle", "Quaternion", "RotationAxisAngle", "TensorData",
    "TensorDimensionSelection", "TimeInt", "TimeRange", "TimeRangeBoundary", "VisibleTimeRange",
    "ComponentBatchLike", "ComponentBatchMixin", "ComponentDescriptor", "ComponentMixin", "DescribedComponentBatch",
    "AsComponents", "ComponentValueLike",
    *_TOP_LEVEL_ARCHETYPES,
    "MemoryRecording", "LoggingHandler", "script_add_args", "script_setup", "script_teardown", *_rerun_api_names,
    "blueprint", "utilities", "experimental", "notebook", "recording_stream", "sinks", "time", "web", "error_utils",
    "bindings", "catalog", "auth", "server", "urdf", "any_value", "any_batch_value", "dynamic_archetype",
    "TimeColumnLike",
]

# Submodules under Rerun's names; imported last, since some re-export the functions above.
from . import (any_batch_value, any_value, auth, bindings, blueprint, catalog, dynamic_archetype,  # noqa: E402
               error_utils, experimental, notebook, recording_stream, server, sinks, time, urdf, utilities, web)

TimeColumnLike = TimeColumn  # Rerun's type alias for what `indexes=` takes
