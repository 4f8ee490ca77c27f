"""One-time notices for Rerun features annoview accepts but does not provide.

A Rerun script that also calls, say, `rr.serve_web_viewer()` or `rr.notebook_show()` should run
to the end under annoview: such calls do nothing except say so once (`notice_once`). Features
that only exist on Rerun's own servers (catalog, auth) cannot be emulated: using one raises
`NotAvailableError`, one line saying what and why.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import AnnoviewError, AnnoviewWarning, warn_user

_noticed: set[str] = set()


class NotAvailableError(AnnoviewError, RuntimeError):
    """A Rerun feature that needs Rerun's own servers or services."""


def notice_once(key: str, message: str) -> None:
    """Warn with `message` the first time `key` is seen in this process."""
    if key not in _noticed:
        _noticed.add(key)
        warn_user(f"annoview: {message}", AnnoviewWarning)


def not_available(name: str) -> NotAvailableError:
    return NotAvailableError(f"{name} is not available in annoview (it needs Rerun's own viewer, servers or "
                             "native code)")


class Unavailable:
    """A name from a Rerun server-side module: any attribute chain works, calling it raises
    NotAvailableError, so importing or mentioning it (type hints, hasattr) is harmless."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> "Unavailable":
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Unavailable(f"{self._name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise not_available(self._name)

    def __repr__(self) -> str:
        return f"<{self._name}: not available in annoview>"


def unavailable_module(module: str, names: tuple[str, ...]) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for a stand-in of a Rerun server-side module:
    every name resolves (to an `Unavailable`), so imports succeed and only use raises."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Unavailable(f"{module}.{name}")

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__, list(names)
