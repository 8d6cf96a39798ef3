"""Build a cockpit on the seeded demo with a frozen, hand-driven clock."""

from __future__ import annotations

from pathlib import Path

from cockpit.app import CockpitApp
from cockpit.journal.store import Journal
from cockpit.session import Session
from cockpit.sources.demo import demo_sources
from cockpit.themes import load_themes

T0 = 1_795_892_700.0  # 2026-11-28T19:05:00Z: every run renders the same moment


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
    incident: str = "INC-20261128-1905",
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


async def refresh_sources(app: CockpitApp) -> None:
    """One fetch of every source, as the running cockpit would do each interval."""
    for source in app.session.sources:
        await source.refresh()
    app.tick()


async def journal_of(app: CockpitApp) -> Journal:
    """The app's journal, once open: the cockpit opens it after its first frame."""
    await app.journal_ready.wait()
    return app.journal
