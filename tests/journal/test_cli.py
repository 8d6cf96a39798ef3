"""The journal commands as users run them: exit codes, one-line errors, file modes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cockpit import __version__

from .conftest import RunCli, rows


def _one_line_usage_error(result: object, *needles: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    err: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cockpit: ")
    for needle in needles:
        assert needle in lines[0]
    assert result.stdout == ""  # type: ignore[attr-defined]
    return lines[0]


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cockpit {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ("verify",),
        ("export", "--format", "md"),
        ("export", "INC-1", "--format", "jsonl"),
        ("incidents",),
    ],
)
def test_missing_journal(run_cli: RunCli, tmp_path: Path, args: tuple[str, ...]) -> None:
    path = tmp_path / "missing.sqlite"
    _one_line_usage_error(run_cli(*args, "--journal", str(path)), "no journal at", str(path))
    assert not path.exists()  # reading commands never create a journal


@pytest.mark.parametrize(
    "args",
    [("verify",), ("export", "--format", "md"), ("incidents",), ("note", "hello")],
)
def test_not_sqlite(run_cli: RunCli, tmp_path: Path, args: tuple[str, ...]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is a shopping list, not SQLite\n" * 50)
    before = path.read_bytes()
    _one_line_usage_error(run_cli(*args, "--journal", str(path)), "not a cockpit journal")
    assert path.read_bytes() == before


def test_unknown_format(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    assert run_cli("note", "hi", "--journal", str(path)).returncode == 0
    _one_line_usage_error(
        run_cli("export", "--journal", str(path), "--format", "pdf"), "unknown export format 'pdf'"
    )


def test_unknown_incident(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    assert run_cli("note", "hi", "--journal", str(path), "--incident", "INC-A").returncode == 0
    for args in (
        ("export", "INC-NOPE", "--format", "md"),
        ("export", "INC-NOPE", "--format", "jsonl"),
    ):
        _one_line_usage_error(run_cli(*args, "--journal", str(path)), "INC-NOPE", "INC-A")


def test_empty_journal_has_no_latest_incident(run_cli: RunCli, tmp_path: Path) -> None:
    path, empty = tmp_path / "j.sqlite", tmp_path / "empty.jsonl"
    empty.write_text("")  # not /dev/null: import reads regular files only, devices are refused
    assert run_cli("import", str(empty), "--journal", str(path)).returncode == 0  # creates it
    _one_line_usage_error(
        run_cli("export", "--journal", str(path), "--format", "md"), "no incident"
    )


def test_bad_arguments_are_one_line(run_cli: RunCli) -> None:
    _one_line_usage_error(run_cli("export"), "--format")
    _one_line_usage_error(run_cli("verify", "--bogus"), "--bogus")
    _one_line_usage_error(run_cli("note", "   "), "the note is empty")


def test_note_then_incidents_and_export(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    first = run_cli("note", "first", "--journal", str(path), "--incident", "INC-A")
    assert first.returncode == 0 and first.stdout == "journaled #1 in INC-A\n"
    second = run_cli("note", "second", "--journal", str(path), "--type", "decision")
    assert second.stdout == "journaled #2 in INC-A\n"  # the most recent incident
    assert [r[5] for r in rows(path)] == ["alice", "alice"]  # COCKPIT_OPERATOR
    listing = run_cli("incidents", "--journal", str(path), "--format", "json")
    assert listing.returncode == 0
    (row,) = json.loads(listing.stdout)
    assert (row["id"], row["events"], row["operators"]) == ("INC-A", 2, ["alice"])
    exported = run_cli("export", "--journal", str(path), "--format", "jsonl")
    events = [json.loads(line) for line in exported.stdout.splitlines()][:-1]  # then the manifest
    assert [e["data"]["text"] for e in events] == [
        "first",
        "second",
    ]


def test_default_journal_lives_in_xdg_state_with_private_modes(
    run_cli: RunCli, env: dict[str, str]
) -> None:
    result = run_cli("note", "where does this go")
    assert result.returncode == 0, result.stderr
    path = Path(env["XDG_STATE_HOME"]) / "cockpit" / "journal.sqlite"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not any(Path(env["HOME"]).iterdir())  # nothing written to the (fake) home dir
    assert run_cli("verify").stdout.startswith("ok: 1 events, head ")


def test_journal_option_creates_private_directory(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "new" / "journal.sqlite"
    assert run_cli("note", "x", "--journal", str(path)).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("case", ["directory", "not sqlite", "parent is a file"])
def test_demo_refuses_a_wrong_journal_before_the_screen_starts(
    run_cli: RunCli, tmp_path: Path, case: str
) -> None:
    """The cockpit opens its journal after the first frame, but a wrong --journal is still
    one line and exit 2 without the screen starting (stdout stays empty)."""
    if case == "directory":
        path, needle = tmp_path, "is a directory"
    elif case == "not sqlite":
        path, needle = tmp_path / "notes.txt", "not a cockpit journal"
        path.write_text("a shopping list\n" * 50)
    else:
        (tmp_path / "plain").write_text("x")
        path, needle = tmp_path / "plain" / "j.sqlite", "cannot create journal"
    before = path.read_bytes() if path.is_file() else None
    _one_line_usage_error(run_cli("demo", "--journal", str(path), timeout=20), needle)
    if before is not None:
        assert path.read_bytes() == before
