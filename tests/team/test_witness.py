"""The team store witnesses each local journal's checkpoints (issue 14 item 1), on a real
PostgreSQL: pushed once, after their events, append-only for the cockpit role, and read back
by `cockpit verify` so a file cut together with its own checkpoints table is still caught."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cockpit.journal import postgres
from cockpit.journal.checkpointing import write_checkpoint
from cockpit.journal.postgres import PostgresJournal
from cockpit.journal.store import Journal
from cockpit.journal.sync import TeamSync
from cockpit.journal.witness import WitnessCursor, push_checkpoints
from cockpit.model import Draft
from tests.team import pgcluster
from tests.team.proxy import Proxy

RunCli = Callable[..., subprocess.CompletedProcess[str]]
AdminSql = Callable[..., list[tuple[Any, ...]]]
INCIDENT = "INC-20261202-0122-wt"


async def _fill(journal: Journal, count: int) -> None:
    await journal.append_many(
        Draft(INCIDENT, "note.added", "alice", {"type": "note", "text": f"note {i}"})
        for i in range(count)
    )


def _cut(path: Path, keep: int) -> None:
    """What someone with the file does: triggers dropped, the newest rows deleted, and the
    checkpoints kept beside them deleted too, so the file alone cannot tell."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DELETE FROM events WHERE seq > ?", (keep,))
        conn.execute("DROP TRIGGER checkpoints_no_delete")
        conn.execute("DELETE FROM checkpoints")
    finally:
        conn.close()


async def test_a_checkpoint_reaches_the_team_store_once_with_who_recorded_it(
    tmp_path: Path, team_url: str, admin_sql: AdminSql
) -> None:
    async with await Journal.open(tmp_path / "a.sqlite") as local:
        await _fill(local, 5)
        checkpoint, _ = await write_checkpoint(local, None)
        assert checkpoint is not None
        sync = TeamSync(local, team_url)
        try:
            await sync.sync_once()
            await sync.sync_once()
            sync.witness.reset()  # a lost cursor: everything is sent again
            await sync.sync_once()
        finally:
            await sync.close()
    rows = admin_sql("SELECT origin, size, head, note, recorded_by FROM checkpoints")
    assert rows == [
        (
            checkpoint.origin,
            5,
            checkpoint.head,
            checkpoint.text(),
            pgcluster.COCKPIT_ROLE,
        )
    ]


async def test_a_checkpoint_waits_for_the_events_it_covers(
    tmp_path: Path, team_url: str, admin_sql: AdminSql
) -> None:
    async with (
        await Journal.open(tmp_path / "a.sqlite") as local,
        await PostgresJournal.open(team_url) as team,
    ):
        await _fill(local, 3)
        await write_checkpoint(local, None)
        await _fill(local, 2)
        await write_checkpoint(local, None)
        cursor = WitnessCursor(tmp_path / "a.sqlite-team", "store")
        try:
            # the team store has 3 of the 5 events: only the checkpoint of 3 may go
            assert await push_checkpoints(local, team, cursor, events_pushed=3) == 1
            assert [r[0] for r in admin_sql("SELECT size FROM checkpoints")] == [3]
            assert await push_checkpoints(local, team, cursor, events_pushed=5) == 1
            assert await push_checkpoints(local, team, cursor, events_pushed=5) == 0
        finally:
            cursor.close()
    assert sorted(r[0] for r in admin_sql("SELECT size FROM checkpoints")) == [3, 5]


async def _witnessed(path: Path, count: int, team_url: str) -> None:
    """A local journal of `count` events, checkpointed, synced once to the team store."""
    async with await Journal.open(path) as local:
        await _fill(local, count)
        await write_checkpoint(local, None)
        sync = TeamSync(local, team_url)
        try:
            await sync.sync_once()
        finally:
            await sync.close()


async def test_the_cockpit_role_may_not_change_or_remove_a_witnessed_checkpoint(
    tmp_path: Path, team_url: str, admin_sql: AdminSql
) -> None:
    await _witnessed(tmp_path / "a.sqlite", 2, team_url)
    with psycopg.connect(team_url, autocommit=True) as conn:
        for sql in (
            "UPDATE checkpoints SET size = 1",
            "DELETE FROM checkpoints",
            "TRUNCATE checkpoints",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)  # type: ignore[arg-type]
    # not even the owner, without disabling the trigger first
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        admin_sql("DELETE FROM checkpoints")
    assert len(admin_sql("SELECT 1 FROM checkpoints")) == 1


async def test_verify_catches_a_cut_through_the_team_stores_copy(
    tmp_path: Path, team_url: str, run_cli: RunCli, env: dict[str, str]
) -> None:
    path = tmp_path / "local.sqlite"
    await _witnessed(path, 212, team_url)
    env["COCKPIT_TEAM_URL"] = team_url
    ok = run_cli("verify", "--journal", str(path))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "team store: 1 checkpoints of this journal witnessed" in ok.stdout

    _cut(path, 197)
    env["COCKPIT_TEAM_URL"] = ""
    alone = run_cli("verify", "--journal", str(path))
    assert alone.returncode == 0, "the file alone cannot tell: the reason for the witness"
    env["COCKPIT_TEAM_URL"] = team_url
    result = run_cli("verify", "--journal", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(
        r"journal truncated: checkpoint of \S+ \(unsigned\) covers 212 events, the journal has "
        rf"197 \(in the team store, recorded by {pgcluster.COCKPIT_ROLE} at \S+ \S+\)",
        result.stderr,
    ), result.stderr
    assert "1 of them missing from the journal" in result.stdout


async def test_verify_with_the_team_store_offline_says_so_in_one_line(
    tmp_path: Path, pg: pgcluster.Cluster, team_url: str, run_cli: RunCli, env: dict[str, str]
) -> None:
    path = tmp_path / "local.sqlite"
    async with await Journal.open(path) as local:
        await _fill(local, 3)
        await write_checkpoint(local, None)
    proxy = Proxy(pg.port)  # never up: nothing answers there
    env["COCKPIT_TEAM_URL"] = team_url.replace(f":{pg.port}/", f":{proxy.port}/")
    result = run_cli("verify", "--journal", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: 1 checkpoints on the chain" in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("team store not checked: team journal ")
    assert "unreachable" in lines[0] and "checked the journal's own checkpoints only" in lines[0]
    assert pgcluster.COCKPIT_PASSWORD not in result.stderr


async def test_a_store_of_the_older_schema_syncs_events_until_an_admin_upgrades_it(
    tmp_path: Path,
    pg: pgcluster.Cluster,
    team_db: str,
    admin_sql: AdminSql,
    run_cli: RunCli,
    env: dict[str, str],
) -> None:
    role = pgcluster.COCKPIT_ROLE
    admin_sql(postgres.MIGRATIONS[0])
    admin_sql("INSERT INTO cockpit_meta (key, value) VALUES ('schema', '1')")
    admin_sql(
        f"GRANT SELECT, INSERT ON events, observations TO {role};"
        f" GRANT SELECT, UPDATE ON journal_head TO {role};"
        f" GRANT SELECT, INSERT, UPDATE ON snapshots TO {role};"
        f" GRANT SELECT ON cockpit_meta TO {role};"
    )
    url = pg.cockpit_url(team_db)
    config = tmp_path / "config.toml"
    config.write_text(f'[team]\nurl = "{url}"\n')
    doctor = run_cli("doctor", "--config", str(config))
    assert "version 1, this cockpit uses 2: an admin runs the upgrade SQL below" in doctor.stdout
    upgrade = doctor.stdout.split("-- upgrade of the team journal's schema", 1)[1]
    upgrade = upgrade.split("\n", 1)[1]
    assert "CREATE TABLE checkpoints" in upgrade and "CREATE TABLE events" not in upgrade

    async with await Journal.open(tmp_path / "a.sqlite") as local:
        await _fill(local, 2)
        await write_checkpoint(local, None)
        sync = TeamSync(local, url)
        try:
            assert await sync.sync_once() == (2, 0)  # events sync; the witness waits
            assert sync.status.online
            admin_sql(upgrade)  # what doctor printed, run by the admin
            await sync.disconnect()
            await sync.sync_once()
        finally:
            await sync.close()
    assert admin_sql("SELECT size, recorded_by FROM checkpoints") == [(2, role)]
    assert admin_sql("SELECT value FROM cockpit_meta WHERE key = 'schema'") == [("2",)]
