"""The team store as a witness of each local journal's checkpoints (issue 14 item 1).

A checkpoint kept only in the journal file is gone when someone cuts the file and empties its
`checkpoints` table too. The sync task therefore pushes every local checkpoint to the team
store (another machine, INSERT/SELECT only for the cockpit role), after the events it covers;
`cockpit verify` of a local journal then reads them back and checks the file against them.

The push cursor ("witnessed up to local checkpoint id N") lives in the sync's side file
(`<journal>-team`), in a table of its own. Like the event cursors it only ever lags: a lost
cursor re-sends notes the team store already has, which (origin, digest) makes a no-op.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.journal.checkpoints import CheckpointError, parse

if TYPE_CHECKING:
    from cockpit.journal.postgres import PostgresJournal
    from cockpit.journal.store import Journal

TEAM_STORE = "in the team store"  # how verify names where such a checkpoint was found
LOOKUP_TIMEOUT_S = 15.0  # verify's whole read of the witness (connect timeouts are inside)


def digest(note: str) -> str:
    return hashlib.sha256(note.encode("utf-8")).hexdigest()


class WitnessCursor:
    """The last local checkpoint id the team store has, per store, in the sync side file."""

    def __init__(self, path: Path, store: str) -> None:
        self.store = store
        self._conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS witnessed (store TEXT PRIMARY KEY,"
            " checkpoint INTEGER NOT NULL DEFAULT 0)"
        )
        self._conn.execute("INSERT OR IGNORE INTO witnessed (store) VALUES (?)", (store,))

    def read(self) -> int:
        row = self._conn.execute(
            "SELECT checkpoint FROM witnessed WHERE store = ?", (self.store,)
        ).fetchone()
        return int(row[0]) if row else 0

    def moved(self, checkpoint_id: int) -> None:
        # max(): two processes sync the same file; a cursor never moves back
        self._conn.execute(
            "UPDATE witnessed SET checkpoint = max(checkpoint, ?) WHERE store = ?",
            (checkpoint_id, self.store),
        )

    def reset(self) -> None:
        self._conn.execute("UPDATE witnessed SET checkpoint = 0 WHERE store = ?", (self.store,))

    def close(self) -> None:
        self._conn.close()


async def push_checkpoints(
    local: Journal, team: PostgresJournal, cursor: WitnessCursor, events_pushed: int
) -> int:
    """Push the local checkpoints the team store lacks, in order, each only once the events
    it covers are pushed (local seq <= `events_pushed`): how many were sent. A store that
    keeps no checkpoints (an older schema an admin has not upgraded) is skipped."""
    from cockpit.journal.postgres import WitnessUnavailable

    if not team.witnesses:
        return 0
    after = cursor.read()
    rows: list[tuple[str, str, int, str, str]] = []
    last = after
    for checkpoint_id, size, note in await local.checkpoints_after(after):
        if size > events_pushed:
            break  # its events are not in the team store yet: the next round
        try:
            checkpoint = parse(note)
        except CheckpointError:
            last = checkpoint_id  # unreadable: nothing to witness (verify names it locally)
            continue
        rows.append((checkpoint.origin, digest(note), checkpoint.size, checkpoint.head, note))
        last = checkpoint_id
    if rows:
        try:
            await team.keep_checkpoints(rows)
        except WitnessUnavailable:
            return 0  # events still sync; `cockpit doctor` says what the admin runs
    if last > after:
        cursor.moved(last)
    return len(rows)


async def team_checkpoints(url: str, origin: str) -> tuple[list[tuple[str, str]], str | None]:
    """(where, note) of every checkpoint the team store keeps for `origin`, and, when they
    cannot be read, one line saying why (verify goes on with what it has)."""
    from cockpit.journal.errors import JournalError
    from cockpit.journal.postgres import PostgresJournal

    not_checked = "team store not checked"
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_S):
            async with await PostgresJournal.open(url, create=False) as team:
                if not team.witnesses:
                    return [], (
                        f"{not_checked}: team journal {team.path} keeps no checkpoints yet"
                        f" (schema {team.schema}): an admin runs the SQL `cockpit doctor` prints"
                    )
                kept = await team.witnessed(origin)
    except TimeoutError:
        return [], f"{not_checked}: team journal unreachable (timed out)"
    except (JournalError, OSError) as exc:
        return [], f"{not_checked}: {exc}"
    return [(f"{TEAM_STORE}, recorded by {by} at {at}", note) for note, by, at in kept], None
