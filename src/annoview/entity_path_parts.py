"""Building entity paths from arbitrary strings: `rr.escape_entity_path_part`, `rr.new_entity_path`.

A part may hold any text (a file name with spaces, a URL); escaping makes it one path part.
Rerun's rule, which annoview follows so both SDKs produce the same paths: letters and digits
(any script), '_', '-' and '.' stay; tab, newline and carriage return become \\t \\n \\r; other
ASCII characters (space, '/', ':', '$', ...) get a backslash; any other character becomes
\\u{XXXX} (its code point in hex).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_KEEP = frozenset("_-.")


@lru_cache(maxsize=65536)
def escape_entity_path_part(part: str) -> str:
    """One path part, escaped so that it stays one part whatever characters it holds."""
    out = []
    for c in str(part):
        if c.isalnum() or c in _KEEP:
            out.append(c)
        elif c in _NAMED:
            out.append(_NAMED[c])
        elif c.isascii() and c.isprintable():
            out.append("\\" + c)
        else:
            out.append(f"\\u{{{ord(c):04X}}}")
    return "".join(out)


def new_entity_path(entity_path: Iterable[Any]) -> str:
    """"/a/b/c" from the parts ["a", "b", "c"]; each part (str() of it) is escaped."""
    return "/" + "/".join(escape_entity_path_part(str(p)) for p in entity_path)
