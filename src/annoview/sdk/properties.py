"""Recording properties: `rr.send_property`, `send_recording_name`, `send_recording_start_time_nanos`.

Rerun stores them as static data under the entity `/__properties` (the recording's name and
start time as a `RecordingInfo` archetype; user properties under `/__properties/<name>`), so
they are listed, inspected and converted like any other entity.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ValidationError
from ..strict import report
from ..types.archetypes import Archetype
from ..types.kinds import Kind
from ..entity_path_parts import escape_entity_path_part

if TYPE_CHECKING:
    from .recording import RecordingStream

RECORDING_PROPERTIES_PATH = "/__properties"


class RecordingInfo(Archetype):
    """The recording's name, as Rerun's `RecordingInfo:name`."""

    archetype_name: ClassVar[str] = "RecordingInfo"
    field_kinds: ClassVar[dict[str, Kind]] = {"name": Kind.STR}

    def __init__(self, name: str) -> None:
        super().__init__()
        self.components["name"] = [name]


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
    stream.log(RECORDING_PROPERTIES_PATH, RecordingInfo(name), static=True)


def send_recording_start_time_nanos(stream: "RecordingStream", nanos: Any) -> None:
    """Kept on the stream (`recording_start_time_nanos`). annoview's stores have no int64
    component kind yet, so it is not written into the recording."""
    try:
        stream.recording_start_time_nanos = int(nanos)
    except (TypeError, ValueError):
        report(ValidationError("send_recording_start_time_nanos", "nanos",
                               f"expected an integer, got {type(nanos).__name__}"), "not sent")
