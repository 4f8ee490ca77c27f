"""`rerun.error_utils`: Rerun's error and warning names, mapped onto annoview's."""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import AnnoviewError, AnnoviewWarning
from .strict import set_strict_mode, strict_mode

T = TypeVar("T")
RerunWarning = AnnoviewWarning


class RerunMissingDependencyError(AnnoviewError, ImportError):
    """An optional package a feature needs is not installed."""

    def __init__(self, package: str, optional_dep: str = "") -> None:
        super().__init__(f"'{package}' could not be imported; install it" + (f" (extra '{optional_dep}')" if optional_dep else ""))


class RerunIncompatibleDependencyVersionError(AnnoviewError, ImportError):
    """An optional package is installed in a version that does not work."""

    def __init__(self, package: str, actual_version: str = "", compatible_versions: Any = None) -> None:
        super().__init__(f"'{package}' {actual_version} is not a supported version")


def default_strict_mode() -> bool:
    """Strict by default only when ANNOVIEW_STRICT asks for it (strict.py)."""
    return os.environ.get("ANNOVIEW_STRICT", "").lower() in ("1", "true", "yes")


class catch_and_log_exceptions:  # noqa: N801 (Rerun's name)
    """Decorator and context manager: in non-strict mode an exception inside becomes a warning
    (the script carries on); in strict mode it propagates."""

    def __init__(self, context: str | None = None, depth_to_user_code: int = 1, exception_return_value: Any = None) -> None:
        self.context, self.exception_return_value = context, exception_return_value

    def __enter__(self) -> "catch_and_log_exceptions":
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        if exc_type is None or strict_mode() or not issubclass(exc_type, Exception):
            return False
        from .errors import warn_user

        warn_user(f"{self.context + ': ' if self.context else ''}{exc_type.__name__}: {exc_val}", AnnoviewWarning)
        return True

    def __call__(self, func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with catch_and_log_exceptions(self.context or func.__qualname__):
                return func(*args, **kwargs)
            return self.exception_return_value

        return wrapper


def deprecated_param(name: str, use_instead: str | None = None, since: str | None = None) -> Callable[[T], T]:
    """Rerun marks deprecated keyword arguments with this; annoview keeps the function as is."""
    return lambda func: func


__all__ = ["RerunIncompatibleDependencyVersionError", "RerunMissingDependencyError", "RerunWarning", "T",
           "catch_and_log_exceptions", "default_strict_mode", "deprecated_param", "set_strict_mode", "strict_mode"]
