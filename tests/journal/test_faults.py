"""Errors say the real cause (issue 16, item 8): a journal on a read-only mount or a full disk
is not "not a cockpit journal: pass the right file", and `verify` of a zero-byte file does not
write a schema into it. Real mounts: a tmpfs (full when filled), remounted read-only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import RunCli

READING = [("verify",), ("incidents",), ("export", "--format", "md")]


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A fresh 1 MiB tmpfs of our own (root only), unmounted at teardown."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = tmp_path / "mnt"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _one_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert "Traceback" not in result.stderr
    assert result.returncode == code, result.stderr
    (line,) = result.stderr.splitlines()
    for needle in needles:
        assert needle in line, line
    assert "not a cockpit journal" not in line
    return line


def _fill(mount: Path) -> Path:
    """Take every byte the tmpfs has left: a real full disk."""
    filler = mount / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def _events(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_a_journal_on_a_read_only_mount_says_so(mount: Path, run_cli: RunCli) -> None:
    """Writing says why it cannot; reading an archived journal there still works (opened
    immutable: no lock, -shm or -wal can be made on a read-only mount)."""
    path = mount / "j.sqlite"
    for i in range(40):  # past the snapshot threshold: incidents would write a snapshot
        assert run_cli("note", f"before the remount {i}", "--journal", str(path)).returncode == 0
    head = run_cli("verify", "--journal", str(path)).stdout
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    before = path.read_bytes()
    needle = f"journal is on a read-only filesystem: {path}"
    _one_line(run_cli("note", "after the remount", "--journal", str(path)), 2, needle)
    _one_line(
        run_cli("note", "x", "--journal", str(mount / "new.sqlite")), 2, "read-only filesystem"
    )
    for args in READING:
        result = run_cli(*args, "--journal", str(path))
        assert result.returncode == 0 and result.stderr == "", result.stderr
    assert run_cli("verify", "--journal", str(path)).stdout == head
    assert path.read_bytes() == before
    assert sorted(p.name for p in mount.iterdir()) == ["j.sqlite"]


def test_a_read_only_journal_with_an_unmerged_wal_is_not_read_without_it(
    mount: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    """A -wal left by a crash holds events the main file lacks; SQLite cannot merge it on a
    read-only mount, and reading without it would silently drop them."""
    import asyncio

    from cockpit.journal.store import Journal
    from cockpit.model import Draft

    path = mount / "j.sqlite"

    async def crash_mid_session() -> None:
        journal = await Journal.open(path)
        journal.idle_checkpoint_s = 3600
        for i in range(5):
            await journal.append(
                Draft(
                    incident="INC-1",
                    kind="note.added",
                    actor="a",
                    data={"type": "note", "text": f"n{i}"},
                )
            )
        # as after a crash: the files as they are, no close and no checkpoint
        for name in ("j.sqlite", "j.sqlite-wal"):
            (tmp_path / name).write_bytes((mount / name).read_bytes())
        await journal.close()

    asyncio.run(crash_mid_session())
    for name in ("j.sqlite", "j.sqlite-wal"):
        (mount / name).write_bytes((tmp_path / name).read_bytes())
    (mount / "j.sqlite-shm").unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    _one_line(run_cli("verify", "--journal", str(path)), 2, "copy both files elsewhere together")


def test_a_journal_on_a_full_disk_says_so(mount: Path, run_cli: RunCli) -> None:
    path = mount / "j.sqlite"
    assert run_cli("note", "before the disk filled", "--journal", str(path)).returncode == 0
    filler = _fill(mount)
    line = _one_line(
        run_cli("note", "x" * 20_000, "--journal", str(path)), 2, f"disk full writing {path}"
    )
    assert "free space" in line
    filler.unlink()
    assert _events(path) == 1  # nothing half-written; and the journal works again
    assert run_cli("note", "after", "--journal", str(path)).returncode == 0
    assert _events(path) == 2


def test_a_new_journal_on_a_full_disk_says_so(mount: Path, run_cli: RunCli) -> None:
    _fill(mount)
    path = mount / "j.sqlite"
    _one_line(run_cli("note", "hello", "--journal", str(path)), 2, f"disk full writing {path}")


@pytest.mark.parametrize("args", READING)
def test_reading_a_zero_byte_journal_writes_nothing_into_it(
    tmp_path: Path, run_cli: RunCli, args: tuple[str, ...]
) -> None:
    path = tmp_path / "j.sqlite"
    path.touch()
    code = 1 if args[0] == "verify" else 2  # verify found a failure; the others cannot run
    _one_line(run_cli(*args, "--journal", str(path)), code, f"journal {path} is empty (0 bytes)")
    assert path.stat().st_size == 0
    assert not Path(str(path) + "-wal").exists()
