"""jsonl export -> import reproduces the journal; a bad file appends nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import RunCli, legacy_export, rows

INC = "INC-20261128-1905"


async def _source(path: Path) -> None:
    async with await Journal.open(path) as journal:
        await journal.append(Draft(INC, "incident.declared", "alice", {"title": "5xx"}))
        await journal.append(Draft(INC, "note.added", "bob", {"text": "old style"}, schema=1))
        await journal.append(Draft(INC, "note.added", "bob", {"type": "finding", "text": "é ✓"}))
        await journal.append(Draft(INC, "note.added", "bob", {"type": "note", "text": "token=abc"}))
        await journal.append(Draft(INC, "future.kind", "bot", {"x": [1, {"y": None}]}, schema=4))
        await journal.append(
            Draft(INC, "severity.changed", "alice", {"severity": "SEV2"}, context={"alerts": 3})
        )


async def test_round_trip_reproduces_rows_and_hashes(tmp_path: Path, run_cli: RunCli) -> None:
    src, dst, out = tmp_path / "src.sqlite", tmp_path / "dst.sqlite", tmp_path / "inc.jsonl"
    await _source(src)
    exported = run_cli("export", INC, "--journal", str(src), "--format", "jsonl", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert len(out.read_text().splitlines()) == 7  # six events, then the manifest

    first = run_cli("import", str(out), "--journal", str(dst))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 6 new events")
    # same ids, payloads, order and hashes: every column of every row
    assert rows(dst) == rows(src)
    assert run_cli("verify", "--journal", str(dst)).returncode == 0

    second = run_cli("import", str(out), "--journal", str(dst))
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("imported 0 new events (6 known)")
    assert rows(dst) == rows(src)


async def test_import_of_export_from_stdout(tmp_path: Path, run_cli: RunCli) -> None:
    src, dst, out = tmp_path / "src.sqlite", tmp_path / "dst.sqlite", tmp_path / "inc.jsonl"
    await _source(src)
    exported = run_cli("export", "--journal", str(src), "--format", "jsonl")  # latest incident
    out.write_text(exported.stdout)
    assert run_cli("import", str(out), "--journal", str(dst)).returncode == 0
    assert [r[-1] for r in rows(dst)] == [r[-1] for r in rows(src)]


def _good_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


@pytest.mark.parametrize(
    ("damage", "line_no", "message"),
    [
        (lambda lines: lines.__setitem__(2, lines[2][:-5]), 3, "not JSON"),
        (lambda lines: lines.__setitem__(1, "[1, 2]"), 2, "expected a JSON object"),
        (
            lambda lines: lines.__setitem__(
                4, json.dumps({k: v for k, v in json.loads(lines[4]).items() if k != "actor"})
            ),
            5,
            "missing field 'actor'",
        ),
        (
            lambda lines: lines.__setitem__(
                3, json.dumps({**json.loads(lines[3]), "data": "not an object"})
            ),
            4,
            "field 'data'",
        ),
        (
            # a payload that does not fit its kind's schema
            lambda lines: lines.__setitem__(
                5, json.dumps({**json.loads(lines[5]), "data": {"severity": "SEV9"}})
            ),
            6,
            "severity must be one of",
        ),
    ],
)
async def test_malformed_line_is_named_and_nothing_is_appended(
    tmp_path: Path, run_cli: RunCli, damage: object, line_no: int, message: str
) -> None:
    src, dst, out = tmp_path / "src.sqlite", tmp_path / "dst.sqlite", tmp_path / "inc.jsonl"
    await _source(src)
    lines = legacy_export(src, INC, out)  # the strict checks of the older format, kept
    damage(lines)  # type: ignore[operator]
    out.write_text("\n".join(lines) + "\n")
    async with await Journal.open(dst) as journal:
        await journal.append(
            Draft("INC-EXISTING", "note.added", "z", {"type": "note", "text": "x"})
        )
    before = rows(dst)

    result = run_cli("import", str(out), "--journal", str(dst))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert f"line {line_no}" in err[0]
    assert message in err[0]
    assert rows(dst) == before  # not even the good lines before the bad one


def test_import_missing_file(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("import", str(tmp_path / "nope.jsonl"), "--journal", str(tmp_path / "j"))
    assert result.returncode == 2
    assert result.stderr.startswith("cockpit: no such file")
    assert len(result.stderr.strip().splitlines()) == 1


async def test_round_trip_keeps_unicode_line_separators(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cockpit.journal.export import render
    from cockpit.journal.importer import read_jsonl
    from cockpit.journal.store import Journal
    from cockpit.model import Draft

    text = "before\u2028after\u0085next\x1c end\u2029"
    async with await Journal.open(tmp_path / "a.sqlite") as journal:
        await journal.append(
            Draft(
                incident="INC-U",
                kind="note.added",
                actor="alice",  # names are printable now (identifiers.py); the text is not
                data={"type": "note", "text": text},
            )
        )
        exported = await render(journal, "INC-U", "jsonl")
    path = tmp_path / "e.jsonl"
    path.write_text(exported, encoding="utf-8")
    drafts = read_jsonl(path)
    assert len(drafts) == 1 and drafts[0].data["text"] == text
