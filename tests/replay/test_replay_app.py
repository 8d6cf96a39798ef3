"""Replay on the real demo: what an operator action's context recorded is what replay shows."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft
from cockpit.observations import ReplayModel
from cockpit.panes.render import format_value
from cockpit.replay import PLAY_TICK_S, ReplayApp, clock_text, parse_moment
from tests.tui.harness import (
    INCIDENT,
    record_demo_incident,
    replay_frame,
    replay_moment,
    wait_for,
    wait_for_text,
)
from tests.tui.screen import screen_text

INC = INCIDENT
record_demo = record_demo_incident  # the demo run, two minutes of polls, s 2, a note, q


async def load(path: Path) -> ReplayModel:
    async with await Journal.open(path, create=False) as journal:
        return await ReplayModel.load(journal, INC)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


async def test_replay_shows_what_the_action_context_recorded(journal_path: Path) -> None:
    severity = await record_demo(journal_path)
    firing = [a["alert"] for a in severity.context["firing"]]
    metrics = severity.context["metrics"]
    assert firing and metrics  # the demo is mid-incident: something to check
    model = await load(journal_path)
    moment = severity.moment.timestamp()
    assert model.end > moment  # the journal goes on after the action
    app = ReplayApp(model, start=moment)
    async with app.run_test(size=(160, 48)) as pilot:
        text = await wait_for_text(pilot, clock_text(moment), "severity set to SEV2")
        for name in firing:
            assert name in text
        # the frame agrees with the context exactly, not only as rendered text
        frame = replay_frame(app)
        assert frame is not None
        units = {s.panel.title: s.panel.unit for s in frame.panels}
        for title, value in metrics.items():
            assert title in text
            # the value shown as "Now", humanised by the panel's unit
            assert format_value(value, units[title]) in text
        assert "zebra" not in text  # the later note is not in the timeline yet
        assert sorted(a.name for a in frame.alerts or () if a.state == "firing") == sorted(
            a["alert"] for a in severity.context["firing"] if a["state"] == "firing"
        )
        assert {s.panel.title: s.latest for s in frame.panels} == metrics
        while replay_moment(app) < model.end:  # step to the end: the later note appears
            await pilot.press("right")
        await wait_for_text(pilot, "note: zebra")


async def test_keys_move_the_shown_moment(journal_path: Path) -> None:
    severity = await record_demo(journal_path)
    model = await load(journal_path)
    app = ReplayApp(model)
    async with app.run_test(size=(160, 48)) as pilot:
        end = model.end
        await wait_for_text(pilot, clock_text(end))  # starts at the last moment
        await pilot.press("left")
        previous = model.previous_entry(end)
        assert previous is not None and replay_moment(app) == previous
        await wait_for_text(pilot, clock_text(previous))
        await pilot.press("right")
        assert replay_moment(app) == model.next_entry(previous)
        await pilot.press("left_square_bracket")
        back = replay_moment(app)
        await wait_for_text(pilot, clock_text(back))
        await pilot.press("right_square_bracket")
        assert replay_moment(app) == min(back + 60, model.end)
        # g: go to the severity change by its HH:MM:SS
        when = severity.moment.strftime("%H:%M:%S")
        await pilot.press("g", "ctrl+u", *when)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: replay_moment(app) == severity.moment.timestamp(),
            what=f"the replay to go to {when}",
        )
        await wait_for_text(pilot, clock_text(replay_moment(app)))
        # space: x1, x10, x60, pause
        await pilot.press("g", "ctrl+u", *model_start_text(model), "enter")
        await wait_for(
            pilot, lambda: replay_moment(app) == model.start, what="the replay to go to its start"
        )
        start = replay_moment(app)
        await pilot.press("space")
        await wait_for_text(pilot, "▶ x1 ")
        await pilot.press("space")
        await wait_for_text(pilot, "▶ x10")
        # the speed is measured against wall time: 5 s of incident in well under 5 s
        began, wall = replay_moment(app), time.monotonic()
        await wait_for(
            pilot, lambda: replay_moment(app) >= began + 5, what="the replay to play 5 s"
        )
        speed = (replay_moment(app) - began) / (time.monotonic() - wall)
        # x1 could not do better than ~1; the margin below 10 is for a loaded machine
        assert speed > 2, f"x10 played at x{speed:.1f}"
        assert replay_moment(app) > start + 2
        await wait_for(  # the bar follows the moment as it plays
            pilot,
            lambda: clock_text(replay_moment(app)) in screen_text(app),
            what="the bar showing the playing moment",
        )
        await pilot.press("space", "space")
        await wait_for_text(pilot, "paused")
        stopped = replay_moment(app)
        # the subject is wall time passing: over two play ticks the paused moment stays
        await asyncio.sleep(2 * PLAY_TICK_S)
        assert replay_moment(app) == stopped
        await pilot.press("question_mark")
        await wait_for_text(pilot, "one minute back / forward")
        await pilot.press("escape", "q")
    assert app.return_code == 0


def model_start_text(model: ReplayModel) -> str:
    return datetime.fromtimestamp(model.start, UTC).strftime("%H:%M:%S")


async def test_replay_without_observations_shows_context_metrics(journal_path: Path) -> None:
    context = {
        "firing": [{"alert": "HighErrorRate", "severity": "critical", "state": "firing"}],
        "metrics": {"5xx rate": 7.25, "p99 latency": 1.5},
    }
    async with await Journal.open(journal_path) as journal:
        await journal.append(
            Draft(INC, "session.started", "alice", {"mode": "live"}, ts="2026-11-28T19:05:00.000Z")
        )
        await journal.append(
            Draft(
                INC,
                "severity.changed",
                "alice",
                {"severity": "SEV1"},
                context,
                ts="2026-11-28T19:06:00.000Z",
            )
        )
    app = ReplayApp(await load(journal_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_text(pilot, "HighErrorRate", "7.25", "1.50", "SEV1", "no observations")


def test_parse_moment() -> None:
    ref = datetime(2026, 11, 28, 19, 5, tzinfo=UTC).timestamp()
    assert parse_moment("19:12", ref) == datetime(2026, 11, 28, 19, 12, tzinfo=UTC).timestamp()
    assert parse_moment("19:12:30", ref) == ref + 7 * 60 + 30
    assert parse_moment("2026-11-28T19:06:00Z", ref) == ref + 60
    assert parse_moment("2026-11-28 19:06", ref) == ref + 60
    assert parse_moment("25:00", ref) is None
    assert parse_moment("soon", ref) is None
