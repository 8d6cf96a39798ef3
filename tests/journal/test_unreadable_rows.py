"""Rows a crafted import already put in a journal never crash a reader (issue 16, item 3).

Before the import became strict, a line claiming a schema other than its kind's current one
skipped the payload check: a role that is a list, a session id that is an object, a time that
is no time made `cockpit incidents`, the exports, the live cockpit on that incident and replay
fail for good. Every read now checks each row and shows one that does not fit as a visible
"unreadable entry" in its place; the stored row itself is left exactly as it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cockpit.journal.events import UNREADABLE, problem
from cockpit.journal.store import Journal
from cockpit.model import Draft
from cockpit.observations import ReplayModel
from cockpit.replay import ReplayApp
from tests.tui.harness import demo_app, panes_mounted, wait_for_text

from .conftest import RunCli

INC = "INC-CRAFTED"
T = "2026-12-01T10:00:0{}.000Z"


def crafted() -> list[Draft]:
    """What the old importer let through: wrong shapes under a schema number it skipped."""
    return [
        Draft(INC, "incident.declared", "eve", {"title": "checkout down"}, ts=T.format(0)),
        Draft(INC, "severity.changed", "eve", {"severity": {"a": 1}}, ts=T.format(1), schema=9),
        Draft(
            INC, "role.assigned", "eve", {"role": ["r"], "operator": {}}, ts=T.format(2), schema=9
        ),
        Draft(INC, "note.added", "eve", {"text": 5}, ts=T.format(3), schema=0),
        Draft(INC, "session.started", "eve", {"session": ["s"]}, ts=T.format(4), schema=9),
        Draft(INC, "status.changed", "eve", {"status": "resolved"}, ts="garbage", schema=9),
        Draft(INC, "note.added", "eve", {"type": "note", "text": "still here"}, ts=T.format(6)),
    ]


async def _plant(path: Path) -> list[tuple[object, ...]]:
    async with await Journal.open(path) as journal:
        await journal.append_many(crafted())
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM events ORDER BY seq").fetchall()


@pytest.fixture
async def planted(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite"
    await _plant(path)
    return path


async def test_reads_mark_each_bad_row_and_keep_the_rest(planted: Path) -> None:
    async with await Journal.open(planted) as journal:
        events = await journal.events(INC)
    kinds = [e.kind for e in events]
    assert kinds == [
        "incident.declared",
        UNREADABLE,
        UNREADABLE,
        UNREADABLE,
        UNREADABLE,
        UNREADABLE,
        "note.added",
    ]
    marker = events[1]
    assert marker.data["kind"] == "severity.changed" and marker.data["schema"] == 9
    assert "newer than this cockpit" in marker.data["problem"]
    assert "not a time" in events[5].data["problem"]
    assert events[5].ts == T.format(4)  # a bad time is shown at the row before it
    assert [e.seq for e in events] == list(range(1, 8))


def test_problem_checks_whatever_schema_is_claimed() -> None:
    assert problem("note.added", 1, {"text": "old"}) is None  # upcast, then checked
    assert "type" in (problem("note.added", 1, {"text": "old", "type": "nope"}) or "")
    assert "text" in (problem("note.added", 1, {"text": 5}) or "")
    assert "newer" in (problem("note.added", 3, {"type": "note", "text": "x"}) or "")
    assert "schema" in (problem("note.added", 0, {"type": "note", "text": "x"}) or "")
    assert "schema" in (problem("future.kind", True, {}) or "")
    assert problem("future.kind", 7, {"anything": [1]}) is None  # unknown kinds: kept
    assert "session" in (problem("session.started", 1, {"session": ["s"]}) or "")


async def test_cli_readers_do_not_crash(planted: Path, run_cli: RunCli) -> None:
    listing = run_cli("incidents", "--journal", str(planted))
    assert listing.returncode == 0, listing.stderr
    assert INC in listing.stdout and "checkout down" in listing.stdout
    for fmt in ("md", "html", "jsonl"):
        out = run_cli("export", INC, "--journal", str(planted), "--format", fmt)
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr
    md = run_cli("export", INC, "--journal", str(planted), "--format", "md").stdout
    assert "unreadable entry" in md and "still here" in md
    assert run_cli("verify", "--journal", str(planted)).returncode == 0  # rows untouched


async def test_replay_shows_the_marker(planted: Path) -> None:
    async with await Journal.open(planted, create=False) as journal:
        model = await ReplayModel.load(journal, INC)
    app = ReplayApp(model, start=model.end)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_text(pilot, "unreadable entry", "still here")
        assert app.is_running


async def test_live_cockpit_on_that_incident_shows_the_marker(planted: Path) -> None:
    app, _ = demo_app(planted, incident=INC)
    async with app.run_test(size=(160, 48)) as pilot:
        await panes_mounted(app)
        await wait_for_text(pilot, "unreadable entry", "still here")
        assert app.is_running


@pytest.mark.parametrize("firing", [True, 1.5, 7, {"a": 1}, "text", None])
async def test_odd_context_does_not_crash_the_exports(
    tmp_path: Path, run_cli: RunCli, firing: object
) -> None:
    """A context is what the cockpit showed: free-form, so an import may bring any shape."""
    path = tmp_path / "journal.sqlite"
    async with await Journal.open(path) as journal:
        await journal.append(
            Draft(INC, "note.added", "eve", {"type": "note", "text": "x"}, {"firing": firing})
        )
    for fmt in ("md", "html"):
        out = run_cli("export", INC, "--journal", str(path), "--format", fmt)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
