"""Team receipts: what the team store says it holds of each event, kept beside the journal.

A receipt is the team store's witness statement about one of its rows: the row's place in
the team chain (`seq`, the arrival order), the database role that inserted it (`session_user`,
set by a trigger) and when it arrived (`recorded_at`, the server's clock). The sync stores
one for every row it pushes or pulls.

Receipts live in the sync's side file (`<journal>-team`, next to the cursors), not in the
journal: they are not the local record and must never touch its hash chain; they belong to
one team store (keyed like the cursors: a restored or replaced store says other things);
and they can always be read again from the store, so a lost side file only costs a re-read.
The journal file itself stays exactly as a cockpit without a team writes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import msgspec

from cockpit.model import format_ts


class Receipt(msgspec.Struct, frozen=True):
    """One row of the team store, as the store describes it."""

    id: str  # the event's id (the same in every journal)
    incident: str
    seq: int  # its place in the team chain: the order events reached the team store
    ts: str  # when it happened (the event's own time, kept by the sync)
    recorded_by: str  # the database role that inserted it (session_user)
    recorded_at: str  # when it reached the team store (UTC, the server's clock)
    change_key: str | None = None  # a system change's data.key (the team keeps one per key)


def receipt_row(
    id_: str,
    incident: str,
    seq: int,
    ts: str,
    recorded_by: str,
    recorded_at: datetime,
    change_key: str | None,
) -> Receipt:
    """A receipt from the team store's columns (recorded_at is a timestamptz)."""
    return Receipt(id_, incident, int(seq), ts, recorded_by, format_ts(recorded_at), change_key)


_TABLE = """
CREATE TABLE IF NOT EXISTS receipts (
    n           INTEGER PRIMARY KEY AUTOINCREMENT,  -- grows with every write: what is new
    store       TEXT NOT NULL,
    id          TEXT NOT NULL,
    incident    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    ts          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    change_key  TEXT,
    UNIQUE (store, id)
);
CREATE INDEX IF NOT EXISTS receipts_by_incident ON receipts (incident, store, n);
"""
_COLUMNS = "id, incident, seq, ts, recorded_by, recorded_at, change_key"


def ensure_table(conn: sqlite3.Connection) -> bool:
    """Create the receipts table in the side file; True when it did not exist yet."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipts'"
    ).fetchone()
    if found:
        return False
    conn.executescript(f"BEGIN; {_TABLE} COMMIT;")
    return True


def store(conn: sqlite3.Connection, store_key: str, receipts: Iterable[Receipt]) -> None:
    """Keep what the store said (a store that now says otherwise, restored, replaces it)."""
    rows = [(store_key, *msgspec.structs.astuple(r)) for r in receipts]
    if not rows:
        return
    conn.execute("BEGIN")
    try:
        conn.executemany(
            f"INSERT OR REPLACE INTO receipts (store, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _open_readonly(side_file: Path) -> sqlite3.Connection | None:
    if not side_file.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{side_file}?mode=ro", uri=True, timeout=5)
        conn.execute("SELECT 1 FROM receipts LIMIT 1")
    except sqlite3.Error:  # no receipts table yet (an older side file), or not readable
        with contextlib.suppress(Exception):
            conn.close()
        return None
    return conn


class ReceiptReader:
    """Reads one incident's receipts from a side file, all at first, then only what is new.

    The store read is the one whose receipts for the incident were written last (a side file
    normally knows one team store; after a change of URL the current one is the live one)."""

    def __init__(self, side_file: Path, incident: str) -> None:
        self.side_file = side_file
        self.incident = incident
        self.store_key: str | None = None
        self._since = 0

    @property
    def exists(self) -> bool:
        return self.side_file.exists()

    def read_new(self) -> list[Receipt]:
        """The receipts written since the last call ([] when none, or no side file yet)."""
        conn = _open_readonly(self.side_file)
        if conn is None:
            return []
        try:
            if self.store_key is None:
                row = conn.execute(
                    "SELECT store FROM receipts WHERE incident = ? ORDER BY n DESC LIMIT 1",
                    (self.incident,),
                ).fetchone()
                if row is None:
                    return []
                self.store_key = str(row[0])
            rows = conn.execute(
                f"SELECT n, {_COLUMNS} FROM receipts WHERE incident = ? AND store = ? AND n > ?"
                " ORDER BY n",
                (self.incident, self.store_key, self._since),
            ).fetchall()
        except sqlite3.Error:
            return []
        finally:
            conn.close()
        if rows:
            self._since = int(rows[-1][0])
        return [Receipt(*r[1:]) for r in rows]


def side_file_of(journal: Path) -> Path:
    """Where the sync keeps its cursors and the receipts: `<journal>-team`."""
    return journal.with_name(journal.name + "-team")
