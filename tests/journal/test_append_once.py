"""System changes seen by two cockpits on one journal are journaled once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from cockpit.journal.store import SCHEMA_VERSION, Journal
from cockpit.model import Draft


def firing(key: str) -> Draft:
    return Draft(
        incident="INC-1",
        kind="system.alert.firing",
        actor="alertmanager",
        data={"alert": "HighErrorRate", "key": key},
    )


async def test_two_journal_handles_race_one_change(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as one, await Journal.open(path) as two:
        results = await asyncio.gather(
            *(j.append_once(firing("fire:abc@t1")) for j in (one, two, one, two))
        )
        assert sum(r is not None for r in results) == 1
        # a later firing of the same alert is a new change
        assert await two.append_once(firing("fire:abc@t2")) is not None
        # the same key in another incident is another incident's business
        other = Draft(
            incident="INC-2",
            kind="system.alert.firing",
            actor="am",
            data={"alert": "X", "key": "fire:abc@t1"},
        )
        assert await one.append_once(other) is not None
        events = await one.events()
        assert [e.data["key"] for e in events] == ["fire:abc@t1", "fire:abc@t2", "fire:abc@t1"]
        assert (await one.verify()).ok


async def test_version_one_file_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        await journal.append(firing("fire:old"))
    # pretend the file was written before the change-key index existed
    raw = sqlite3.connect(path)
    raw.execute("DROP INDEX events_by_change_key")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    async with await Journal.open(path) as journal:
        assert await journal.append_once(firing("fire:old")) is None
        assert len(await journal.events()) == 1
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    raw.close()
    assert "events_by_change_key" in names
