"""What went wrong with a journal file, in words a responder can act on.

SQLite reports a read-only mount, a full disk, a damaged page and a foreign file with a few
fixed messages; each becomes one JournalError that names the cause and the fix, so the user
is never told "not a cockpit journal" about their own journal on a full disk.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from cockpit.journal.errors import JournalDamaged, JournalError

RESTORE_HINT = "keep the file as it is for inspection and restore a copy made with cockpit backup"

# messages SQLite (or its Python binding) gives for a file whose bytes are damaged
_DAMAGE = (
    "malformed",
    "file is not a database",
    "corrupt",
    "could not decode",
    "unsupported file format",
    "database disk image",
)


def on_read_only_filesystem(path: Path) -> bool:
    """True when the filesystem holding `path` (or its folder) is mounted read-only."""
    for where in (path, path.parent):
        try:
            return bool(os.statvfs(where).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def out_of_space(path: Path) -> bool:
    """True when the filesystem holding `path` has (next to) no space left: SQLite then often
    says "disk I/O error" (the -shm cannot grow) rather than "database or disk is full"."""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < LOW_SPACE_BYTES


LOW_SPACE_BYTES = 64 * 1024  # under a WAL frame batch and an -shm page: nothing fits


def journal_fault(exc: BaseException, path: Path, doing: str, *, ours: bool = True) -> JournalError:
    """The one-line error for `exc`, raised while `doing` ("open", "read", "write") `path`.

    `ours`: the file says it is a cockpit journal (its schema version is one we wrote), so a
    table or column missing from it is damage, not a wrong file."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    low = text.lower()
    code = exc.errno if isinstance(exc, OSError) else None
    full = "disk is full" in low or ("i/o error" in low and out_of_space(path))
    if code == errno.ENOSPC or full:
        return JournalError(f"disk full writing {path}: free space on its filesystem and retry")
    # damage before the read-only check: a damaged file on a read-only mount is damaged.
    # A stored text that does not decode is damage; one that cannot be encoded is ours to
    # refuse before it gets here (cli refuses arguments that are not UTF-8)
    if isinstance(exc, UnicodeDecodeError) or any(mark in low for mark in _DAMAGE):
        return JournalDamaged(f"journal {path} is damaged ({text}): {RESTORE_HINT}")
    sqlite_or_os = isinstance(exc, (OSError, sqlite3.OperationalError))
    if sqlite_or_os and (code == errno.EROFS or on_read_only_filesystem(path)):
        return JournalError(
            f"journal is on a read-only filesystem: {path} (remount it read-write, or copy "
            "it elsewhere and pass that with --journal)"
        )
    if "readonly" in low or "read-only" in low or code in (errno.EACCES, errno.EPERM):
        return JournalError(
            f"journal {path} cannot be written ({text}): check the permissions of the file, "
            "its -wal and -shm files and its folder"
        )
    if "locked" in low or "busy" in low:
        return JournalError(
            f"journal {path} stayed locked by another process ({text}): retry in a moment"
        )
    if "no such table" in low or "no such column" in low:
        if ours:
            return JournalDamaged(f"journal {path} is damaged ({text}): {RESTORE_HINT}")
        return JournalError(
            f"{path} is not a cockpit journal ({text}): pass the right file with --journal"
        )
    if isinstance(exc, OSError):
        text = exc.strerror or text
    return JournalError(f"cannot {doing} journal {path}: {text}")
