"""`import annoview.blueprint as rrb` for scripts written against `rerun.blueprint`.

annoview arranges its own views, so blueprint objects are accepted and ignored with one warning.
"""
from __future__ import annotations

from typing import Any

from .unsupported import BlueprintPart


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return BlueprintPart
