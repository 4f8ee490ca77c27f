"""Memory limits: parse `--memory-limit` values and pick the default.

Why a fraction of RAM by default: a viewer that holds a whole recording dies on the first file
larger than memory; one that holds a fixed amount wastes a big machine. A quarter of physical
memory leaves room for the OS, the GPU driver and the page cache that makes reloads cheap.
"""
from __future__ import annotations

import os
import re

DEFAULT_FRACTION = 0.25
MIN_LIMIT = 16 * 2**20          # below this a single mask frame would not fit: refuse, say why
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_PATTERN = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-z%]*)\s*$")


def total_ram() -> int | None:
    """Physical memory in bytes, None where the platform does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_limit() -> int:
    """A quarter of physical memory (4 GiB when it cannot be read), never below MIN_LIMIT."""
    ram = total_ram()
    return max(MIN_LIMIT, int((ram if ram else 16 * 2**30) * DEFAULT_FRACTION))


def parse_memory_limit(text: str) -> int | None:
    """'2GB', '512MiB', '1.5g', '25%' (of physical memory), '1000000' (bytes) or 'none'/'off'
    (no limit: None) -> bytes. Bad values raise ValueError with one line saying what was wrong."""
    low = text.strip().lower()
    if low in ("none", "off", "unlimited"):
        return None
    m = _PATTERN.match(low)
    if m is None:
        raise ValueError(f"expected a size such as 2GB, 512MiB or 25%, got {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    if unit == "%":
        if not 0 < value <= 100:
            raise ValueError(f"expected a percentage in (0, 100], got {text!r}")
        ram = total_ram()
        if ram is None:
            raise ValueError(f"{text!r}: this platform does not report its physical memory; give a size")
        limit = int(ram * value / 100)
    elif unit in _UNITS:
        limit = int(value * _UNITS[unit])
    else:
        raise ValueError(f"unknown unit {m.group(2)!r} in {text!r} (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB or %)")
    if limit < MIN_LIMIT:
        raise ValueError(f"{text!r} is below the smallest limit, {MIN_LIMIT // 2**20} MiB")
    return limit


def format_bytes(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
