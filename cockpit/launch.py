"""Start the interactive parts (live cockpit, demo, replay, doctor); Textual is imported here."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from platformdirs import user_state_path

from cockpit.gcpolicy import held_until_first_frame
from cockpit.paths import default_journal

EXIT_OK, EXIT_USAGE = 0, 2
EXIT_HUNG = 1
SHUTDOWN_GRACE_S = 10.0  # after SIGHUP/SIGTERM, at most this long to journal the end
DEMO_POLL_S = 5.0


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
    from cockpit.themes import DEFAULT_THEME, ThemeError, load_theme

    name = getattr(args, "theme", None) or configured or DEFAULT_THEME
    try:
        themes = load_theme(name)  # the rest are offered in the palette after the first frame
    except ThemeError as exc:
        raise LaunchError(str(exc)) from None
    return themes, name


def _config(args: argparse.Namespace) -> Any:
    from cockpit.config import ConfigError, load_config

    try:
        path = getattr(args, "config", None)
        return load_config(Path(path).expanduser() if path else None)
    except ConfigError as exc:
        raise LaunchError(str(exc)) from None


def _journal_location(path: Path) -> Path:
    """The usual wrong --journal (a folder, a file that is not SQLite, a folder that cannot be
    made) is refused here, before the screen starts; the app opens the journal itself after
    its first frame (see CockpitApp.connect_journal)."""
    from cockpit.journal.location import JournalError, check_location

    try:
        return check_location(path)
    except JournalError as exc:
        raise LaunchError(str(exc)) from None


def _look_up_operator(args: argparse.Namespace) -> asyncio.Future[str]:
    """Who is at the keyboard, found in a thread while the rest starts: it may run
    `git config` (a subprocess, ~2 ms that the start need not wait for)."""
    from cockpit.identity import resolve_operator

    return asyncio.ensure_future(asyncio.to_thread(resolve_operator, args.operator))


async def _run_app(
    args: argparse.Namespace, journal_path: Path, operator: Awaitable[str], **session_kw: Any
) -> int:
    """Join the named incident or start a new one, then run the cockpit until quit."""
    from cockpit.app import CockpitApp
    from cockpit.cli import new_incident_id
    from cockpit.session import Session

    session = Session(
        journal=None,  # opened by the app after its first frame, closed when it ends
        journal_path=journal_path,
        incident=args.incident or new_incident_id(),
        operator=await operator,
        read_only=bool(args.read_only),
        **session_kw,
    )
    app = CockpitApp(session)
    _end_on_signals(app)
    try:
        result = await app.run_async()
    finally:
        if session.journal is not None:
            # the app closes it on unmount; after a crash its thread would hold the exit
            await session.journal.close()
    if app.journal_failure:
        raise LaunchError(app.journal_failure)
    return result or EXIT_OK


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


def _launch(
    main: Callable[[argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
    *,
    interactive: bool = True,
) -> int:
    """Run one command's coroutine; a LaunchError is one line and exit 2.

    An interactive command holds garbage collection until its first frame.
    """
    hold = held_until_first_frame() if interactive else contextlib.nullcontext()
    try:
        with hold:
            return asyncio.run(main(args))
    except LaunchError as exc:
        return _fail(str(exc))


def run_demo(args: argparse.Namespace) -> int:
    return _launch(_demo, args)


async def _demo(args: argparse.Namespace) -> int:
    from cockpit.sources.demo import demo_sources

    operator = _look_up_operator(args)
    config = _config(args) if getattr(args, "config", None) else None
    themes, theme = _themes(args, config.theme if config else None)
    if args.speed <= 0:
        raise LaunchError("--speed must be greater than 0 (1 = real time, 10 = ten times faster)")
    world, sources = demo_sources(seed=args.seed, speed=args.speed)
    for source in sources:
        # like a real scrape interval: each poll repaints the panes, once a second costs CPU
        source.interval = DEMO_POLL_S
    return await _run_app(
        args,
        _journal_location(demo_journal_path(args)),
        operator,
        sources=sources,
        panels=world.panels,
        mode="demo",
        theme=theme,
        themes=themes,
        clock=world.now,
        wall_clock=world.clock,
    )


def run_live(args: argparse.Namespace) -> int:
    return _launch(_live, args)


async def _live(args: argparse.Namespace) -> int:
    from cockpit.sources.factory import build_sources

    operator = _look_up_operator(args)
    config = _config(args)
    if not config.configured():
        where = config.path or "the config file"
        raise LaunchError(
            f"no source configured in {where}: set [prometheus] url (or PROMETHEUS_URL), "
            "[alertmanager] url, [kubernetes]; or try `cockpit demo`"
        )
    themes, theme = _themes(args, config.theme)
    sources = build_sources(config, read_only=bool(args.read_only))
    journal_path = _journal_location(
        Path(args.journal).expanduser() if args.journal else default_journal()
    )
    return await _run_app(
        args,
        journal_path,
        operator,
        sources=sources,
        panels=config.panels,
        theme=theme,
        themes=themes,
        redact_secrets=config.redact,
    )


def run_replay(args: argparse.Namespace) -> int:
    return _launch(_replay, args)


async def _replay(args: argparse.Namespace) -> int:
    """Load the incident once (events and observations), close the journal, then show it."""
    from cockpit.journal.store import Journal, JournalError
    from cockpit.observations import ReplayModel
    from cockpit.replay import ReplayApp

    config = _config(args) if getattr(args, "config", None) else None
    themes, theme = _themes(args, config.theme if config else None)
    given = getattr(args, "journal", None)
    path = Path(given).expanduser() if given else default_journal()
    try:
        journal = await Journal.open(path, create=False)
    except JournalError as exc:
        raise LaunchError(str(exc)) from None
    try:
        wanted = getattr(args, "incident", None)
        if wanted and not await journal.has_incident(wanted):
            known = await journal.incident_ids()
            hint = f"known: {', '.join(known[-5:])}" if known else "the journal is empty"
            raise LaunchError(f"no incident {wanted!r} in {path} ({hint})")
        incident = wanted or await journal.latest_incident()
        if incident is None:
            raise LaunchError(f"{path} holds no incident yet: nothing to replay")
        model = await ReplayModel.load(journal, incident)
    finally:
        await journal.close()
    result = await ReplayApp(model, theme=theme, themes=themes).run_async()
    return result or EXIT_OK


def run_doctor(args: argparse.Namespace) -> int:
    return _launch(_doctor, args, interactive=False)


async def _doctor(args: argparse.Namespace) -> int:
    from cockpit.doctor import render, run_checks, summary

    config = _config(args)
    if not config.configured():
        print(
            "cockpit: nothing to check: no source configured. Write a config "
            f"({config.path or 'config.toml in the XDG config dir'}) with [prometheus], "
            "[alertmanager] or [kubernetes], or set PROMETHEUS_URL / ALERTMANAGER_URL / "
            "KUBECONFIG; or try `cockpit demo`",
            file=sys.stderr,
        )
        return 1
    rows = await run_checks(config)
    print(render(rows))
    print(summary(rows))
    return 0 if all(ok for _, ok, _ in rows) else 1
