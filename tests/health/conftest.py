"""Fixtures for the source-health tests: a hanging server, a live cockpit on a config."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.app import CockpitApp
from cockpit.config import load_config
from cockpit.model import Event
from cockpit.session import Session
from cockpit.sources.factory import build_sources
from tests.tui.harness import journal_rows

from .hang import HangingServer


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer().start()
    try:
        yield server
    finally:
        server.stop()


def live_app(config_path: Path, journal: Path, **session: Any) -> CockpitApp:
    """The live cockpit on the sources a config file names, as `cockpit --config` builds it."""
    config = load_config(config_path, env={})
    return CockpitApp(
        Session(
            journal=None,
            journal_path=journal,
            incident="INC-HEALTH",
            operator="alice",
            sources=build_sources(config),
            panels=config.panels,
            viewers=None,
            **session,
        )
    )


async def until(predicate: Any, timeout: float, what: Any = "") -> float:
    """Wait for `predicate`; return how long it took (fail after `timeout` seconds, saying
    `what`, a text or a function giving the text at that moment)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not predicate():
        if loop.time() - start >= timeout:
            raise AssertionError(f"not within {timeout}s: {what() if callable(what) else what}")
        await asyncio.sleep(0.05)
    return loop.time() - start


async def rows_of(app: CockpitApp, kind: str, timeout: float = 5.0) -> list[Event]:
    """This incident's journal rows of `kind`, waiting until there is at least one (the
    journal opens after the first frame, and changes are journaled in the background)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        rows = [e for e in await journal_rows(app) if e.kind == kind]
        if rows or loop.time() - start > timeout:
            return rows
        await asyncio.sleep(0.1)
