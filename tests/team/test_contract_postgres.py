"""The journal contract (tests/journal/contract.py) against the team store, on a real
PostgreSQL, as the least-privileged cockpit role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from cockpit.journal.ports import EventLog, JournalPort, ObservationLog
from cockpit.journal.postgres import PostgresJournal
from tests.journal.contract import JournalContract, Tamper


class TestPostgresJournal(JournalContract):
    @pytest.fixture
    async def log(self, team_url: str) -> AsyncIterator[JournalPort]:
        journal = await PostgresJournal.open(team_url)
        try:
            yield journal
        finally:
            await journal.close()

    @pytest.fixture
    async def second(self, log: JournalPort, team_url: str) -> AsyncIterator[JournalPort]:
        journal = await PostgresJournal.open(team_url)  # its own connection: another machine
        try:
            yield journal
        finally:
            await journal.close()

    @pytest.fixture
    def tamper(self, admin_sql: Callable[..., Any]) -> Tamper:
        def edit(seq: int, column: str, value: Any) -> None:
            admin_sql("ALTER TABLE events DISABLE TRIGGER USER")
            admin_sql(f"UPDATE events SET {column} = %s WHERE seq = %s", value, seq)
            admin_sql("ALTER TABLE events ENABLE TRIGGER USER")

        return edit


async def test_the_store_has_every_member_of_the_port(team_url: str) -> None:
    async with await PostgresJournal.open(team_url) as journal:
        for port in (EventLog, ObservationLog, JournalPort):
            names = set(dir(port)) | {
                n for c in port.__mro__ for n in vars(c).get("__annotations__", {})
            }
            missing = sorted(n for n in names if not n.startswith("_") and not hasattr(journal, n))
            assert missing == [], f"PostgresJournal lacks {port.__name__}: {missing}"
