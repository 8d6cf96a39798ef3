"""The live cockpit shows each event's team receipt: a dim `late` on the timeline rows that
reached the team store after later events, and the receipt in the event's detail view
(a real PostgreSQL, a real journal file, the sync on its own thread as in a live run)."""

from __future__ import annotations

from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.journal.sync import TeamSync
from cockpit.model import Draft
from cockpit.panes.timeline import TimelinePane
from cockpit.screens.detail import DetailScreen
from tests.team import pgcluster
from tests.tui.harness import INCIDENT, demo_app, screen_text, wait_for, wait_for_text


def note(text: str, ts: str, actor: str) -> Draft:
    return Draft(INCIDENT, "note.added", actor, {"type": "note", "text": text}, ts=ts)


async def test_late_rows_are_marked_and_the_detail_shows_the_receipt(
    team_url: str, tmp_path: Path
) -> None:
    # alice typed a note while her laptop could not reach the team store ...
    mine = tmp_path / "alice.sqlite"
    async with await Journal.open(mine) as alice:
        typed = await alice.append(note("typed offline", "2026-11-28T18:50:00.000Z", "alice"))
    # ... while bob's notes, which happened after it, reached the team store first
    async with await Journal.open(tmp_path / "bob.sqlite") as bob:
        for minute in (55, 56, 57):
            await bob.append(note(f"bob {minute}", f"2026-11-28T18:{minute}:00.000Z", "bob"))
        sync = TeamSync(bob, team_url)
        try:
            await sync.sync_once()
        finally:
            await sync.close()

    app, _ = demo_app(mine)
    app.session.team_url = team_url  # alice is back online: her cockpit syncs
    async with app.run_test(size=(160, 45)) as pilot:
        timeline = app.main.query_one(TimelinePane)

        def late_row() -> str | None:
            rows = [line.plain for line in timeline.lines]
            found = [r for r in rows if "typed offline" in r]
            return (
                found[0]
                if found and all(f"bob {m}" in " ".join(rows) for m in (55, 56, 57))
                else None
            )

        await wait_for(pilot, lambda: typed.id in timeline.late, what="the late mark")
        row = await wait_for(pilot, late_row, what="the rows")
        assert row.endswith(" late")
        assert not any(
            line.plain.endswith(" late") for line in timeline.lines if "bob" in line.plain
        )
        await wait_for_text(pilot, "typed offline late")  # on the screen, not only in the pane

        await pilot.press("5")
        timeline.move_to(next(i for i, e in enumerate(timeline.shown) if e.id == typed.id))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        text = await wait_for_text(pilot, "team store:")
        assert f"seq 4, inserted by role {pgcluster.COCKPIT_ROLE} at 20" in text
        assert "late: reached the team store after 3 later events" in text
        assert "role cockpit_app does not name alice" in text
        await pilot.press("escape")

        # bob's own row: in the team store, on time
        timeline.move_to(next(i for i, e in enumerate(timeline.shown) if "bob 55" in str(e.data)))
        await pilot.press("enter")
        text = await wait_for_text(pilot, "team store:")
        assert "seq 1, inserted by role" in text and "late:" not in screen_text(app)
