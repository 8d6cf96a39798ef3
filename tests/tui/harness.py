"""Build a cockpit on the seeded demo with a frozen, hand-driven clock, and read it back.

Tests reach the app's state only through the helpers here (the journal, the open prompt,
the active pane, ...), so that a change in how the app keeps that state changes one file.
Waiting is done on conditions (`wait_for`), never on fixed sleeps.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.pilot import Pilot

from cockpit.app import CockpitApp
from cockpit.journal.store import Journal
from cockpit.model import Event, Snapshot, SourceHealth
from cockpit.session import Session
from cockpit.sources.demo import demo_sources
from cockpit.themes import load_themes

from .screen import screen_text

if TYPE_CHECKING:
    import pytest

    from cockpit.replay import ReplayApp

T0 = 1_795_892_700.0  # 2026-11-28T19:05:00Z: every run renders the same moment
INCIDENT = "INC-20261128-1905"
WAIT_S = 5.0  # generous: two cores shared with other test runs

R = TypeVar("R")


class FrozenClock:
    def __init__(self, value: float = T0) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


def demo_app(
    journal_path: Path,
    *,
    elapsed: float = 60.0,
    theme: str = "cockpit-dark",
    operator: str = "alice",
    read_only: bool = False,
    incident: str = INCIDENT,
) -> tuple[CockpitApp, FrozenClock]:
    """A cockpit whose demo world stands `elapsed` seconds into the story; sources not started."""
    clock = FrozenClock()
    world, sources = demo_sources(seed=7, speed=1.0, clock=clock)
    clock.advance(elapsed)
    session = Session(
        journal=None,
        journal_path=journal_path,
        incident=incident,
        operator=operator,
        sources=sources,
        panels=world.panels,
        clock=world.now,
        wall_clock=clock,
        read_only=read_only,
        mode="demo",
        theme=theme,
        themes=load_themes(),
        start_sources=False,
        tick_s=3600,  # ages only move when the test moves the clock
        viewers=None,  # the test runner's own tmux, if any, is not part of the picture
    )
    return CockpitApp(session), clock


# -- waiting on conditions ------------------------------------------------------------------


async def wait_for(
    target: Pilot[Any] | App[Any],
    predicate: Callable[[], R | Awaitable[R]],
    *,
    timeout: float = WAIT_S,
    what: str = "the condition",
) -> R:
    """Poll `predicate` (sync or async) until it returns something truthy; return that.

    With a Pilot each round first lets the app process what is pending (`pilot.pause()`,
    no delay); then a short sleep lets workers and the journal's thread move. Raises
    AssertionError naming `what` after `timeout` seconds.
    """
    pilot = target if isinstance(target, Pilot) else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if pilot is not None:
            await pilot.pause()
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.01)


async def wait_for_text(
    pilot: Pilot[Any], *texts: str, timeout: float = WAIT_S, flat: bool = False
) -> str:
    """Wait until every one of `texts` is on the screen; the screen text.

    `flat`: compare with the lines joined and runs of spaces collapsed (wrapped text).
    """

    def shown() -> str | None:
        text = screen_text(pilot.app)
        haystack = " ".join(text.split()) if flat else text
        return text if all(t in haystack for t in texts) else None

    return await wait_for(pilot, shown, timeout=timeout, what=f"{texts!r} on the screen")


async def wait_for_row(
    pilot: Pilot[Any],
    kind: str,
    *,
    count: int = 1,
    where: Callable[[Event], bool] | None = None,
    timeout: float = WAIT_S,
) -> Event:
    """Wait until the journal holds `count` rows of `kind` (matching `where`); the last one."""
    app = pilot.app

    async def rows() -> list[Event] | None:
        found = [e for e in await journal_rows(app) if e.kind == kind]  # type: ignore[arg-type]
        if where is not None:
            found = [e for e in found if where(e)]
        return found if len(found) >= count else None

    what = f"{count} {kind} row(s) in the journal"
    return (await wait_for(pilot, rows, timeout=timeout, what=what))[-1]


# -- the app's state, read in one place ----------------------------------------------------


async def panes_mounted(app: CockpitApp) -> None:
    """Wait until the cockpit screen is mounted and wired to the sources: an autopilot (the
    snapshot plugin's run_before) may start before that, a person never types that early."""
    await wait_for(app, lambda: app.main.panes_ready, what="the cockpit screen mounted")


async def refresh_sources(app: CockpitApp) -> None:
    """One fetch of every source, as the running cockpit would do each interval."""
    await panes_mounted(app)
    for source in app.session.sources:
        await source.refresh()
    app.main.tick()


_CHANGES: weakref.WeakKeyDictionary[App[Any], list[Any]] = weakref.WeakKeyDictionary()


def _changes_seen(app: CockpitApp) -> list[Any]:
    """Every change the app's sources reported since this was first asked (one listener)."""
    if app not in _CHANGES:
        seen: list[Any] = []
        for source in app.session.sources:
            source.subscribe(on_change=seen.append)
        _CHANGES[app] = seen
    return _CHANGES[app]


async def refresh_and_journal(pilot: Pilot[Any]) -> list[Event]:
    """One fetch of every source, then wait until every change they saw is journaled and
    shown in the timeline: what is on screen (and each row's time, taken from the frozen
    clock when it is written) no longer depends on the writer's timing. The rows."""
    app: CockpitApp = pilot.app  # type: ignore[assignment]
    await panes_mounted(app)
    seen = _changes_seen(app)
    await refresh_sources(app)
    keys = {change.key for change in seen}

    async def all_journaled() -> list[Event] | None:
        rows = await journal_rows(app)
        return rows if keys <= {e.data.get("key") for e in rows} else None

    rows = await wait_for(pilot, all_journaled, what=f"{len(keys)} system changes journaled")
    await wait_for_timeline(app, rows[-1].seq)
    return rows


async def journal_of(app: CockpitApp) -> Journal:
    """The app's journal, once open: the cockpit opens it after its first frame."""
    await app.controller.journal_ready.wait()
    return app.controller.journal


async def journal_rows(app: CockpitApp) -> list[Event]:
    """This incident's rows in the app's journal, in order."""
    return await (await journal_of(app)).events(app.session.incident)


async def wait_for_timeline(app: CockpitApp, seq: int, *, timeout: float = WAIT_S) -> None:
    """Wait until the timeline shows journal row `seq`."""
    try:
        await asyncio.wait_for(app.controller.wait_for_seq(seq), timeout)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for row #{seq} in the timeline") from None


def open_prompt(app: App[Any]) -> Any | None:
    """The prompt open over the panes, if any."""
    return app.prompt  # type: ignore[attr-defined]


def active_pane(app: App[Any]) -> str:
    """The id of the pane the cockpit has focused."""
    return app.main.active_pane  # type: ignore[attr-defined, no-any-return]


def selected_item(app: CockpitApp) -> Any | None:
    """The item under the cursor in the active pane."""
    return app.main.selected_item()


def session_id(app: CockpitApp) -> str:
    """The id this cockpit process journals its session rows with."""
    return app.controller.actions.session_id


def show_snapshot(app: CockpitApp, snap: Snapshot) -> None:
    """Hand the cockpit a snapshot as if its source had just published it."""
    app.main.on_snapshot(snap)


def show_health(app: CockpitApp, health: SourceHealth) -> None:
    """Hand the cockpit a source's health as if the source had just reported it."""
    app.main.on_health(health)


async def break_journal_writes(
    app: CockpitApp, monkeypatch: pytest.MonkeyPatch, message: str = "disk I/O error"
) -> None:
    """From now on every append fails with a write error the journal declares (a full disk,
    an I/O error): what the app does then is what the journal being down looks like."""
    import sqlite3

    journal = await journal_of(app)
    error = sqlite3.OperationalError
    assert issubclass(error, journal.write_errors)

    async def broken(*args: object, **kwargs: object) -> Event:
        raise error(message)

    for name in ("append", "append_once", "append_many"):
        monkeypatch.setattr(journal, name, broken)


# -- replay ----------------------------------------------------------------------------------


def replay_moment(app: ReplayApp) -> float:
    """The moment a replay shows, epoch seconds."""
    return app.moment


def replay_frame(app: ReplayApp) -> Any:
    """What a replay shows at its moment (alerts, panels, ...), as data."""
    return app.frame


async def record_demo_incident(journal_path: Path) -> Event:
    """Run the demo cockpit for two minutes of polls with a recorder, press s 2, then note
    "zebra" 15 s later and quit; the severity row (replay has to go back to it)."""
    from cockpit.observations import ObservationRecorder

    app, clock = demo_app(journal_path, elapsed=240.0)
    async with app.run_test(size=(160, 48)) as pilot:
        recorder = ObservationRecorder(await journal_of(app), app.session.incident)

        async def poll() -> None:
            # the changes are journaled before the clock moves on: their times are fixed
            await refresh_and_journal(pilot)
            for source in app.session.sources:
                assert source.latest is not None
                await recorder.record(source.latest)

        for _ in range(8):  # two minutes of polls, 15 s apart, as the live cockpit would
            await poll()
            clock.advance(15)
        await poll()
        await pilot.press("s", "2")
        severity = await wait_for_row(pilot, "severity.changed")
        clock.advance(15)  # something after the action, so replay has to go back to it
        await poll()
        await pilot.press("n", *"zebra", "enter")
        await wait_for_row(pilot, "note.added")
        assert recorder.rows > 3 and not recorder.full
        await pilot.press("q")
    return severity
