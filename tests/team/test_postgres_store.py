"""The team store's own rules, on a real PostgreSQL: append-only for the cockpit role, who
inserted each row, no fork under concurrent writers, 40001 retried, one line when down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from cockpit.journal.errors import JournalError
from cockpit.journal.postgres import PostgresJournal, TeamSchemaMissing
from tests.journal.contract import INC, firing, note
from tests.team import pgcluster


def test_update_and_delete_are_refused_for_the_cockpit_role(team_url: str) -> None:
    with psycopg.connect(team_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO events (seq, id, incident, version, ts, actor, kind, schema, data,"
            " context, prev_hash, hash) VALUES (1, 'x', 'I', 1, 't', 'a', 'k', 1, '{}', '{}',"
            " 'p', 'h')"
        )
        for sql in ("UPDATE events SET actor = 'mallory'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)  # type: ignore[arg-type]
        assert conn.execute("SELECT actor FROM events").fetchall() == [("a",)]


def test_update_is_refused_even_for_the_owner(admin_sql: Callable[..., Any], team_url: str) -> None:
    admin_sql(
        "INSERT INTO events (seq, id, incident, version, ts, actor, kind, schema, data,"
        " context, prev_hash, hash) VALUES (1, 'x', 'I', 1, 't', 'a', 'k', 1, '{}', '{}', 'p', 'h')"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        admin_sql("UPDATE events SET actor = 'mallory'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        admin_sql("DELETE FROM events")


async def test_recorded_by_is_the_authenticated_role(
    team_url: str, admin_sql: Callable[..., Any]
) -> None:
    async with await PostgresJournal.open(team_url) as log:
        event = await log.append(note("claimed by alice"))
        assert (await log.recorded_by(INC))[event.id][0] == pgcluster.COCKPIT_ROLE
    # a client naming another recorder is overruled by the trigger
    with psycopg.connect(team_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO events (seq, id, incident, version, ts, actor, kind, schema, data,"
            " context, prev_hash, hash, recorded_by) VALUES (99, 'y', 'I', 1, 't', 'a', 'k', 1,"
            " '{}', '{}', 'p', 'h', 'postgres')"
        )
    assert admin_sql("SELECT recorded_by FROM events WHERE id = 'y'") == [(pgcluster.COCKPIT_ROLE,)]


async def test_concurrent_writers_never_fork_the_chain(team_url: str) -> None:
    logs = [await PostgresJournal.open(team_url) for _ in range(4)]
    try:

        async def write(j: PostgresJournal, n: int) -> None:
            for i in range(15):
                await j.append(note(f"w{n}-{i}"))

        await asyncio.gather(*(write(j, n) for n, j in enumerate(logs)))
        result = await logs[0].verify()
        assert result.ok and result.count == 60, result.line()
        assert [e.version for e in await logs[0].events(INC)] == list(range(1, 61))
        # and one change seen by four cockpits is recorded once
        got = await asyncio.gather(*(j.append_once(firing("fire:x@t1")) for j in logs))
        assert sum(e is not None for e in got) == 1
    finally:
        for j in logs:
            await j.close()


async def test_serialization_failure_is_retried(
    team_url: str, admin_sql: Callable[..., Any]
) -> None:
    # the first two inserts fail as CockroachDB fails a transaction that lost a conflict
    admin_sql("CREATE TABLE fail_left (n INT); INSERT INTO fail_left VALUES (2)")
    admin_sql("GRANT SELECT ON fail_left TO " + pgcluster.COCKPIT_ROLE)
    admin_sql(
        "CREATE FUNCTION fail_twice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF (SELECT n FROM fail_left) > 0 THEN"
        "   RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';"
        " END IF; RETURN NEW; END $$"
    )
    admin_sql(
        "CREATE TRIGGER fail_twice BEFORE INSERT ON events FOR EACH ROW"
        " EXECUTE FUNCTION fail_twice()"
    )
    # the failing transaction cannot count itself down (its rollback undoes it): the test
    # lets the retries through from outside after a few have failed
    async with await PostgresJournal.open(team_url) as log:
        task = asyncio.create_task(log.append(note("after retries")))
        await asyncio.sleep(0.05)
        admin_sql("UPDATE fail_left SET n = 0")
        event = await asyncio.wait_for(task, 10)
        assert [e.id for e in await log.events(INC)] == [event.id]
        assert (await log.verify()).ok


async def test_a_role_that_may_not_create_the_schema_is_told_so(
    pg: pgcluster.Cluster, team_db: str
) -> None:
    with pytest.raises(TeamSchemaMissing, match="cockpit doctor"):
        await PostgresJournal.open(pg.cockpit_url(team_db))


async def test_an_unreachable_server_is_one_line_with_the_password_masked(
    pg: pgcluster.Cluster,
) -> None:
    url = f"postgresql://cockpit_app:{pgcluster.COCKPIT_PASSWORD}@127.0.0.1:1/x"
    with pytest.raises(JournalError) as caught:
        await PostgresJournal.open(url)
    text = str(caught.value)
    assert "unreachable" in text and pgcluster.COCKPIT_PASSWORD not in text and "***" in text
    # a server that accepts the TCP connection and never answers: timed out, not a hang
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(JournalError, match=r"unreachable \(timed out\)"):
            await PostgresJournal.open(f"postgresql://u@127.0.0.1:{port}/x?connect_timeout=1")
    finally:
        srv.close()
    assert time.monotonic() - started < 5


async def test_a_deleted_tail_is_caught_by_the_head_row(
    team_url: str, admin_sql: Callable[..., Any]
) -> None:
    async with await PostgresJournal.open(team_url) as log:
        for i in range(3):
            await log.append(note(f"n{i}"))
        admin_sql("ALTER TABLE events DISABLE TRIGGER USER; DELETE FROM events WHERE seq = 3")
        result = await log.verify()
        assert (result.ok, result.bad_seq) == (False, 3)
        assert "head row says seq 3" in result.line()
