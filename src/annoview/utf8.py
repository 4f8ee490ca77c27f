"""Text that must become UTF-8: labels, entity paths, timeline names, application ids.

A lone surrogate ("\\udc80", as in a file name decoded with surrogateescape) is a valid Python
str but cannot be encoded as UTF-8. Left alone it fails when the batch is written, far from
the call, and takes the whole batch with it. So it is caught at the call: strict mode raises,
non-strict mode replaces each lone surrogate with U+FFFD and warns once for the call.
"""
from __future__ import annotations

import re

from .errors import ValidationError
from .strict import report

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str, where: str, field: str) -> str:
    """`text` if it encodes as UTF-8; otherwise (non-strict) with lone surrogates replaced."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    report(ValidationError(where, field, f"{text!r:.80} holds a lone surrogate, which is not valid UTF-8"),
           "replaced with U+FFFD")
    return _SURROGATE.sub(REPLACEMENT, text)
