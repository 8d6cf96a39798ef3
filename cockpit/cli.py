"""Command-line front: argparse and dispatch only.

The interactive runs live in cockpit/launch.py, the other commands in cockpit/commands.py;
exit codes and the one-line error rule in cockpit/errors.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from cockpit import __version__
from cockpit.errors import EXIT_USAGE, exit_code, one_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"cockpit: {message} (see cockpit --help)\n")


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


def _config_option(p: argparse.ArgumentParser) -> None:
    # the commands that write a checkpoint read [signing] from it
    p.add_argument(
        "--config", metavar="F", default=argparse.SUPPRESS, help="config file (env COCKPIT_CONFIG)"
    )


def _new_option(p: argparse.ArgumentParser, sub: bool) -> None:
    p.add_argument(
        "--new",
        action="store_true",
        default=argparse.SUPPRESS if sub else False,
        help="start a new incident without offering to join an active one",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cockpit", description="Terminal incident cockpit for SREs.")
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    _session_options(parser, sub=False)
    _new_option(parser, sub=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the cockpit on an embedded simulated incident")
    _session_options(demo, sub=True)
    _new_option(demo, sub=True)
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
    _config_option(exp)
    exp.add_argument(
        "--redact-notes",
        action="store_true",
        help="drop note texts, keep each provable by hash (salts in FILE.openings)",
    )

    ver = sub.add_parser(
        "verify", help="recompute the hash chain (of the journal or an export), check checkpoints"
    )
    ver.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="an export (jsonl, md or html) to verify on its own, without the journal",
    )
    _journal_option(ver, sub=True)
    _config_option(ver)
    ver.add_argument(
        "--checkpoint",
        metavar="FILE",
        action="append",
        default=[],
        help="also check a checkpoint kept elsewhere (a file, a paste, an export)",
    )
    ver.add_argument(
        "--allowed-signers",
        metavar="F",
        help="check signatures against this file (default: [signing] allowed_signers)",
    )

    note = sub.add_parser("note", help="append a note to an incident")
    note.add_argument("text", help="the note")
    note.add_argument("--incident", metavar="ID", help="default: the most recent")
    _journal_option(note, sub=True)
    note.add_argument("--operator", metavar="NAME")
    note.add_argument(
        "--type", choices=("note", "hypothesis", "decision", "finding"), default="note"
    )
    _config_option(note)

    imp = sub.add_parser("import", help="append events from a jsonl export (idempotent)")
    imp.add_argument("file", metavar="FILE.jsonl")
    _journal_option(imp, sub=True)
    _config_option(imp)
    imp.add_argument(
        "--force",
        action="store_true",
        help="import even if the file's hash chain does not hold (journaled as such)",
    )

    bak = sub.add_parser("backup", help="consistent copy of a live journal (WAL included)")
    bak.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="default: <journal name>-backup-<UTC time>.sqlite in the current folder",
    )
    _journal_option(bak, sub=True)

    rep = sub.add_parser("replay", help="the cockpit as it looked at any moment")
    rep.add_argument("incident", nargs="?", metavar="ID", help="default: the most recent")
    _session_options(rep, sub=True)

    team = sub.add_parser("team", help="the team journal on PostgreSQL")
    team_sub = team.add_subparsers(dest="team_command", parser_class=_Parser, metavar="COMMAND")
    team_sub.required = True
    status = team_sub.add_parser("status", help="queued events, last push and pull, server head")
    _journal_option(status, sub=True)
    status.add_argument("--config", metavar="F", default=argparse.SUPPRESS)

    doc = sub.add_parser("doctor", help="check config, reachability and permissions")
    doc.add_argument("--config", metavar="F", default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = _HANDLERS[args.command or "run"]
    try:
        _check_text_arguments(args)
        _check_identities(args)
        return handler(args)
    except (Exception, KeyboardInterrupt) as exc:
        code = exit_code(exc)
        if code is None:
            raise  # not an error the user caused: a bug, whose traceback is wanted
        if line := one_line(exc):
            from cockpit.plaintext import clean

            # an error may quote an incident id or a file's content: nothing from it may
            # drive the terminal
            print(clean(line, limit=None), file=sys.stderr)
        return code


# arguments naming files: any bytes the filesystem allows (Python hands undecodable ones over
# as lone surrogates, and passes them back to the OS as the same bytes)
_PATH_ARGUMENTS = frozenset(
    {"journal", "config", "output", "file", "checkpoint", "allowed_signers"}
)
_SHOWN_AS = {"text": "the note TEXT", "incident": "the incident id"}


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Every other argument is text the journal stores or matches as UTF-8: bytes that are
    not UTF-8 (`cockpit note $'\\xff'`) are refused in one line, not a traceback at the insert."""
    from cockpit.errors import UsageError

    for name, value in vars(args).items():
        if name in _PATH_ARGUMENTS or not isinstance(value, str):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = os.fsencode(value)
            what = _SHOWN_AS.get(name, "--" + name.replace("_", "-"))
            raise UsageError(
                f"{what} is not valid UTF-8 ({raw!r}): cockpit keeps text as UTF-8; "
                "check the terminal's or the script's encoding (locale)"
            ) from None


# the commands whose --incident may start a stream (export and replay only look one up)
_STARTS_INCIDENT = (None, "demo", "note")


def _check_identities(args: argparse.Namespace) -> None:
    """Incident ids and operator names are checked at the door, before anything runs
    (cockpit/identifiers.py): one line naming the value and the rule, exit 2."""
    import os

    from cockpit.identifiers import incident_id, operator_name

    if args.command in _STARTS_INCIDENT and getattr(args, "incident", None) is not None:
        args.incident = incident_id(args.incident, what="--incident")
    if getattr(args, "operator", None) is not None:
        args.operator = operator_name(args.operator, what="--operator")
    elif (env := os.environ.get("COCKPIT_OPERATOR")) is not None and env.strip():
        operator_name(env, what="COCKPIT_OPERATOR")  # identity.py reads it again, checked


# Each handler imports its module only when its command runs: Textual is loaded for the
# interactive runs alone (launch.py), the journal store for the journal commands alone.


def _run(args: argparse.Namespace) -> int:
    from cockpit.launch import run_live

    return run_live(args)


def _demo(args: argparse.Namespace) -> int:
    from cockpit.launch import run_demo

    return run_demo(args)


def _replay(args: argparse.Namespace) -> int:
    from cockpit.launch import run_replay

    return run_replay(args)


def _incidents(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_incidents

    return cmd_incidents(args)


def _export(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_export

    return cmd_export(args)


def _verify(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_verify

    return cmd_verify(args)


def _note(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_note

    return cmd_note(args)


def _import(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_import

    return cmd_import(args)


def _backup(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_backup

    return cmd_backup(args)


def _team(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_team_status

    return cmd_team_status(args)


def _doctor(args: argparse.Namespace) -> int:
    from cockpit.commands import cmd_doctor

    return cmd_doctor(args)


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _run,
    "demo": _demo,
    "replay": _replay,
    "incidents": _incidents,
    "export": _export,
    "verify": _verify,
    "note": _note,
    "import": _import,
    "team": _team,
    "backup": _backup,
    "doctor": _doctor,
}
