"""The non-interactive commands: incidents, export, verify, note, import, doctor.

Each takes the parsed arguments and returns an exit code (cockpit/errors.py); an error the
user can cause is raised and turned into one line by the CLI. No Textual here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.errors import EXIT_FOUND, EXIT_OK, UsageError
from cockpit.paths import journal_path
from cockpit.plaintext import clean

if TYPE_CHECKING:
    from cockpit.journal.store import Journal


async def _open(args: argparse.Namespace, *, create: bool = False) -> Journal:
    from cockpit.journal import store

    return await store.Journal.open(journal_path(getattr(args, "journal", None)), create=create)


def printed(text: str) -> str:
    """Journal content on its way to a terminal: every control character made visible."""
    return clean(text, limit=None, multiline=True)


def cmd_incidents(args: argparse.Namespace) -> int:
    from cockpit.journal.incidents import list_incidents, render_table

    async def go() -> int:
        async with await _open(args) as journal:
            rows = await list_incidents(journal)
        if args.format == "json":
            print(json.dumps([r.to_dict() for r in rows], indent=2))
        else:
            print(printed(render_table(rows)))
        return EXIT_OK

    return asyncio.run(go())


def cmd_export(args: argparse.Namespace) -> int:
    from cockpit.journal import export
    from cockpit.journal.incidents import existing_incident

    if args.format not in export.FORMATS:
        raise UsageError(
            f"unknown export format {args.format!r}: use one of {', '.join(export.FORMATS)}"
        )

    async def go() -> int:
        async with await _open(args) as journal:
            incident = await existing_incident(
                journal, args.incident, when_empty="start one with cockpit note TEXT"
            )
            text = await export.render(journal, incident, args.format)
        if args.output:
            from cockpit.files import write_atomic

            try:
                write_atomic(Path(args.output), text)
            except OSError as exc:
                # the previous file, if any, is untouched: nothing half-written replaced it
                raise UsageError(
                    f"cannot write {args.output}: {exc.strerror} (nothing was changed there)"
                ) from None
        else:
            sys.stdout.write(text)
        return EXIT_OK

    return asyncio.run(go())


def cmd_verify(args: argparse.Namespace) -> int:
    from cockpit.journal.errors import JournalEmpty

    async def go() -> int:
        try:
            journal = await _open(args)
        except JournalEmpty as exc:
            # nothing to prove: truncated, or never written; not a usage error
            raise UsageError(str(exc), EXIT_FOUND) from None
        async with journal:
            result = await journal.verify()  # a damaged file: JournalDamaged, exit 1
        print(printed(result.line()))
        return EXIT_OK if result.ok else EXIT_FOUND

    return asyncio.run(go())


def cmd_note(args: argparse.Namespace) -> int:
    from cockpit.identity import resolve_operator
    from cockpit.journal.incidents import incident_to_append
    from cockpit.model import Draft

    text = args.text.strip()
    if not text:
        raise UsageError("the note is empty: cockpit note 'what you saw or decided'")

    async def go() -> int:
        async with await _open(args, create=True) as journal:
            await journal.check_intact()  # never append into a damaged file
            draft = Draft(
                incident=await incident_to_append(journal, args.incident),
                kind="note.added",
                actor=resolve_operator(args.operator),
                data={"type": args.type, "text": text},
            )
            event = await journal.append(draft)
        print(printed(f"journaled #{event.seq} in {event.incident}"))
        return EXIT_OK

    return asyncio.run(go())


def cmd_import(args: argparse.Namespace) -> int:
    from cockpit.journal.importer import read_jsonl

    drafts = read_jsonl(Path(args.file))

    async def go() -> int:
        async with await _open(args, create=True) as journal:
            await journal.check_intact()  # never append into a damaged file
            before, _ = await journal.head()
            await journal.append_many(drafts)
            after, _ = await journal.head()
        print(f"imported {after - before} new events ({len(drafts) - (after - before)} known)")
        return EXIT_OK

    return asyncio.run(go())


def cmd_doctor(args: argparse.Namespace) -> int:
    from cockpit.config import load_config
    from cockpit.doctor import nothing_to_check, render, run_checks, summary

    given = getattr(args, "config", None)
    config = load_config(Path(given) if given else None)
    if problem := nothing_to_check(config):
        raise UsageError(problem)  # a configuration error, not a failed check
    rows = asyncio.run(run_checks(config))
    print(printed(render(rows)))  # servers' messages are quoted in the rows
    print(summary(rows))
    return EXIT_OK if all(ok for _, ok, _ in rows) else EXIT_FOUND
