"""Strict mode: raise on bad input (tests, CI) or warn and drop it (Rerun's default).

Default is non-strict so that Rerun scripts run unchanged; set ANNOVIEW_STRICT=1, call
`rr.set_strict_mode(True)` or pass `rr.init(..., strict=True)` to get exceptions instead.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from .errors import AnnoviewWarning, ValidationError, warn_user

_strict = os.environ.get("ANNOVIEW_STRICT", "").lower() in ("1", "true", "yes")

T = TypeVar("T")


def strict_mode() -> bool:
    return _strict


def set_strict_mode(mode: bool) -> None:
    global _strict
    _strict = bool(mode)


@contextmanager
def strictness(mode: bool | None) -> Iterator[None]:
    """Strict mode for one call (`rr.log(..., strict=True)`); None keeps the current mode."""
    prev = _strict
    if mode is not None:
        set_strict_mode(mode)
    try:
        yield
    finally:
        if mode is not None:
            set_strict_mode(prev)


def report(error: ValidationError, consequence: str) -> None:
    """Raise in strict mode; otherwise warn once for this bad call and carry on."""
    if _strict:
        raise error
    warn_user(f"{error} ({consequence})", AnnoviewWarning)


def stricter(error: ValidationError, warn: str | None = None) -> None:
    """A rule annoview keeps but rerun-sdk does not (NaN positions, 3 radii for 1 point, float
    colors outside [0, 1], ...): strict mode raises; non-strict mode records what rerun-sdk
    records for the same call, so the caller goes on with the value as Rerun would store it.
    `warn` (where rerun-sdk itself warns) adds one warning in non-strict mode."""
    if _strict:
        raise error
    if warn is not None:
        warn_user(f"{error} ({warn})", AnnoviewWarning)


def checked(fn: Callable[[], T], error_consequence: str) -> T | None:
    """Run one field's validation; in non-strict mode a failure drops the field with a warning."""
    try:
        return fn()
    except ValidationError as e:
        report(e, error_consequence)
        return None
