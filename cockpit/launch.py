"""Start the interactive parts (live cockpit, demo, replay, doctor); Textual is imported here."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from platformdirs import user_state_path

from cockpit.paths import default_journal

EXIT_OK, EXIT_USAGE = 0, 2


class LaunchError(Exception):
    """Printed as one line, exit 2."""


def _fail(message: str) -> int:
    print(f"cockpit: {message}", file=sys.stderr)
    return EXIT_USAGE


def demo_journal_path(args: argparse.Namespace) -> Path:
    """The demo keeps its own journal unless one is named, so practice never mixes with real."""
    if getattr(args, "journal", None):
        return Path(args.journal).expanduser()
    if os.environ.get("COCKPIT_JOURNAL"):
        return default_journal()
    return user_state_path("cockpit") / "demo-journal.sqlite"


def _themes(args: argparse.Namespace, configured: str | None) -> tuple[dict[str, Any], str]:
    from cockpit.themes import DEFAULT_THEME, ThemeError, load_themes

    try:
        themes = load_themes()
    except ThemeError as exc:
        raise LaunchError(str(exc)) from None
    name = getattr(args, "theme", None) or configured or DEFAULT_THEME
    if name not in themes:
        raise LaunchError(f"unknown theme {name!r}: choose one of {', '.join(sorted(themes))}")
    return themes, name


def run_demo(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_demo(args))
    except LaunchError as exc:
        return _fail(str(exc))


async def _demo(args: argparse.Namespace) -> int:
    from cockpit.app import CockpitApp
    from cockpit.cli import new_incident_id
    from cockpit.identity import resolve_operator
    from cockpit.journal.store import Journal, JournalError
    from cockpit.session import Session
    from cockpit.sources.demo import demo_sources

    themes, theme = _themes(args, None)
    if args.speed <= 0:
        raise LaunchError("--speed must be greater than 0 (1 = real time, 10 = ten times faster)")
    world, sources = demo_sources(seed=args.seed, speed=args.speed)
    try:
        journal = await Journal.open(demo_journal_path(args))
    except JournalError as exc:
        raise LaunchError(str(exc)) from None
    try:
        session = Session(
            journal=journal,
            incident=args.incident or new_incident_id(),
            operator=resolve_operator(args.operator),
            sources=sources,
            panels=world.panels,
            read_only=bool(args.read_only),
            mode="demo",
            theme=theme,
            themes=themes,
        )
        result = await CockpitApp(session).run_async()
    finally:
        await journal.close()
    return result or EXIT_OK


def run_live(args: argparse.Namespace) -> int:
    return _fail("live mode needs configured sources (coming); try `cockpit demo`")


def run_replay(args: argparse.Namespace) -> int:
    return _fail("replay is not available in this build yet")


def run_doctor(args: argparse.Namespace) -> int:
    return _fail("doctor is not available in this build yet")
