"""Exceptions and warnings raised by annoview.

Every validation error names the archetype, the field and what was expected, so a user can fix
the call without reading annoview's sources.
"""
from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class AnnoviewError(Exception):
    """Base class of every error annoview raises on purpose."""


class ValidationError(AnnoviewError, ValueError):
    """Bad input to an archetype, a log call or an entity path."""

    def __init__(self, archetype: str, field: str, message: str) -> None:
        self.archetype = archetype
        self.field = field
        self.detail = message
        super().__init__(f"{archetype}.{field}: {message}" if field else f"{archetype}: {message}")


class RecordingFormatError(AnnoviewError):
    """A file or stream that is not a valid annoview recording."""


class NewerFormatError(RecordingFormatError):
    """A recording written by a newer annoview format version than this one can read."""


class AnnoviewWarning(UserWarning):
    """Non-strict mode: bad input dropped, the rest of the recording kept."""


class RecordingRecoveryWarning(AnnoviewWarning):
    """A truncated or corrupt recording was loaded up to its last good frame."""


def warn_user(message: str, category: type[Warning] = AnnoviewWarning) -> None:
    """Warn with the location of the user's call (the first frame outside annoview), so the
    message points at the line of the script that logged the bad data."""
    frame = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
