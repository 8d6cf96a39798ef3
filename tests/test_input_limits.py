"""Input edges (issue 16, item 9): deeply nested TOML, arguments that are not UTF-8 and a
50 MB note are one line each, never a traceback; nothing reaches the journal, and an md export
stays small."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.journal.limits import MAX_EVENT_BYTES, MIB
from cockpit.themes import ThemeError, parse_theme

from .conftest import RunCli

DEEP = 5000  # levels: far past what tomllib's recursion survives


def _one_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert "Traceback" not in result.stderr
    assert result.returncode == code, result.stderr[-2000:]
    (line,) = result.stderr.splitlines()
    assert line.startswith("cockpit: ")
    for needle in needles:
        assert needle in line, line
    return line


def _rows(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT kind, data FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "value", ["[" * DEEP + "]" * DEEP, "{a = " * DEEP + "1" + "}" * DEEP], ids=["arrays", "tables"]
)
@pytest.mark.parametrize("command", [("doctor",), ("demo",)])
def test_deeply_nested_toml_config_is_one_line(
    tmp_path: Path, run_cli: RunCli, value: str, command: tuple[str, ...]
) -> None:
    config = tmp_path / "deep.toml"
    config.write_text(f"x = {value}\n")
    _one_line(
        run_cli(*command, "--config", str(config), timeout=30), 2, str(config), "nested too deeply"
    )


def test_deeply_nested_theme_is_one_error() -> None:
    with pytest.raises(ThemeError, match="nested too deeply"):
        parse_theme("mine.toml", "x = " + "[" * DEEP + "]" * DEEP)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("note", "\udcff"), "the note TEXT"),
        (("note", "disk \udcfe full"), "the note TEXT"),
        (("note", "hi", "--incident", "INC-\udcff"), "the incident id"),
        (("note", "hi", "--operator", "al\udcffce"), "--operator"),
        (("export", "\udcff", "--format", "md"), "the incident id"),
        (("export", "--format", "md\udcff"), "--format"),
    ],
)
def test_arguments_that_are_not_utf8_are_one_line(
    tmp_path: Path, run_cli: RunCli, args: tuple[str, ...], what: str
) -> None:
    """`cockpit note $'\\xff'` reached the insert and failed there with a traceback. (A lone
    surrogate in a str argument is how Python hands over bytes that are not UTF-8: the
    process gets the raw byte.)"""
    path = tmp_path / "j.sqlite"
    assert run_cli("note", "before", "--journal", str(path)).returncode == 0
    before = _rows(path)
    line = _one_line(run_cli(*args, "--journal", str(path)), 2, what, "not valid UTF-8")
    assert "\\xf" in line  # the bytes are named, escaped
    assert _rows(path) == before


def test_a_journal_path_that_is_not_utf8_is_still_a_file_name(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = tmp_path / "caf\udce9.sqlite"  # a Latin-1 name on disk: valid on Linux
    assert run_cli("note", "hello", "--journal", str(path)).returncode == 0
    assert (tmp_path.as_posix().encode() + b"/caf\xe9.sqlite") in [
        p.as_posix().encode("utf-8", "surrogateescape") for p in tmp_path.iterdir()
    ]


def _export_md(run_cli: RunCli, path: Path, fmt: str = "md") -> str:
    result = run_cli("export", "--format", fmt, "--journal", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_50_mb_note_is_refused_and_the_export_stays_small(
    tmp_path: Path, run_cli: RunCli, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """One argument cannot hold 50 MB (Linux caps it at 128 KiB), so the CLI runs in this
    process; a script or a paste into the note prompt reach the same store check."""
    path = tmp_path / "j.sqlite"
    assert run_cli("note", "small", "--journal", str(path)).returncode == 0
    before = _rows(path)
    capsys.readouterr()
    assert main(["note", "x" * (50 * MIB), "--journal", str(path)]) == 2
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert out == "" and line.startswith(
        "cockpit: this entry is 50.0 MiB, over the 1,024 KiB limit"
    )
    assert _rows(path) == before
    assert len(_export_md(run_cli, path)) < 64 * 1024


def test_a_note_just_under_the_limit_is_kept_whole_and_exported_at_its_size(
    tmp_path: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "j.sqlite"
    # 0.9 MiB stored (a backslash is two bytes in JSON), characters the md export escapes
    text = "checkout 5xx \\ <b> | " * (MAX_EVENT_BYTES * 9 // 10 // 22)
    assert main(["note", text, "--journal", str(path)]) == 0
    capsys.readouterr()
    (data,) = [d for kind, d in _rows(path) if kind == "note.added"]
    assert json.loads(data)["text"] == text.strip()
    md = _export_md(run_cli, path)
    # whole once (its Notes section), cut with a mark where it is repeated (the milestones
    # and the timeline): it made a 4.3 MB export of a 0.9 MiB note
    assert "more characters cut: whole in the jsonl export" in md
    assert md.count("checkout 5xx") < text.count("checkout 5xx") + 1000
    assert len(md.encode()) < 1.5 * MAX_EVENT_BYTES
    html = _export_md(run_cli, path, "html")  # repeated it four times too: 3.6 MB
    assert "more characters cut: whole in the jsonl export" in html
    assert len(html.encode()) < 1.5 * MAX_EVENT_BYTES


def test_a_50_mb_note_via_import_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert run_cli("note", "small", "--journal", str(source)).returncode == 0
    exported = run_cli("export", "--format", "jsonl", "--journal", str(source)).stdout
    event = json.loads(exported.splitlines()[0])
    event["id"] = "0190f0f0-0000-7000-8000-000000000001"
    event["data"]["text"] = "x" * (50 * MIB)
    big = tmp_path / "big.jsonl"
    big.write_text(json.dumps(event) + "\n")
    assert run_cli("note", "in the target", "--journal", str(target)).returncode == 0
    before = _rows(target)
    _one_line(run_cli("import", str(big), "--journal", str(target)), 2, "limit")
    assert _rows(target) == before


async def test_an_alert_storm_in_the_context_never_blocks_an_action(tmp_path: Path) -> None:
    """The limit is on what a person typed or a source reported (data), not on the context
    the cockpit adds (every firing alert): 20,000 firing alerts must not refuse a note."""
    from cockpit.journal.store import Journal
    from cockpit.model import Draft

    firing = [
        {
            "alert": f"HighErrorRate{i}",
            "severity": "critical",
            "state": "firing",
            "fingerprint": f"{i:016x}",
        }
        for i in range(20_000)
    ]
    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        event = await journal.append(
            Draft(
                incident="INC-1",
                kind="note.added",
                actor="alice",
                data={"type": "note", "text": "everything is on fire"},
                context={"firing": firing},
            )
        )
    assert event.seq == 1 and len(event.context["firing"]) == 20_000


async def test_a_huge_system_change_is_journaled_cut_never_dropped(tmp_path: Path) -> None:
    """An alert whose annotation is 5 MB (what Alertmanager sends is untrusted): refusing it
    would drop an observed change, so it is journaled with that text cut and marked."""
    import asyncio

    from cockpit.incident import IncidentController
    from cockpit.journal.store import Journal
    from cockpit.model import SystemChange
    from cockpit.session import Session

    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        session = Session(journal=journal, incident="INC-1", operator="alice")
        controller = IncidentController(session)
        controller.start()
        controller.frame_shown()
        await controller.session_start_done.wait()
        data = {
            "alert": "HighErrorRate",
            "annotations": {"description": "boom " * (1024 * 1024), "runbook": "https://r/1"},
        }
        controller.observe(SystemChange("system.alert.firing", "alertmanager", data, "fire:1"))
        for _ in range(200):
            if controller.state.version >= 2:
                break
            await asyncio.sleep(0.05)
        await controller.close()
        (event,) = [e for e in await journal.events("INC-1") if e.kind == "system.alert.firing"]
    description = event.data["annotations"]["description"]
    assert description.startswith("boom boom ") and description.endswith(
        "more characters cut: over the journal's limit]"
    )
    assert event.data["annotations"]["runbook"] == "https://r/1"
    assert len(description) < MAX_EVENT_BYTES
