"""The commands with a team journal, as real processes against a real PostgreSQL."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cockpit.journal.postgres import SCHEMA_VERSION
from tests.team import pgcluster
from tests.team.proxy import Proxy

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def team_texts(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT data FROM events ORDER BY seq").fetchall()
    import json

    return [json.loads(r[0]).get("text", "") for r in rows]


@pytest.fixture
def local(tmp_path: Path) -> str:
    return str(tmp_path / "local.sqlite")


def test_note_pushes_before_exiting(
    run_cli: RunCli, env: dict[str, str], team_url: str, local: str
) -> None:
    env["COCKPIT_TEAM_URL"] = team_url
    done = run_cli("note", "db failover started", "--journal", local)
    assert done.returncode == 0, done.stderr
    assert "queued" not in done.stdout
    assert team_texts(team_url) == ["db failover started"]


def test_note_offline_says_queued_and_team_status_pushes_it(
    run_cli: RunCli, env: dict[str, str], pg: pgcluster.Cluster, team_url: str, local: str
) -> None:
    proxy = Proxy(pg.port)  # not up: the team store is unreachable
    env["COCKPIT_TEAM_URL"] = team_url.replace(f":{pg.port}/", f":{proxy.port}/")
    done = run_cli("note", "typed during the outage", "--journal", local)
    assert done.returncode == 0, done.stderr
    assert "queued: 1 events will sync when the team journal is reachable" in done.stdout
    assert pgcluster.COCKPIT_PASSWORD not in done.stdout + done.stderr
    status = run_cli("team", "status", "--journal", local)
    assert status.returncode == 1
    assert "unreachable" in status.stdout and "queued        1 events" in status.stdout
    assert pgcluster.COCKPIT_PASSWORD not in status.stdout and "***" in status.stdout
    proxy.up()
    try:
        status = run_cli("team", "status", "--journal", local)
    finally:
        proxy.down()
    assert status.returncode == 0, status.stdout + status.stderr
    assert "queued        0 events" in status.stdout and "server head   seq 1, " in status.stdout
    assert team_texts(team_url) == ["typed during the outage"]


def test_kill_9_between_commit_and_push(
    run_cli: RunCli, env: dict[str, str], team_url: str, local: str, tmp_path: Path
) -> None:
    # a cockpit that committed locally and died before its sync task pushed
    script = tmp_path / "die.py"
    script.write_text(
        "import asyncio, os, signal, sys\n"
        "from cockpit.journal.store import Journal\n"
        "from cockpit.model import Draft\n"
        "async def main():\n"
        "    j = await Journal.open(sys.argv[1])\n"
        "    await j.append(Draft('INC-K', 'note.added', 'alice', {'type': 'note',"
        " 'text': 'last words'}))\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "asyncio.run(main())\n"
    )
    died = subprocess.run([sys.executable, str(script), local], env=env, timeout=60)
    assert died.returncode == -signal.SIGKILL
    env["COCKPIT_TEAM_URL"] = team_url
    assert team_texts(team_url) == []
    done = run_cli("note", "next note", "--journal", local, "--incident", "INC-K")
    assert done.returncode == 0, done.stderr
    assert team_texts(team_url) == ["last words", "next note"]


def test_commands_on_a_postgresql_journal(
    run_cli: RunCli, env: dict[str, str], team_url: str, local: str, admin_sql: Any
) -> None:
    env["COCKPIT_TEAM_URL"] = team_url
    for text in ("one", "two", "three"):
        assert run_cli("note", text, "--journal", local, "--incident", "INC-PG").returncode == 0
    listed = run_cli("incidents", "--journal", team_url)
    assert listed.returncode == 0 and "INC-PG" in listed.stdout, listed.stderr
    md = run_cli("export", "INC-PG", "--journal", team_url, "--format", "md")
    assert md.returncode == 0 and "three" in md.stdout
    ok = run_cli("verify", "--journal", team_url)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 3 events, head "), ok.stdout
    admin_sql(
        "ALTER TABLE events DISABLE TRIGGER USER;"
        " UPDATE events SET data = replace(data, 'two', 'TWO') WHERE seq = 2"
    )
    bad = run_cli("verify", "--journal", team_url)
    assert bad.returncode == 1
    assert bad.stdout.startswith("chain broken at seq 2: hash does not match"), bad.stdout


def test_an_unreachable_url_is_one_line_with_the_password_masked(run_cli: RunCli) -> None:
    done = run_cli("verify", "--journal", "postgresql://cockpit:hunter22@127.0.0.1:1/incidents")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "hunter22" not in done.stderr and "cockpit:***@127.0.0.1:1" in done.stderr
    assert "unreachable" in done.stderr


def test_note_and_backup_refuse_a_postgresql_journal(run_cli: RunCli) -> None:
    done = run_cli("note", "x", "--journal", "postgresql://u:pw@127.0.0.1:1/x")
    assert done.returncode == 2 and "writes the local journal file" in done.stderr
    assert "pw@" not in done.stderr
    done = run_cli("backup", "--journal", "postgresql://u:pw@127.0.0.1:1/x")
    assert done.returncode == 2 and "pg_dump" in done.stderr and "pw@" not in done.stderr


def test_doctor_team_rows(
    run_cli: RunCli,
    env: dict[str, str],
    pg: pgcluster.Cluster,
    team_db: str,
    team_url: str,
    tmp_path: Path,
) -> None:
    env["COCKPIT_TEAM_URL"] = team_url
    done = run_cli("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"team: reachable +ok +postgresql://cockpit_app:\*\*\*@", done.stdout)
    assert re.search(rf"team: schema +ok +version {SCHEMA_VERSION}\b", done.stdout)
    assert "INSERT allowed, UPDATE/DELETE refused" in done.stdout
    # a database without the schema, and a role that may not create it: the SQL to run
    other = pg.new_database()
    pg.psql_admin("REVOKE CREATE ON SCHEMA public FROM PUBLIC", db=other)
    env["COCKPIT_TEAM_URL"] = pg.cockpit_url(other)
    done = run_cli("doctor")
    assert done.returncode == 1
    assert re.search(r"team: schema +FAIL +missing: an admin runs the SQL below", done.stdout)
    assert "CREATE TABLE events" in done.stdout and "GRANT SELECT, INSERT ON events" in done.stdout
    # a server that accepts the connection and never answers: timed out, quickly
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        env["COCKPIT_TEAM_URL"] = f"postgresql://u:pw@127.0.0.1:{port}/x?connect_timeout=1"
        done = run_cli("doctor", timeout=30)
    assert re.search(r"team: reachable +FAIL .*unreachable \(timed out\)", done.stdout), done.stdout


def test_the_export_names_the_role_that_recorded_each_event(
    run_cli: RunCli, env: dict[str, str], team_url: str, local: str, tmp_path: Path
) -> None:
    import json

    env["COCKPIT_TEAM_URL"] = team_url
    assert (
        run_cli(
            "note", "I am root", "--journal", local, "--incident", "INC-WHO", "--operator", "root"
        ).returncode
        == 0
    )
    out = run_cli("export", "INC-WHO", "--journal", team_url, "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    (line,) = [x for x in lines if x["type"] != "io.cockpit.export.manifest"]
    # CloudEvents extensions (lowercase alphanumerics), outside the export's own hashes
    assert (line["actor"], line["recordedby"]) == ("root", pgcluster.COCKPIT_ROLE)
    assert line["recordedat"]
    # and the export still imports (into another local journal): the chain holds
    path = tmp_path / "inc.jsonl"
    path.write_text(out.stdout)
    verified = run_cli("verify", str(path))  # the export proves itself, witness fields and all
    assert verified.returncode == 0 and verified.stdout.startswith("ok: 1 events"), verified
    done = run_cli("import", str(path), "--journal", str(tmp_path / "other.sqlite"))
    assert done.returncode == 0 and "imported 1 new events" in done.stdout, done.stderr


def test_import_into_the_team_store_is_idempotent(
    run_cli: RunCli, team_url: str, local: str, tmp_path: Path
) -> None:
    for text in ("one", "two"):
        assert run_cli("note", text, "--journal", local, "--incident", "INC-IMP").returncode == 0
    exported = run_cli("export", "INC-IMP", "--journal", local, "--format", "jsonl")
    path = tmp_path / "inc.jsonl"
    path.write_text(exported.stdout)
    first = run_cli("import", str(path), "--journal", team_url)
    assert first.returncode == 0 and "imported 2 new events" in first.stdout, first.stderr
    again = run_cli("import", str(path), "--journal", team_url)
    assert again.returncode == 0 and "imported 0 new events (2 known)" in again.stdout
    assert team_texts(team_url) == ["one", "two"]
    assert run_cli("verify", "--journal", team_url).returncode == 0
