"""annoview offers rerun-sdk 0.41's public API: the same names and call signatures, top-level and
in the submodules scripts import (`blueprint`, `experimental`, `utilities`, ...).

Compared against the installed rerun-sdk (the `rerun` extra), so the lists cannot drift.
"""
from __future__ import annotations

import importlib
import inspect

import pytest

import annoview

rerun = pytest.importorskip("rerun")

# Plain imports that happen to sit in rerun's namespace (`rr.np` is numpy): not API.
PLAIN_IMPORTS = {"Any", "Callable", "TypeVar", "TYPE_CHECKING", "annotations", "cast", "functools", "np", "random",
                 "sys", "warnings"}

# Names known to be missing (none): an entry that is no longer missing fails
# test_pending_list_is_current, so this list can only shrink.
PENDING: dict[str, set[str]] = {}
PENDING_NAMES: set[str] = set().union(*PENDING.values())
# RecordingStream methods known to be missing (none).
PENDING_METHODS: set[str] = set()


def public(module) -> set[str]:
    return {n for n in dir(module) if not n.startswith("_")}


def _params(sig: inspect.Signature) -> tuple[list[inspect.Parameter], dict[str, inspect.Parameter], bool, bool]:
    positional = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    by_name = {p.name: p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    var_pos = any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())
    var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    return positional, by_name, var_pos, var_kw


def incompatibilities(theirs: inspect.Signature, ours: inspect.Signature) -> list[str]:
    """Every call valid against rerun's signature must be valid against ours (same positional
    order and names, every keyword accepted, nothing required that rerun does not require)."""
    t_pos, t_names, t_var_pos, t_var_kw = _params(theirs)
    o_pos, o_names, o_var_pos, o_var_kw = _params(ours)
    problems = []
    for i, p in enumerate(t_pos):
        if i >= len(o_pos):
            if not o_var_pos:
                problems.append(f"positional parameter {p.name!r} missing")
        elif o_pos[i].name != p.name and p.kind is not p.POSITIONAL_ONLY:
            problems.append(f"positional parameter {i} is {o_pos[i].name!r}, rerun has {p.name!r}")
    for name, p in t_names.items():
        if p.kind is p.POSITIONAL_ONLY:
            continue
        q = o_names.get(name)
        if q is None:
            if not o_var_kw:
                problems.append(f"keyword {name!r} missing")
        elif q.kind is q.POSITIONAL_ONLY:
            problems.append(f"{name!r} is positional-only")
        elif q.kind is q.KEYWORD_ONLY and p.kind is p.POSITIONAL_OR_KEYWORD:
            problems.append(f"{name!r} is keyword-only, rerun takes it positionally")
    for name, q in o_names.items():
        if q.default is q.empty and (name not in t_names or t_names[name].default is not q.empty):
            problems.append(f"{name!r} is required, rerun does not require it")
    if t_var_pos and not o_var_pos:
        problems.append("*args missing")
    if t_var_kw and not o_var_kw:
        problems.append("**kwargs missing")
    return problems


def signature_problems(theirs_obj, ours_obj, where: str) -> list[str]:
    try:
        theirs = inspect.signature(theirs_obj)
    except (TypeError, ValueError):
        return []  # a native object without a signature: nothing to compare
    params = list(theirs.parameters.values())
    if isinstance(theirs_obj, type) and params and params[0].name == "self":
        theirs = theirs.replace(parameters=params[1:])  # native classes list `self` in their signature
    try:
        ours = inspect.signature(ours_obj)
    except (TypeError, ValueError):
        return [f"{where}: annoview's has no signature"]
    return [f"{where}: {p}" for p in incompatibilities(theirs, ours)]


def test_every_top_level_name_exists():
    missing = sorted(public(rerun) - PLAIN_IMPORTS - PENDING_NAMES - public(annoview))
    assert missing == []
    assert all(hasattr(annoview, n) for n in public(rerun) - PLAIN_IMPORTS - PENDING_NAMES)


def test_pending_list_is_current():
    """Once a branch's names are merged, its allow-list entries must go."""
    assert sorted(PENDING_NAMES - public(rerun)) == []
    assert sorted(n for n in PENDING_NAMES if n in dir(annoview)) == []


def test_top_level_functions_have_rerun_signatures():
    problems = []
    for name in sorted(public(rerun) - PLAIN_IMPORTS - PENDING_NAMES):
        obj = getattr(rerun, name)
        if inspect.isfunction(obj) or inspect.isbuiltin(obj):
            problems += signature_problems(obj, getattr(annoview, name), f"rr.{name}")
    assert problems == []


def test_recording_stream_has_rerun_methods_and_signatures():
    ours, theirs = annoview.RecordingStream, rerun.RecordingStream
    names = {n for n in dir(theirs) if not n.startswith("_")} | {"__init__", "__enter__", "__exit__"}
    missing = sorted(n for n in names - PENDING_METHODS if not hasattr(ours, n))
    assert missing == []
    problems = []
    for n in sorted(names - PENDING_METHODS):
        problems += signature_problems(getattr(theirs, n), getattr(ours, n), f"RecordingStream.{n}")
    assert problems == []


@pytest.mark.parametrize("name", ["FileSink", "GrpcSink", "GrpcServerSink", "ChunkBatcherConfig", "LoggingHandler",
                                  "BinaryStream", "MemoryRecording"])
def test_helper_classes_match(name):
    theirs, ours = getattr(rerun, name), getattr(annoview, name)
    # Rerun's BinaryStream/MemoryRecording are built by the SDK only (from native storage).
    problems = [] if name in ("BinaryStream", "MemoryRecording") else signature_problems(theirs, ours, name)
    for attr in sorted(n for n in dir(theirs) if not n.startswith("_")):
        if not hasattr(ours, attr):
            problems.append(f"{name}.{attr} missing")
        elif callable(getattr(theirs, attr)) and not isinstance(getattr(theirs, attr), type):
            problems += signature_problems(getattr(theirs, attr), getattr(ours, attr), f"{name}.{attr}")
    assert problems == []


SUBMODULES = ["blueprint", "blueprint.api", "blueprint.archetypes", "blueprint.components", "blueprint.containers",
              "blueprint.encodings", "blueprint.experimental", "blueprint.table", "blueprint.views",
              "blueprint.visualizers", "experimental", "utilities", "notebook", "recording_stream", "sinks", "time",
              "web", "error_utils", "catalog", "auth", "server", "urdf"]


def _rerun_api_names(module) -> set[str]:
    """A module's public names minus submodules and plain imports of stdlib/third-party names."""
    out = set()
    for n in public(module):
        obj = getattr(module, n)
        if inspect.ismodule(obj) or n in PLAIN_IMPORTS:
            continue
        origin = (getattr(obj, "__module__", "") or "").split(".")[0]
        if origin in ("typing", "collections", "dataclasses", "builtins", "functools", "typing_extensions", "pathlib",
                      "contextlib", "os", "warnings", "pyarrow", "numpy", "datetime") and not n.endswith("Like"):
            continue
        out.add(n)
    return out


@pytest.mark.parametrize("sub", SUBMODULES)
def test_submodule_names_exist(sub):
    theirs = importlib.import_module(f"rerun.{sub}")
    ours = importlib.import_module(f"annoview.{sub}")
    names = _rerun_api_names(theirs) - PENDING_NAMES
    assert sorted(names - set(dir(ours))) == []
    assert all(hasattr(ours, n) for n in names)
    problems = []
    for n in sorted(names):
        obj = getattr(theirs, n)
        if inspect.isfunction(obj) and not sub.startswith("blueprint"):
            problems += signature_problems(obj, getattr(ours, n), f"{sub}.{n}")
    assert problems == []


def test_submodules_reachable_as_attributes_and_imports():
    import annoview.blueprint.components  # noqa: F401
    from annoview.blueprint import Spatial2DView  # noqa: F401
    from annoview.blueprint.components import Corner2D  # noqa: F401
    from annoview.blueprint.components.corner_2d import Corner2D as Deep  # any deeper import works too

    assert Deep.LeftTop is Deep.LeftTop
    with pytest.raises(ImportError):
        import annoview.no_such_module  # noqa: F401  (only blueprint is open-ended)

    for sub in ("blueprint", "experimental", "utilities", "notebook", "catalog", "auth", "server", "urdf", "bindings"):
        assert inspect.ismodule(getattr(annoview, sub))
    assert inspect.ismodule(annoview.blueprint.components)
