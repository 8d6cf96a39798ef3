"""The journal contract (contract.py) against the local SQLite store, on a real file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.journal.ports import CheckpointLog, EventLog, JournalPort, ObservationLog
from cockpit.journal.store import Journal

from .contract import JournalContract, Tamper, note


class TestSQLiteJournal(JournalContract):
    @pytest.fixture
    async def log(self, db_path: Path) -> AsyncIterator[JournalPort]:
        journal = await Journal.open(db_path)
        try:
            yield journal
        finally:
            await journal.close()

    @pytest.fixture
    async def second(self, log: JournalPort, db_path: Path) -> AsyncIterator[JournalPort]:
        journal = await Journal.open(db_path)  # its own connections, as another process has
        try:
            yield journal
        finally:
            await journal.close()

    @pytest.fixture
    def tamper(self, db_path: Path) -> Tamper:
        def edit(seq: int, column: str, value: Any) -> None:
            conn = sqlite3.connect(db_path, isolation_level=None)
            try:
                conn.execute("DROP TRIGGER IF EXISTS events_no_update")
                conn.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (value, seq))
            finally:
                conn.close()

        return edit

    # the local store's CheckpointLog (the team store keeps no checkpoints yet)
    async def test_checkpoints_are_kept_beside_the_chain(self, log: Journal) -> None:
        assert await log.checkpoint_state() is None
        assert await log.kept_checkpoints() == []
        first = await log.append(note("one"))
        second = await log.append(note("two"))
        assert await log.checkpoint_state() == (first.id, 2, second.hash)
        assert await log.hash_at(1) == first.hash and await log.hash_at(3) is None
        await log.keep_checkpoint(2, "note a\n")
        await log.keep_checkpoint(2, "note b\n")
        assert await log.kept_checkpoints() == ["note a\n", "note b\n"]
        # outside the chain: the events and their verification are untouched
        assert (await log.head()) == (2, second.hash)
        assert (await log.verify()).count == 2


async def test_the_store_has_every_member_of_the_port(db_path: Path) -> None:
    # a missing or renamed method on either side shows up here, not in a caller at runtime
    async with await Journal.open(db_path) as journal:
        for port in (EventLog, ObservationLog, CheckpointLog, JournalPort):
            names = set(dir(port)) | {
                n for c in port.__mro__ for n in vars(c).get("__annotations__", {})
            }
            missing = sorted(n for n in names if not n.startswith("_") and not hasattr(journal, n))
            assert missing == [], f"Journal lacks {port.__name__}: {missing}"
