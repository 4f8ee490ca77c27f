"""`rerun.notebook`: annoview has no notebook widget. `set_default_size` and
`get_data_recording` work; the widget and its events exist as names, and using them raises one
NotAvailableError line (notices.py)."""
from __future__ import annotations

from .error_utils import RerunMissingDependencyError
from .notices import unavailable_module
from .rerun_api import get_data_recording
from .sdk.recording import RecordingStream
from .time import to_nanos, to_nanos_since_epoch

HAS_NOTEBOOK = False


def set_default_size(*, width: int | None = None, height: int | None = None) -> None:
    """Accepted; annoview has no notebook widget to size."""


__getattr__, _dir, _widget_names = unavailable_module("rerun.notebook", (
    "ContainerSelectionItem", "EntitySelectionItem", "PauseEvent", "PlayEvent", "RecordingOpenEvent",
    "SelectionChangeEvent", "SelectionItem", "TimeUpdateEvent", "TimelineChangeEvent",
    "ViewSelectionItem", "Viewer", "ViewerEvent",
))
__all__ = ["HAS_NOTEBOOK", "RecordingStream", "RerunMissingDependencyError", "get_data_recording", "set_default_size", "to_nanos",
           "to_nanos_since_epoch", *_widget_names]


def __dir__() -> list[str]:
    return sorted(__all__)
