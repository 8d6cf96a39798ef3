"""Command-line front: the live cockpit, the demo, and the journal commands.

Exit codes: 0 ok, 1 a failure was found (e.g. a broken chain), 2 usage or configuration error.
Every error a user can cause is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from cockpit import __version__
from cockpit.paths import default_journal

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake the user can fix; printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"cockpit: {message} (see cockpit --help)\n")


def new_incident_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.strftime("INC-%Y%m%d-%H%M")


def _journal_option(p: argparse.ArgumentParser, sub: bool) -> None:
    default = argparse.SUPPRESS if sub else None
    p.add_argument(
        "--journal", metavar="F", default=default, help="journal file (env COCKPIT_JOURNAL)"
    )


def _session_options(p: argparse.ArgumentParser, sub: bool) -> None:
    """Options shared by the live cockpit, the demo and replay."""
    d = argparse.SUPPRESS if sub else None
    p.add_argument("--config", metavar="F", default=d, help="config file (env COCKPIT_CONFIG)")
    _journal_option(p, sub)
    p.add_argument("--incident", metavar="ID", default=d, help="join or start this incident")
    p.add_argument("--operator", metavar="NAME", default=d, help="who is at the keyboard")
    p.add_argument("--theme", metavar="NAME", default=d, help="colour theme")
    p.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS if sub else False,
        help="watch only: every action refused",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cockpit", description="Terminal incident cockpit for SREs.")
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    _session_options(parser, sub=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the cockpit on an embedded simulated incident")
    _session_options(demo, sub=True)
    demo.add_argument("--seed", type=int, default=None, help="make the simulation deterministic")
    demo.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")

    inc = sub.add_parser("incidents", help="list the incidents in the journal")
    _journal_option(inc, sub=True)
    inc.add_argument("--format", choices=("table", "json"), default="table")

    exp = sub.add_parser("export", help="export an incident's timeline")
    exp.add_argument("incident", nargs="?", metavar="ID", help="default: the most recent")
    _journal_option(exp, sub=True)
    exp.add_argument("--format", required=True, metavar="md|jsonl|html")
    exp.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    ver = sub.add_parser("verify", help="recompute the hash chain")
    _journal_option(ver, sub=True)

    note = sub.add_parser("note", help="append a note to an incident")
    note.add_argument("text", help="the note")
    note.add_argument("--incident", metavar="ID", help="default: the most recent")
    _journal_option(note, sub=True)
    note.add_argument("--operator", metavar="NAME")
    note.add_argument(
        "--type", choices=("note", "hypothesis", "decision", "finding"), default="note"
    )

    imp = sub.add_parser("import", help="append events from a jsonl export (idempotent)")
    imp.add_argument("file", metavar="FILE.jsonl")
    _journal_option(imp, sub=True)

    rep = sub.add_parser("replay", help="the cockpit as it looked at any moment")
    rep.add_argument("incident", nargs="?", metavar="ID", help="default: the most recent")
    _session_options(rep, sub=True)

    doc = sub.add_parser("doctor", help="check config, reachability and permissions")
    doc.add_argument("--config", metavar="F", default=argparse.SUPPRESS)
    return parser


def journal_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "journal", None)
    return Path(given).expanduser() if given else default_journal()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = _HANDLERS.get(args.command or "run")
    assert handler is not None
    try:
        return handler(args)
    except UsageError as exc:
        print(f"cockpit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _run_async(coro: Coroutine[Any, Any, int]) -> int:
    from cockpit.journal.store import JournalError

    try:
        return asyncio.run(coro)
    except JournalError as exc:
        raise UsageError(str(exc)) from None


# -- journal commands -------------------------------------------------------------------


async def _open(args: argparse.Namespace, *, create: bool = False):  # type: ignore[no-untyped-def]
    from cockpit.journal.store import Journal

    return await Journal.open(journal_path(args), create=create)


async def _pick_incident(journal: Any, wanted: str | None) -> str:
    if wanted:
        if not await journal.has_incident(wanted):
            known = await journal.incident_ids()
            hint = f"known: {', '.join(known[-5:])}" if known else "the journal is empty"
            raise UsageError(f"no incident {wanted!r} in {journal.path} ({hint})")
        return wanted
    latest = await journal.latest_incident()
    if latest is None:
        raise UsageError(f"{journal.path} holds no incident yet: start one with cockpit note TEXT")
    return latest


def cmd_incidents(args: argparse.Namespace) -> int:
    from cockpit.journal.incidents import list_incidents, render_table

    async def go() -> int:
        async with await _open(args) as journal:
            rows = await list_incidents(journal)
        if args.format == "json":
            print(json.dumps([r.to_dict() for r in rows], indent=2))
        else:
            print(render_table(rows))
        return EXIT_OK

    return _run_async(go())


def cmd_export(args: argparse.Namespace) -> int:
    from cockpit.journal import export

    if args.format not in export.FORMATS:
        raise UsageError(
            f"unknown export format {args.format!r}: use one of {', '.join(export.FORMATS)}"
        )

    async def go() -> int:
        async with await _open(args) as journal:
            incident = await _pick_incident(journal, args.incident)
            text = await export.render(journal, incident, args.format)
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
        else:
            sys.stdout.write(text)
        return EXIT_OK

    return _run_async(go())


def cmd_verify(args: argparse.Namespace) -> int:
    async def go() -> int:
        async with await _open(args) as journal:
            result = await journal.verify()
        print(result.line())
        return EXIT_OK if result.ok else EXIT_FOUND

    return _run_async(go())


def cmd_note(args: argparse.Namespace) -> int:
    from cockpit.identity import resolve_operator
    from cockpit.model import Draft

    text = args.text.strip()
    if not text:
        raise UsageError("the note is empty: cockpit note 'what you saw or decided'")

    async def go() -> int:
        async with await _open(args, create=True) as journal:
            incident = args.incident or await journal.latest_incident() or new_incident_id()
            draft = Draft(
                incident=incident,
                kind="note.added",
                actor=resolve_operator(args.operator),
                data={"type": args.type, "text": text},
            )
            event = await journal.append(draft)
        print(f"journaled #{event.seq} in {event.incident}")
        return EXIT_OK

    return _run_async(go())


def cmd_import(args: argparse.Namespace) -> int:
    from cockpit.journal.importer import ImportError_, read_jsonl

    try:
        drafts = read_jsonl(Path(args.file))
    except ImportError_ as exc:
        raise UsageError(str(exc)) from None

    async def go() -> int:
        async with await _open(args, create=True) as journal:
            before, _ = await journal.head()
            await journal.append_many(drafts)
            after, _ = await journal.head()
        print(f"imported {after - before} new events ({len(drafts) - (after - before)} known)")
        return EXIT_OK

    return _run_async(go())


# -- interactive commands (Textual is imported only here) ---------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from cockpit.launch import run_live

    return run_live(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from cockpit.launch import run_demo

    return run_demo(args)


def cmd_replay(args: argparse.Namespace) -> int:
    from cockpit.launch import run_replay

    return run_replay(args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from cockpit.launch import run_doctor

    return run_doctor(args)


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "demo": cmd_demo,
    "incidents": cmd_incidents,
    "export": cmd_export,
    "verify": cmd_verify,
    "note": cmd_note,
    "import": cmd_import,
    "replay": cmd_replay,
    "doctor": cmd_doctor,
}
