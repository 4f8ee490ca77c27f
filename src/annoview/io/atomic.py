"""Write a file beside its final name and rename it into place, with the mode a plain open()
would give it.

Why: a conversion that fails half way must leave no half-written file, so outputs are written to
a temporary file next to the target and renamed at the end. `tempfile.mkstemp` creates that
file with mode 0600 whatever the umask; a recording written like that would be unreadable for
the user's group where `rr.save` (a plain open) makes it readable. So the mode is set from the
umask before the rename.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

_umask_lock = threading.Lock()


def temp_beside(target: Path) -> str:
    """A new empty temporary file in the target's folder (same file system: rename is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    return tmp


def current_umask() -> int:
    with _umask_lock:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def publish(tmp: str, target: Path) -> None:
    """Give `tmp` the mode open() would (0666 minus the umask) and rename it onto `target`."""
    os.chmod(tmp, 0o666 & ~current_umask())
    os.replace(tmp, target)
