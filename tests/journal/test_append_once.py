"""append_once on a journal written before the change-key index (the race: contract.py)."""

from __future__ import annotations

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


async def test_version_one_file_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path) as journal:
        await journal.append(firing("fire:old"))
    # pretend the file was written before the change-key index existed
    raw = sqlite3.connect(path)
    raw.execute("DROP INDEX events_by_change_key")
    raw.execute("DROP TABLE checkpoints")  # nor the checkpoints (schema 3)
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
