"""Entity paths: parsing, canonical form and ancestry.

Canonical form is Rerun's: a leading slash, parts separated by '/', the root is "/". Users may
omit the leading slash or pass a list of parts (parts are escaped then, as Rerun does).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from .errors import ValidationError
from .utf8 import encodable

ROOT = "/"


def _escape_part(part: str) -> str:
    return part.replace("\\", "\\\\").replace("/", "\\/")


def _split_escaped(path: str) -> list[str]:
    """Split on unescaped '/' keeping escapes in the parts."""
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(path):
        c = path[i]
        if c == "\\" and i + 1 < len(path):
            cur.append(path[i : i + 2])
            i += 2
            continue
        if c == "/":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


@lru_cache(maxsize=65536)
def _normalize_str(path: str) -> str:
    if path in ("", "/"):
        if path == "":
            raise ValidationError("entity_path", "", "empty entity path; use '/' for the root")
        return ROOT
    if any(ord(c) < 32 for c in path):
        raise ValidationError("entity_path", "", f"control character in entity path {path!r}")
    body = path[1:] if path.startswith("/") else path
    if body.endswith("/") and not body.endswith("\\/"):
        body = body[:-1]
    parts = _split_escaped(body)
    for part in parts:
        if part == "":
            raise ValidationError("entity_path", "", f"empty part in entity path {path!r} (double or trailing '/')")
    return "/" + "/".join(parts)


def normalize(path: str | Sequence[str] | Iterable[str]) -> str:
    """Return the canonical "/a/b" form of an entity path, or raise ValidationError."""
    if isinstance(path, str):
        return _normalize_str(path if path.isascii() else encodable(path, "entity_path", ""))
    if isinstance(path, (list, tuple)):
        if not path:
            return ROOT
        parts = []
        for p in path:
            if not isinstance(p, (str, int)) or isinstance(p, bool):
                raise ValidationError("entity_path", "", f"path parts must be strings, got {type(p).__name__}")
            s = str(p)
            if s == "":
                raise ValidationError("entity_path", "", f"empty part in entity path {list(path)!r}")
            parts.append(_escape_part(s))
        return _normalize_str(encodable("/" + "/".join(parts), "entity_path", ""))
    raise ValidationError("entity_path", "", f"expected a string or a list of parts, got {type(path).__name__}")


def parts(path: str) -> list[str]:
    """The parts of a canonical path; [] for the root."""
    return [] if path == ROOT else _split_escaped(path[1:])


def parent(path: str) -> str | None:
    """The parent of a canonical path, None for the root."""
    if path == ROOT:
        return None
    p = parts(path)
    return ROOT if len(p) == 1 else "/" + "/".join(p[:-1])


def ancestors_inclusive(path: str) -> list[str]:
    """The path itself, then each ancestor up to and including the root."""
    if path == ROOT:
        return [ROOT]
    ps = parts(path)  # split once: a deep path costs linear time, not quadratic
    out = [path]
    out.extend("/" + "/".join(ps[:n]) for n in range(len(ps) - 1, 0, -1))
    out.append(ROOT)
    return out
