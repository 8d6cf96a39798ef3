"""Where a journal lives, checked without opening it: cheap enough to run before the TUI.

The cockpit opens its journal after the first frame (SQLite, hashing and the store cost ~5 ms
of the start); these checks catch the usual wrong `--journal` first, so a typo is still one
error line and exit 2, not a screen that flashes up and goes.
"""

from __future__ import annotations

import os
from pathlib import Path

from cockpit.journal.errors import JournalError

SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def check_location(path: str | os.PathLike[str], *, create: bool = True) -> Path:
    """The journal's path, made ready to open: its folder created (0700) and an empty file
    (0600) if `create`; a JournalError names what is wrong with it otherwise."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise JournalError(f"{path} is a directory: pass the journal file with --journal")
    if not path.exists():
        if not create:
            raise JournalError(
                f"no journal at {path}: check --journal/COCKPIT_JOURNAL, or start an "
                "incident first (cockpit note TEXT)"
            )
        try:
            _create(path)
        except OSError as exc:
            from cockpit.journal.faults import journal_fault  # loads sqlite3: only on failure

            raise journal_fault(exc, path, "create") from None
        return path
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise JournalError(f"cannot read journal {path}: {exc.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise JournalError(
            f"{path} is not a cockpit journal (not an SQLite file): "
            "pass the right file with --journal"
        )
    return path


def _create(path: Path) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    # created 0600 before SQLite touches it; -wal and -shm inherit the mode
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
