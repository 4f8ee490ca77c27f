"""Blueprint stand-ins: any name, attribute chain or call under `rerun.blueprint` works.

annoview arranges its own views, so a Rerun blueprint is accepted and ignored, with one notice
per process. Every name (`rrb.Spatial2DView`, `rrb.components.Corner2D.LeftTop`,
`rrb.TimeRangeBoundary.cursor_relative(seq=-10)`, `blueprint.save(...)`) resolves to a part:
a class (so `isinstance`, subclassing and type hints such as `rrb.BlueprintLike | None` work)
whose attributes are parts again and whose call returns a part instance, which in turn accepts
any attribute or call.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

from ..notices import notice_once
from ._names import NAMES

_classes: dict[str, type] = {}


def _notice() -> None:
    notice_once("blueprint", "rerun.blueprint is accepted and ignored: annoview arranges its own views")


class _PartMeta(type):
    """Class-level attributes (`rrb.Corner2D.LeftTop`, `rrb.TimeRangeBoundary.infinite`) are parts."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return part(f"{cls.__qualname__}.{name}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        _notice()
        return super().__call__(*args, **kwargs)


class BlueprintPart(metaclass=_PartMeta):
    """Any blueprint object: keeps nothing, accepts every attribute and call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return part(f"{type(self).__qualname__}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> "BlueprintPart":
        return type(self)()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __class_getitem__(cls, item: Any) -> type:
        return cls

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} (ignored by annoview)>"


def part(qualname: str) -> type:
    """The stand-in class for one blueprint name (one class per name, so identity and
    isinstance hold: `rrb.Corner2D.LeftTop is rrb.Corner2D.LeftTop`)."""
    cls = _classes.get(qualname)
    if cls is None:
        name = qualname.rsplit(".", 1)[-1]
        cls = _classes[qualname] = _PartMeta(name, (BlueprintPart,), {"__qualname__": qualname, "__module__": __name__})
    return cls


def module_hooks(submodule: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for `annoview.blueprint[.submodule]`."""
    names = list(NAMES.get(submodule, ()))
    prefix = "rerun.blueprint" + (f".{submodule}" if submodule else "")

    def __getattr__(name: str) -> Any:
        return _part_or_error(prefix, name)

    def __dir__() -> list[str]:
        mod = sys.modules.get("annoview.blueprint" + (f".{submodule}" if submodule else ""))
        return sorted(set(names) | set(vars(mod) if mod is not None else ()))

    return __getattr__, __dir__, names


class _AnySubmoduleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes any deeper import under the blueprint package work too
    (`from rerun.blueprint.components.corner_2d import Corner2D`): such a module serves every
    name as a part, like the package itself."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        parent = sys.modules.get(fullname.rpartition(".")[0])
        if parent is None or not getattr(parent, "_annoview_blueprint", False):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(spec.name, "Part of `rerun.blueprint`: every name is an ignored blueprint part.")
        module.__path__ = []  # type: ignore[attr-defined]
        module._annoview_blueprint = True  # type: ignore[attr-defined]
        prefix = "rerun.blueprint." + spec.name.split(".blueprint.", 1)[-1]
        module.__getattr__ = lambda name: _part_or_error(prefix, name)  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def _part_or_error(prefix: str, name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return part(f"{prefix}.{name}")


def install_finder() -> None:
    if not any(isinstance(f, _AnySubmoduleFinder) for f in sys.meta_path):
        sys.meta_path.append(_AnySubmoduleFinder())
