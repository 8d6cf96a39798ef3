"""A consistent copy of a live journal, made with SQLite's online backup API.

Copying the .sqlite file alone misses what is still in its -wal, and copying both while a
cockpit writes can catch them at different moments. The backup API copies every page of one
read snapshot (the WAL's committed frames included) into a file of its own, which is then
verified on its own: what `cockpit backup` prints is that copy's head.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cockpit.journal.faults import journal_fault
from cockpit.journal.rows import COLUMNS, VerifyResult, verify_rows

BUSY_TIMEOUT_S = 10.0


def backup_journal(source: Path, target: Path, *, name: Path | None = None) -> VerifyResult:
    """Copy the journal at `source` into the (new, empty) file `target`; the copy's chain.

    `name`: what to call the target in errors (it may be a temporary file renamed later)."""
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise journal_fault(exc, source, "open") from None
    try:
        dst = sqlite3.connect(target)
        try:
            # one step (pages=-1): the whole copy is one read transaction, so appends by
            # other processes meanwhile are either all in it or not at all
            src.backup(dst, pages=-1)
            # the copy stands alone: no -wal of its own to lose beside it
            dst.execute("PRAGMA journal_mode = DELETE").fetchall()
            rows = dst.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq").fetchall()
        finally:
            dst.close()
    except (sqlite3.Error, UnicodeError) as exc:
        text = str(exc).lower()
        if "full" in text or "readonly" in text or "unable to open" in text:
            raise journal_fault(exc, name or target, "write") from None  # the copy's side
        raise journal_fault(exc, source, "back up") from None
    finally:
        src.close()
    return verify_rows(rows)
