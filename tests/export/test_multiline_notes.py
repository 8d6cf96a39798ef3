"""A multi-line note (a pasted log excerpt) in the exports: every line kept, readable, inert
(issue 16 item 9): a line of the note can neither open a table row, a heading or a list in
the markdown nor any HTML, and the lines are not glued into one."""

from __future__ import annotations

from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import INC, RunCli, ts

NOTE = "OOMKilled x3 since 19:02\n| pod | restarts |\n# not a heading\n- not a list\n<b>x</b>"
LINES = NOTE.split("\n")


async def write(path: Path) -> None:
    async with await Journal.open(path) as journal:
        await journal.append_many(
            [
                Draft(
                    INC,
                    "incident.declared",
                    "alice",
                    {"title": "checkout 5xx"},
                    {},
                    ts=ts("19:05:00"),
                ),
                Draft(
                    INC,
                    "note.added",
                    "alice",
                    {"type": "finding", "text": NOTE},
                    {},
                    ts=ts("19:06:00"),
                ),
            ]
        )


def export(path: Path, run_cli: RunCli, fmt: str) -> str:
    done = run_cli("export", INC, "--journal", str(path), "--format", fmt)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_markdown_keeps_every_line_inert(db_path: Path, run_cli: RunCli) -> None:
    await write(db_path)
    md = export(db_path, run_cli, "md")
    row = next(line for line in md.splitlines() if line.startswith("| 19:06:00 |"))
    # one table row, three cells, the note's lines separated by the timeline's mark (no
    # html in the markdown), not glued
    cells = row.replace("\\|", "").split("|")
    assert len(cells) == 5, row
    assert "finding: OOMKilled x3 since 19:02 ⏎ \\| pod \\| restarts \\| ⏎ \\# not a heading" in row
    assert " ⏎ - not a list ⏎ \\<b\\>x\\</b\\>" in row
    finding = next(line for line in md.splitlines() if "alice: OOMKilled" in line)
    assert finding.startswith("- 19:06:00 alice: OOMKilled x3 since 19:02 ⏎ ")
    # no line of the note starts a markdown block of its own
    assert not any(line.startswith(("# not", "- not", "| pod")) for line in md.splitlines())


async def test_html_shows_every_line_as_text(db_path: Path, run_cli: RunCli) -> None:
    await write(db_path)
    html = export(db_path, run_cli, "html")
    assert (
        "OOMKilled x3 since 19:02<br>| pod | restarts |<br># not a heading<br>- not a list" in html
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


async def test_an_amended_multi_line_note_keeps_its_lines(db_path: Path, run_cli: RunCli) -> None:
    async with await Journal.open(db_path) as journal:
        note = Draft(
            INC, "note.added", "alice", {"type": "note", "text": "a\nb"}, {}, ts=ts("19:06:00")
        )
        await journal.append_many(
            [
                note,
                Draft(
                    INC,
                    "note.amended",
                    "bob",
                    {"amends": note.id, "text": "a\nc"},
                    {},
                    ts=ts("19:07:00"),
                ),
            ]
        )
    md = export(db_path, run_cli, "md")
    assert "| 19:06:00 | alice | note: a ⏎ c (amended) |" in md
    assert "amended the note of 19:06:00: a ⏎ c \\(was: a ⏎ b\\)" in md
