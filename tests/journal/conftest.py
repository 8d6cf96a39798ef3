"""Fixtures for the journal tests: isolated home/state dirs, a CLI runner, helper processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from cockpit.journal.store import Journal

from .sshkeys import keygen

WRITER = Path(__file__).with_name("writer_proc.py")

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the root conftest's run_cli


@pytest.fixture
def writer_cmd(env: dict[str, str]) -> Callable[..., list[str]]:
    """argv of the helper writer process (tests/journal/writer_proc.py)."""

    def cmd(*args: str) -> list[str]:
        return [sys.executable, str(WRITER), *args]

    return cmd


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


@pytest.fixture
async def journal(db_path: Path) -> AsyncIterator[Journal]:
    j = await Journal.open(db_path)
    try:
        yield j
    finally:
        await j.close()


@pytest.fixture
def raw(db_path: Path) -> Iterator[Callable[[], sqlite3.Connection]]:
    """Open raw sqlite3 connections to the journal file (closed at teardown)."""
    opened: list[sqlite3.Connection] = []

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, isolation_level=None)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


def rows(path: Path) -> list[tuple[object, ...]]:
    """Every events row, all columns, in seq order, read without the Journal class."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def legacy_export(db: Path, incident: str, out: Path) -> list[str]:
    """The incident written in the jsonl format of cockpits before CloudEvents (each line the
    journal's columns), as such a cockpit wrote it: files from then stay importable, and the
    strict importer's corpus of hostile files is built on it. Returns the lines."""
    from cockpit.journal.export import jsonl_from_rows
    from cockpit.journal.rows import COLUMNS

    conn = sqlite3.connect(db)
    try:
        found = conn.execute(
            f"SELECT {COLUMNS}, 1 FROM events WHERE incident = ? ORDER BY seq", (incident,)
        ).fetchall()
    finally:
        conn.close()
    text = jsonl_from_rows(found)
    out.write_text(text, encoding="utf-8")
    return text.splitlines()


# -- SSH keys and an agent for the signature tests (sshkeys.py) --------------------------------


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    (tmp_path / "keys").mkdir()
    return tmp_path / "keys"


@pytest.fixture
def alice_key(keys: Path) -> Path:
    return keygen(keys / "alice", "alice@laptop")


@pytest.fixture
def mallory_key(keys: Path) -> Path:
    return keygen(keys / "mallory", "mallory@laptop")


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[str]:
    """A real ssh-agent on its own socket; SSH_AUTH_SOCK for the commands that use it."""
    sock = tmp_path / "agent.sock"
    proc = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            assert proc.poll() is None, "ssh-agent ended at start"
            assert time.monotonic() < deadline, "ssh-agent did not listen"
            time.sleep(0.01)
        yield str(sock)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def agent_key(alice_key: Path, agent: str, env: dict[str, str], tmp_path: Path) -> Path:
    """alice's key held by the agent only (its private file moved away); run_cli's
    environment points at that agent. The .pub, as [signing] key names it."""
    private = alice_key.with_suffix("")
    added = subprocess.run(
        ["ssh-add", "-q", str(private)], env={**env, "SSH_AUTH_SOCK": agent}, capture_output=True
    )
    assert added.returncode == 0, added.stderr
    private.rename(tmp_path / "elsewhere")  # only the agent holds it now
    env["SSH_AUTH_SOCK"] = agent
    return alice_key
