"""A real PostgreSQL cluster for the team-journal tests: one per session, a database per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.journal.store import Journal
from tests.team import pgcluster


@pytest.fixture(scope="session")
def pg() -> Iterator[pgcluster.Cluster]:
    reason = pgcluster.available()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {reason}: .ci/run must apt-get install postgresql")
        pytest.skip(reason)
    with pgcluster.cluster() as c:
        yield c


@pytest.fixture
def team_db(pg: pgcluster.Cluster) -> str:
    """A fresh database: its schema created by an admin, as README tells one to."""
    return pg.new_database()


@pytest.fixture
def team_url(pg: pgcluster.Cluster, team_db: str) -> str:
    """The cockpit role's URL on a database whose schema an admin created, with README's
    least-privilege grants."""
    import psycopg

    from cockpit.journal.postgres import schema_sql

    with psycopg.connect(pg.url(team_db), autocommit=True) as conn:
        conn.execute(schema_sql(pgcluster.COCKPIT_ROLE))  # type: ignore[arg-type]
    return pg.cockpit_url(team_db)


@pytest.fixture
def admin_sql(pg: pgcluster.Cluster, team_db: str) -> Callable[[str], list[tuple[Any, ...]]]:
    """Run SQL as the superuser on the test database (what an attacker with admin rights does)."""
    import psycopg

    def run(sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(pg.url(team_db), autocommit=True) as conn:
            cur = conn.execute(sql, args or None)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    return run


@pytest.fixture
async def locals_(tmp_path: Path) -> AsyncIterator[Callable[[str], Any]]:
    """Local journal files by name (`a` -> a.sqlite), closed at the end of the test."""
    opened: list[Journal] = []

    async def open_(name: str) -> Journal:
        j = await Journal.open(tmp_path / f"{name}.sqlite")
        opened.append(j)
        return j

    yield open_
    for j in opened:
        await j.close()
