"""Writing the files cockpit hands to people (exports): all or nothing, under a safe name."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, limit: int = 120) -> str:
    """`name` as one file name in the current folder: no separators, no leading dot, no
    controls (an incident id comes from the journal, which an import may have filled)."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".")[:limit]
    return cleaned or "incident"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A new, empty, private (0600) file beside `path` for the block to fill by any means (a
    database backup, not only text); flushed to disk and renamed over `path` when the block
    ends, removed if it fails: `path` holds the previous content or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a full disk or a crash halfway leaves the
    previous file as it was. Written beside it, flushed to disk, then renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
