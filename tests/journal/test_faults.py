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
    path = mount / "j.sqlite"
    assert run_cli("note", "before the remount", "--journal", str(path)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    before = path.read_bytes()
    needle = f"journal is on a read-only filesystem: {path}"
    for args in [*READING, ("note", "after the remount")]:
        _one_line(run_cli(*args, "--journal", str(path)), 2, needle)
    _one_line(
        run_cli("note", "x", "--journal", str(mount / "new.sqlite")), 2, "read-only filesystem"
    )
    assert path.read_bytes() == before


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
