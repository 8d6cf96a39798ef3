"""Interactive runs (live, demo, replay): build the session, run the app.

Textual is imported here, inside the functions, so that the other commands never load it.
An error the user can cause is raised (cockpit/errors.py) and said in one line by the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.errors import EXIT_FOUND, EXIT_HUNG, EXIT_OK, EXIT_USAGE, UsageError
from cockpit.gcpolicy import held_until_first_frame
from cockpit.paths import journal_path

if TYPE_CHECKING:
    from cockpit.app import CockpitApp
    from cockpit.config import Config
    from cockpit.journal.active import ActiveIncident
    from cockpit.observations import ReplayModel
    from cockpit.replay import ReplayApp
    from cockpit.session import Session

SHUTDOWN_GRACE_S = 10.0  # after SIGHUP/SIGTERM, at most this long to journal the end
DEMO_POLL_S = 5.0
MAX_DEMO_SPEED = 1000.0  # the whole demo story in a few seconds; faster is not a demo


def _themes(args: argparse.Namespace, configured: str | None) -> tuple[dict[str, Any], str]:
    from cockpit.themes import DEFAULT_THEME, load_theme

    name = getattr(args, "theme", None) or configured or DEFAULT_THEME
    # the rest are offered in the palette after the first frame
    return load_theme(name), name


def _config(args: argparse.Namespace) -> Config:
    from cockpit.config import load_config

    given = getattr(args, "config", None)
    return load_config(Path(given) if given else None)


def _journal_location(path: Path) -> Path:
    """The usual wrong --journal (a folder, a file that is not SQLite, a folder that cannot be
    made) is refused here, before the screen starts; the app opens the journal itself after
    its first frame (see IncidentController.open)."""
    from cockpit.journal.location import check_location

    return check_location(path)


def _look_up_operator(args: argparse.Namespace) -> asyncio.Future[tuple[str, str | None]]:
    """Who is at the keyboard, found in a thread while the rest starts: it may run
    `git config` (a subprocess, ~2 ms that the start need not wait for). With the name
    comes the line to show once if it was taken from git config (issue 12 item 9)."""
    from cockpit.identity import find_operator, operator_notice
    from cockpit.paths import operator_seen_path

    def look_up() -> tuple[str, str | None]:
        found = find_operator(args.operator)
        return found.name, operator_notice(found, operator_seen_path())

    return asyncio.ensure_future(asyncio.to_thread(look_up))


# -- the apps: each is built in one place, so a change of constructor is one line ---------


def _cockpit_app(session: Session) -> CockpitApp:
    from cockpit.app import CockpitApp

    return CockpitApp(session)


def _replay_app(model: ReplayModel, *, theme: str, themes: dict[str, Any]) -> ReplayApp:
    from cockpit.replay import ReplayApp

    return ReplayApp(model, theme=theme, themes=themes)


async def _run_app(
    args: argparse.Namespace,
    journal: Path,
    operator: Awaitable[tuple[str, str | None]],
    *,
    choose: bool = False,
    **session_kw: Any,
) -> int:
    """Join the named incident or start a new one, then run the cockpit until quit.

    choose: without --incident or --new, offer the journal's active incidents first (live)."""
    from cockpit.journal.incidents import incident_to_run
    from cockpit.session import Session

    if args.incident and getattr(args, "new", False):
        raise UsageError("--new starts a new incident and --incident joins one: pass one of them")
    active = None
    if choose and not args.incident and (args.read_only or not getattr(args, "new", False)):
        # read in a thread while the app loads: a start with nothing active waits for nothing
        active = asyncio.ensure_future(asyncio.to_thread(_active, journal))
    # load the app, the bulk of a start, while the operator is looked up in its thread
    importlib.import_module("cockpit.app")
    incident = args.incident
    if active is not None:
        incident = await _pick(args, journal, await active, session_kw)
        if incident is None:
            return EXIT_OK  # quit at the chooser: nothing started, nothing journaled
    name, notice = await operator
    session = Session(
        journal=None,  # opened by the app after its first frame, closed when it ends
        journal_path=journal,
        incident=incident_to_run(incident),
        operator=name,
        notice=notice,
        read_only=bool(args.read_only),
        **session_kw,
    )
    app = _cockpit_app(session)
    _end_on_signals(app)
    try:
        result = await app.run_async()
    finally:
        if session.journal is not None:
            # the app closes it on unmount; after a crash its thread would hold the exit
            await session.journal.close()
    print_kept_text(app)
    if app.journal_failure:
        # a damaged journal is a failure found (1), like verify says; anything else about it
        # (a wrong path, a read-only mount, a full disk) is for the user to fix (2)
        damaged = app.controller.journal_damaged
        raise UsageError(app.journal_failure, EXIT_FOUND if damaged else EXIT_USAGE)
    return result or EXIT_OK


def print_kept_text(app: Any) -> None:
    """What was typed and never journaled (refused, read-only, journal down): the terminal is
    its last chance, every line of it, inert."""
    from cockpit.plaintext import clean

    for line in app.kept_lines():
        print(clean(line, limit=None, multiline=True), file=sys.stderr)


_NEW = ""  # _pick's "start a new incident": incident_to_run makes a new id


def _active(journal: Path) -> list[ActiveIncident]:
    from cockpit.journal.active import active_incidents

    return active_incidents(journal)


async def _pick(
    args: argparse.Namespace,
    journal: Path,
    active: list[ActiveIncident],
    session_kw: dict[str, Any],
) -> str | None:
    """The incident a plain start works on (issue 12 item 1): a watcher watches the most
    recent active one; an operator joins one only by choosing it, else starts a new one."""
    if args.read_only:
        if not active:
            raise UsageError(
                f"no active incident in {journal} to watch: pass --incident ID"
                " (cockpit incidents lists them)"
            )
        return active[0].id
    if not active:
        return _NEW
    from cockpit.chooser import NEW, ChooserApp

    chooser = ChooserApp(
        active, str(journal), themes=session_kw.get("themes"), theme=session_kw.get("theme")
    )
    choice = await chooser.run_async()
    return _NEW if choice == NEW else choice


def _end_on_signals(app: Any) -> None:
    """A closed terminal (SIGHUP) or a kill (SIGTERM) still journals session.ended."""
    loop = asyncio.get_running_loop()

    def hang_up(reason: str) -> None:
        async def end() -> None:
            await app.end_session(reason)
            app.exit(0)

        app.call_later(end)  # on the app's own message queue, awaited there
        # the terminal is gone: if shutting down hangs on it, do not linger holding the
        # journal (its appends are each committed; nothing is lost by leaving)
        watchdog = threading.Timer(SHUTDOWN_GRACE_S, os._exit, args=(EXIT_HUNG,))
        watchdog.daemon = True
        watchdog.start()

    for sig, reason in ((signal.SIGHUP, "hangup"), (signal.SIGTERM, "terminated")):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, hang_up, reason)


def _launch(main: Callable[[argparse.Namespace], Awaitable[int]], args: argparse.Namespace) -> int:
    """Run one interactive command's coroutine, garbage collection held until its first
    frame."""
    with held_until_first_frame():
        return asyncio.run(main(args))


def run_demo(args: argparse.Namespace) -> int:
    return _launch(_demo, args)


async def _demo(args: argparse.Namespace) -> int:
    from cockpit.sources.demo import demo_sources

    operator = _look_up_operator(args)
    config = _config(args) if getattr(args, "config", None) else None
    themes, theme = _themes(args, config.theme if config else None)
    # `not <=`: NaN compares false both ways, and inf would spin the simulation at full CPU
    if not 0 < args.speed <= MAX_DEMO_SPEED:
        raise UsageError(
            f"--speed must be a number above 0 and at most {MAX_DEMO_SPEED:g}"
            " (1 = real time, 10 = ten times faster)"
        )
    world, sources = demo_sources(seed=args.seed, speed=args.speed)
    for source in sources:
        # like a real scrape interval: each poll repaints the panes, once a second costs CPU
        source.interval = DEMO_POLL_S
    return await _run_app(
        args,
        _journal_location(journal_path(args.journal, demo=True)),
        operator,
        sources=sources,
        panels=world.panels,
        mode="demo",
        theme=theme,
        themes=themes,
        clock=world.now,
        wall_clock=world.clock,
        signing=config.signing if config else None,
    )


def run_live(args: argparse.Namespace) -> int:
    return _launch(_live, args)


async def _live(args: argparse.Namespace) -> int:
    from cockpit.commands import local_only
    from cockpit.sources.factory import build_sources, no_source_message

    local_only(args, "the live cockpit")
    operator = _look_up_operator(args)
    config = _config(args)
    if not config.configured():
        raise UsageError(no_source_message(config))  # the same line as `cockpit doctor`
    themes, theme = _themes(args, config.theme)
    sources = build_sources(config, read_only=bool(args.read_only))
    return await _run_app(
        args,
        _journal_location(journal_path(args.journal)),
        operator,
        choose=True,
        sources=sources,
        panels=config.panels,
        theme=theme,
        themes=themes,
        redact_secrets=config.redact,
        signing=config.signing,
        team_url=config.team.url if config.team else None,
    )


def run_replay(args: argparse.Namespace) -> int:
    return _launch(_replay, args)


async def _replay(args: argparse.Namespace) -> int:
    """Load the incident once (events and observations), close the journal, then show it."""
    from cockpit.journal.incidents import existing_incident
    from cockpit.journal.store import Journal
    from cockpit.observations import ReplayModel

    config = _config(args) if getattr(args, "config", None) else None
    themes, theme = _themes(args, config.theme if config else None)
    from cockpit.commands import journal_url

    if (url := journal_url(args)) is not None:
        from cockpit.journal.postgres import PostgresJournal

        journal: Any = await PostgresJournal.open(url, create=False)
    else:
        journal = await Journal.open(journal_path(getattr(args, "journal", None)), create=False)
    try:
        incident = await existing_incident(
            journal, getattr(args, "incident", None), when_empty="nothing to replay"
        )
        model = await ReplayModel.load(journal, incident)
    finally:
        await journal.close()
    result = await _replay_app(model, theme=theme, themes=themes).run_async()
    return result or EXIT_OK
