"""Replay on the real demo: what an operator action's context recorded is what replay shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft, Event
from cockpit.observations import ObservationRecorder, ReplayModel
from cockpit.panes.render import format_value
from cockpit.replay import ReplayApp, clock_text, parse_moment
from tests.tui.harness import demo_app, journal_of, refresh_sources
from tests.tui.screen import screen_text

INC = "INC-20261128-1905"


async def record_demo(journal_path: Path) -> Event:
    """Run the demo cockpit for a few polls with a recorder, press s 2; the severity event."""
    app, clock = demo_app(journal_path, elapsed=240.0)
    async with app.run_test(size=(160, 48)) as pilot:
        recorder = ObservationRecorder(await journal_of(app), INC)
        for _ in range(8):  # two minutes of polls, 15 s apart, as the live cockpit would
            await refresh_sources(app)
            for source in app.session.sources:
                assert source.latest is not None
                await recorder.record(source.latest)
            clock.advance(15)
        await refresh_sources(app)
        for source in app.session.sources:
            await recorder.record(source.latest)  # type: ignore[arg-type]
        await pilot.pause()
        await pilot.press("s", "2")
        await pilot.pause()
        events = await (await journal_of(app)).events(INC)
        severity = [e for e in events if e.kind == "severity.changed"][-1]
        clock.advance(15)  # something after the action, so replay has to go back to it
        await refresh_sources(app)
        for source in app.session.sources:
            await recorder.record(source.latest)  # type: ignore[arg-type]
        await pilot.press("n")
        for char in "zebra":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause()
        assert recorder.rows > 3 and not recorder.full
        await pilot.press("q")
        await pilot.pause()
    return severity


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
        await pilot.pause()
        text = screen_text(app)
        assert clock_text(moment) in text
        for name in firing:
            assert name in text
        for title, value in metrics.items():
            assert title in text
            assert format_value(value, "").split()[0] in text  # the value shown as "Now"
        assert "severity set to SEV2" in text
        assert "zebra" not in text  # the later note is not in the timeline yet
        # the frame agrees with the context exactly, not only as rendered text
        frame = app.frame
        assert frame is not None
        assert sorted(a.name for a in frame.alerts or () if a.state == "firing") == sorted(
            a["alert"] for a in severity.context["firing"] if a["state"] == "firing"
        )
        assert {s.panel.title: s.latest for s in frame.panels} == metrics
        while app.moment < model.end:  # step forward to the end: the later note appears
            await pilot.press("right")
        await pilot.pause()
        assert "note: zebra" in screen_text(app)


async def test_keys_move_the_shown_moment(journal_path: Path) -> None:
    severity = await record_demo(journal_path)
    model = await load(journal_path)
    app = ReplayApp(model)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        end = model.end
        assert clock_text(end) in screen_text(app)  # starts at the last moment
        await pilot.press("left")
        await pilot.pause()
        previous = model.previous_entry(end)
        assert previous is not None and app.moment == previous
        assert clock_text(previous) in screen_text(app)
        await pilot.press("right")
        await pilot.pause()
        assert app.moment == model.next_entry(previous)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        back = app.moment
        assert clock_text(back) in screen_text(app)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.moment == min(back + 60, model.end)
        # g: go to the severity change by its HH:MM:SS
        when = severity.moment.strftime("%H:%M:%S")
        await pilot.press("g", "ctrl+u", *when)
        await pilot.press("enter")
        await pilot.pause()
        assert app.moment == severity.moment.timestamp()
        assert clock_text(app.moment) in screen_text(app)
        # space: x1, x10, x60, pause
        await pilot.press("g", "ctrl+u", *model_start_text(model), "enter")
        await pilot.pause()
        start = app.moment
        await pilot.press("space")
        await pilot.pause()
        assert "▶ x1 " in screen_text(app)
        await pilot.press("space")
        await asyncio.sleep(0.6)
        await pilot.pause()
        assert "▶ x10" in screen_text(app)
        assert app.moment > start + 2
        assert clock_text(app.moment) in screen_text(app)
        await pilot.press("space", "space")
        await pilot.pause()
        assert "paused" in screen_text(app)
        stopped = app.moment
        await asyncio.sleep(0.4)
        assert app.moment == stopped
        await pilot.press("question_mark")
        await pilot.pause()
        assert "one minute back / forward" in screen_text(app)
        await pilot.press("escape", "q")
        await pilot.pause()
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
        await pilot.pause()
        text = screen_text(app)
        assert "HighErrorRate" in text and "7.25" in text and "1.50" in text
        assert "SEV1" in text and "no observations" in text


def test_parse_moment() -> None:
    ref = datetime(2026, 11, 28, 19, 5, tzinfo=UTC).timestamp()
    assert parse_moment("19:12", ref) == datetime(2026, 11, 28, 19, 12, tzinfo=UTC).timestamp()
    assert parse_moment("19:12:30", ref) == ref + 7 * 60 + 30
    assert parse_moment("2026-11-28T19:06:00Z", ref) == ref + 60
    assert parse_moment("2026-11-28 19:06", ref) == ref + 60
    assert parse_moment("25:00", ref) is None
    assert parse_moment("soon", ref) is None
