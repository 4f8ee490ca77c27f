"""What the viewer remembers between runs, in a per-user config folder.

Two files in `config_dir()`:
- `layout.ini`: Dear ImGui's own settings (dock layout, panel sizes, which tab is in front);
- `viewer.json`: window size and position, the front view tab, the view options (e.g. a
  mask's opacity, keyed by entity path; the labels option) and the legend's "color by".

Both are read as untrusted input: a file that is too big, not UTF-8, not the expected shape, or
holding absurd numbers is ignored with one warning line, and the viewer starts with the default
layout (nothing is ever evaluated; JSON values are checked field by field against the types of
the defaults). Writes go to a temporary file renamed into place, so a crash mid-write leaves the
previous settings. `annoview --reset-layout` starts from the defaults (and saves over them on
exit). Only the desktop viewer opened by the `annoview` command uses this; `--screenshot-to`
and tests that make an App directly do not (reproducible pictures, no writes to the home folder).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INI_NAME = "layout.ini"
JSON_NAME = "viewer.json"
MAX_BYTES = 1 << 20             # either file; a layout is a few KB
MAX_ENTRIES = 2000              # per view-option dict
MAX_COORD = 100_000             # window size / position and every number in the ini
VERSION = 1

Warn = Callable[[str], None]


def settings_warning(text: str) -> None:
    """The one terminal line for a settings problem."""
    print(f"annoview: warning: {text}", file=sys.stderr, flush=True)


def config_dir() -> Path:
    """ANNOVIEW_CONFIG_DIR if set (tests), else the platform's per-user config folder:
    $XDG_CONFIG_HOME/annoview or ~/.config/annoview on Linux, %APPDATA%\\annoview on Windows,
    ~/Library/Application Support/annoview on macOS."""
    forced = os.environ.get("ANNOVIEW_CONFIG_DIR")
    if forced:
        return Path(forced)
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "annoview"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "annoview"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "annoview"


@dataclass
class ViewerSettings:
    """The remembered state; every field optional (None: use the default)."""

    window_size: tuple[int, int] | None = None
    window_pos: tuple[int, int] | None = None
    view_tab: str | None = None                     # "2d" or "3d": the view tab in front
    view_options: dict[str, Any] = field(default_factory=dict)   # ViewOptions field -> value
    arrangement: list[bool] | None = None           # [2D content, 3D content] the layout was made for
    panel_sizes: dict[str, float] = field(default_factory=dict)   # see layout.build_default_layout
    color_by: str | None = None                     # the legend's "color by" (class / entity / instance)
    ini: str | None = None                          # imgui's settings text

    # ---- reading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path, warn: Warn) -> "ViewerSettings":
        """What `folder` holds; whatever is unreadable is reported once and left out."""
        s = cls()
        text = _read_text(folder / JSON_NAME, warn)
        if text is not None:
            try:
                data = json.loads(text, parse_constant=_no_constant)
                s._take_json(data)
            except (ValueError, TypeError, RecursionError) as e:
                warn(f"ignoring the saved viewer settings {folder / JSON_NAME}: {e}")
                s = cls()
        ini = _read_text(folder / INI_NAME, warn)
        if ini is not None:
            problem = ini_problem(ini)
            if problem:
                warn(f"ignoring the saved layout {folder / INI_NAME}: {problem}")
            else:
                s.ini = ini
        return s

    def _take_json(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        if data.get("version") != VERSION:
            raise ValueError(f"unknown settings version {data.get('version')!r}")
        self.window_size = _pair(data.get("window_size"), "window_size", lo=64)
        self.window_pos = _pair(data.get("window_pos"), "window_pos", lo=-MAX_COORD)
        tab = data.get("view_tab")
        if tab not in (None, "2d", "3d"):
            raise ValueError(f"view_tab: expected '2d' or '3d', got {tab!r}")
        self.view_tab = tab
        opts = data.get("view_options", {})
        if not isinstance(opts, dict):
            raise ValueError("view_options: expected an object")
        self.view_options = opts
        arr = data.get("arrangement")
        if arr is not None and not (isinstance(arr, list) and len(arr) == 2 and all(type(v) is bool for v in arr)):
            raise ValueError(f"arrangement: expected two booleans, got {arr!r}")
        self.arrangement = arr
        sizes = data.get("panel_sizes", {})
        if not (isinstance(sizes, dict) and set(sizes) <= {"left", "right", "bottom", "right_top"} and all(
                type(v) in (int, float) and 0 < v < MAX_COORD for v in sizes.values())):
            raise ValueError("panel_sizes: expected left/right/bottom/right_top sizes")
        self.panel_sizes = {k: float(v) for k, v in sizes.items()}
        from annoview.scene.legend import COLOR_BY

        color_by = data.get("color_by")
        if color_by is not None and color_by not in COLOR_BY:
            raise ValueError(f"color_by: expected one of {', '.join(COLOR_BY)}, got {color_by!r}")
        self.color_by = color_by

    # ---- writing ----------------------------------------------------------------------------
    def save(self, folder: Path, warn: Warn) -> bool:
        """Write both files (atomically); a failure is one warning, never an exception."""
        from annoview.io.atomic import publish, temp_beside

        data = {"version": VERSION, "window_size": self.window_size, "window_pos": self.window_pos,
                "view_tab": self.view_tab, "view_options": self.view_options, "arrangement": self.arrangement,
                "panel_sizes": self.panel_sizes, "color_by": self.color_by}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in ((JSON_NAME, json.dumps(data, indent=1, sort_keys=True)), (INI_NAME, self.ini)):
                if text is None:
                    continue
                target = folder / name
                tmp = temp_beside(target)
                try:
                    with open(tmp, "w", encoding="utf-8") as f:
                        f.write(text)
                    publish(tmp, target)
                except BaseException:
                    os.unlink(tmp)
                    raise
        except OSError as e:
            warn(f"could not save the viewer settings in {folder}: {e.strerror or e}")
            return False
        return True


# ---- view options (annoview.scene.ViewOptions) ----------------------------------------------

def options_to_json(options: Any) -> dict[str, Any]:
    """The JSON-able fields of a ViewOptions: scalars, and dicts of entity path -> scalar."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if isinstance(value, dict):      # only entity path keys (other keys are not remembered)
            out[f.name] = {k: v for k, v in list(value.items())[:MAX_ENTRIES] if isinstance(k, str) and _scalar(v)}
        elif _scalar(value):
            out[f.name] = value
    return out


def merged_view_options(saved: dict[str, Any], recordings: list[Any], active: Any) -> dict[str, Any]:
    """What to remember: each open recording's options (the active one's last, so it wins),
    plus saved entries for entities none of them has (they belong to other recordings). An
    option the user turned back to its default in an open recording is forgotten."""
    open_paths: set[str] = set()
    for rec in recordings:
        open_paths.update(rec.store.entity_paths())
    out: dict[str, Any] = {}
    for name, value in saved.items():
        out[name] = {k: v for k, v in value.items() if k not in open_paths} if isinstance(value, dict) else value
    for rec in sorted(recordings, key=lambda r: r is active):
        for name, value in options_to_json(rec.options).items():
            if isinstance(value, dict):
                out[name] = {**(out.get(name) if isinstance(out.get(name), dict) else {}), **value}
            else:
                out[name] = value
    return out


def apply_options(options: Any, saved: dict[str, Any], warn: Warn | None = None) -> None:
    """Set the fields of `options` from saved JSON, each only when its shape matches the
    field's declared type (a dict of entity path -> that scalar type, or that scalar type);
    entries of the wrong type, NaN or huge numbers are dropped, a field that no longer exists
    is skipped, a field of the wrong shape is reported."""
    hints = typing.get_type_hints(type(options))
    skipped = []
    for f in dataclasses.fields(options):
        if f.name not in saved:
            continue
        hint, value = hints.get(f.name), saved[f.name]
        args = typing.get_args(hint)
        if typing.get_origin(hint) is dict and len(args) == 2 and args[0] is str and isinstance(value, dict):
            good = {k: _coerce(v, args[1]) for k, v in list(value.items())[:MAX_ENTRIES] if isinstance(k, str)}
            current = getattr(options, f.name)
            current.clear()
            current.update({k: v for k, v in good.items() if v is not None})
        elif isinstance(hint, type) and _coerce(value, hint) is not None and _allowed(options, f.name, value):
            setattr(options, f.name, _coerce(value, hint))
        else:
            skipped.append(f.name)
    if skipped and warn is not None:
        warn(f"ignoring saved view options of the wrong shape: {', '.join(skipped)}")


def _allowed(options: Any, name: str, value: Any) -> bool:
    """A field with a closed set of values (`options.CHOICES`, e.g. labels: auto / on / off)
    takes only one of them."""
    choices = getattr(options, "CHOICES", {}).get(name)
    return choices is None or value in choices


def _coerce(v: Any, kind: Any) -> Any:
    """`v` as `kind` (bool, int, float or str) when it is one (ints pass as floats), else None."""
    if kind is bool:
        return v if type(v) is bool else None
    if kind is float:
        ok = type(v) in (int, float) and math.isfinite(v) and abs(v) < 1e9
        return float(v) if ok else None
    if kind is int:
        return v if type(v) is int and abs(v) < 1 << 53 else None
    if kind is str:
        return v if isinstance(v, str) and len(v) <= 256 else None
    return None


def _scalar(v: Any) -> bool:
    return isinstance(v, (bool, int, float, str)) and not (isinstance(v, str) and len(v) > 256)


# ---- validation -----------------------------------------------------------------------------

_INI_LINE = re.compile(r"^(\[[\x20-\x5c\x5e-\x7e]{1,200}\]\[[\x20-\x5c\x5e-\x7e]{0,200}\]|[\x20-\x7e]{0,400})$")
_COORDS = re.compile(r"\b(?:Pos|Size|SizeRef)=(-?\d+),(-?\d+)")
_HUGE = re.compile(r"(?<![0-9A-Fa-fx])\d{10,}")


def ini_problem(text: str) -> str | None:
    """Why an imgui settings text is not one we would have written (None: it looks fine).
    Only lines of imgui's shape are accepted (`[Section][Name]` or printable ASCII), window and
    dock positions and sizes must be within +-100000, and no decimal number may be long enough
    to overflow imgui's int parsing."""
    lines = text.splitlines()
    if len(lines) > 20_000:
        return "too many lines"
    for n, line in enumerate(lines, 1):
        if not _INI_LINE.match(line):
            return f"line {n} is not an imgui settings line"
        if _HUGE.search(line) or any(abs(int(v)) > MAX_COORD for m in _COORDS.findall(line) for v in m):
            return f"line {n} has an out-of-range number"
    return None


def _read_text(path: Path, warn: Warn) -> str | None:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):   # nothing saved there (yet)
        return None
    except OSError as e:
        warn(f"could not read {path}: {e.strerror or e}")
        return None
    if len(raw) > MAX_BYTES:
        warn(f"ignoring {path}: larger than {MAX_BYTES // 1024} KiB")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        warn(f"ignoring {path}: not UTF-8 text")
        return None


def _pair(value: Any, name: str, lo: int) -> tuple[int, int] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int and lo <= v <= MAX_COORD for v in value)):
        raise ValueError(f"{name}: expected two integers in {lo}..{MAX_COORD}, got {value!r}")
    return (value[0], value[1])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")
