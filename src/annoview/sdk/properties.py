"""Recording properties: `rr.send_property`, `send_recording_name`, `send_recording_start_time_nanos`.

Rerun stores them as static data under the entity `/__properties` (the recording's name and
start time as a `RecordingInfo` archetype; user properties under `/__properties/<name>`), so
they are listed, inspected and converted like any other entity.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..entity_path_parts import escape_entity_path_part
from ..errors import ValidationError
from ..strict import report
from ..types.rerun_archetypes import RecordingInfo

if TYPE_CHECKING:
    from .recording import RecordingStream

RECORDING_PROPERTIES_PATH = "/__properties"


def send_property(stream: "RecordingStream", name: Any, values: Any) -> None:
    """Log `values` (archetypes) statically at `/__properties/<name>`."""
    if not isinstance(name, str) or not name:
        report(ValidationError("send_property", "name", f"expected a non-empty string, got {name!r}"), "not sent")
        return
    stream.log(f"{RECORDING_PROPERTIES_PATH}/{escape_entity_path_part(name)}", values, static=True)


def send_recording_name(stream: "RecordingStream", name: Any) -> None:
    if not isinstance(name, str):
        report(ValidationError("send_recording_name", "name", f"expected a string, got {type(name).__name__}"),
               "not sent")
        return
    stream.recording_name = name
    stream.log(RECORDING_PROPERTIES_PATH, RecordingInfo(name=name), static=True)


def send_recording_start_time_nanos(stream: "RecordingStream", nanos: Any) -> None:
    try:
        value = int(nanos)
    except (TypeError, ValueError):
        report(ValidationError("send_recording_start_time_nanos", "nanos",
                               f"expected an integer, got {type(nanos).__name__}"), "not sent")
        return
    stream.recording_start_time_nanos = value
    stream.log(RECORDING_PROPERTIES_PATH, RecordingInfo(start_time=value), static=True)
