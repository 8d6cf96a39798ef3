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
    from cockpit.config import Config
    from cockpit.journal.checkpointing import Signing
    from cockpit.journal.checkpoints import Checkpoint
    from cockpit.journal.postgres import PostgresJournal
    from cockpit.journal.store import Journal


def journal_url(args: argparse.Namespace) -> str | None:
    """The team store named by --journal / COCKPIT_JOURNAL (postgresql://...), if one is."""
    import os

    from cockpit.journal.pgurl import is_pg_url

    given = getattr(args, "journal", None) or os.environ.get("COCKPIT_JOURNAL")
    return given if is_pg_url(given) else None


def local_only(args: argparse.Namespace, what: str) -> None:
    """`note` and the live cockpit write the local file, which syncs to [team] url."""
    from cockpit.journal.pgurl import masked

    if (url := journal_url(args)) is not None:
        raise UsageError(
            f"{what} writes the local journal file, not {masked(url)}: pass a file with"
            " --journal and set [team] url (or COCKPIT_TEAM_URL) to share it"
        )


async def _open(args: argparse.Namespace, *, create: bool = False) -> Journal | PostgresJournal:
    from cockpit.journal import store

    if (url := journal_url(args)) is not None:
        from cockpit.journal.postgres import PostgresJournal

        return await PostgresJournal.open(url, create=create)
    return await store.Journal.open(journal_path(getattr(args, "journal", None)), create=create)


def team_url(args: argparse.Namespace) -> str | None:
    """[team] url or COCKPIT_TEAM_URL. A config that cannot be read is said, not fatal here:
    the local append already committed."""
    import os

    from cockpit.config import ConfigError, load_config

    if os.environ.get("COCKPIT_TEAM_URL"):
        return os.environ["COCKPIT_TEAM_URL"]
    given = getattr(args, "config", None)
    try:
        config = load_config(Path(given) if given else None)
    except ConfigError as exc:
        print(printed(f"team sync skipped: {exc}"), file=sys.stderr)
        return None
    return config.team.url if config.team else None


async def push_before_exit(journal: Journal | PostgresJournal, args: argparse.Namespace) -> None:
    """`note` and `import` push to the team store before exiting when they can; if not, they
    say what waits in the local file (exit 0: it is journaled, and will sync)."""
    from cockpit.journal.store import Journal

    url = team_url(args)
    if url is None or not isinstance(journal, Journal):
        return
    from cockpit.journal.sync import sync_before_exit

    if (line := await sync_before_exit(journal, url)) is not None:
        print(printed(line))


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

    signing = _signing(args)

    async def go() -> int:
        async with await _open(args) as journal:
            incident = await existing_incident(
                journal, args.incident, when_empty="start one with cockpit note TEXT"
            )
            # each export is a moment to state the journal (issue 14 item 1), and the export
            # carries that checkpoint: `verify --checkpoint EXPORT` catches a later cut
            checkpoint = await _checkpoint(journal, signing, also=", the export unsigned too")
            # a key that could not sign the checkpoint a moment ago (said) signs no export
            sealing = signing if checkpoint is None or checkpoint.signed else None
            result = await export.render_export(
                journal,
                incident,
                args.format,
                redact_notes=args.redact_notes,
                checkpoint=checkpoint,
                signing=sealing,
            )
        if result.unsigned:
            print(printed(f"cockpit: {result.unsigned}"), file=sys.stderr)
        if args.output:
            if result.openings:
                # first: an export whose notes could never be proven is not written at all
                _write(Path(f"{args.output}.openings"), openings_text(result.openings))
            _write(Path(args.output), result.text)
        else:
            sys.stdout.write(result.text)
            if result.openings:
                print(
                    f"{len(result.openings)} note texts redacted; their salts were not kept"
                    " (with -o FILE they go to FILE.openings, to prove a note later)",
                    file=sys.stderr,
                )
        return EXIT_OK

    return asyncio.run(go())


def _write(path: Path, text: str) -> None:
    from cockpit.files import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        # the previous file, if any, is untouched: nothing half-written replaced it
        raise UsageError(
            f"cannot write {path}: {exc.strerror} (nothing was changed there)"
        ) from None


def openings_text(openings: list[tuple[str, str]]) -> str:
    """What proves a redacted note later: its event id and salt (the text is the journal's)."""
    return "".join(json.dumps({"id": i, "salt": s}) + "\n" for i, s in openings)


def cmd_verify_file(path: Path, allowed_signers: str | None) -> int:
    """An export verified on its own: ok, its head and who signed it (checked against
    allowed_signers when given), or each line that does not fit."""
    from cockpit.journal.export_seal import check_seal
    from cockpit.journal.selfverify import verify_file

    try:
        where, result = verify_file(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not UTF-8 text (byte {exc.start + 1}): not an export"
        ) from None
    except ValueError as exc:
        raise UsageError(str(exc), EXIT_FOUND) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not result.ok:
        for line in result.lines():
            print(printed(where + line))
        return EXIT_FOUND
    good, signed = check_seal(result, allowed_signers)
    if not good:
        print(printed(f"export does not verify: {where}{signed}"), file=sys.stderr)
        return EXIT_FOUND
    for line in result.lines(signed):
        print(printed(line))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """The chain, then every checkpoint in sight: the journal's own and --checkpoint FILEs
    (a journal shorter than one, or whose row is not its head, was cut or rewritten)."""
    from cockpit.journal.checkpointing import check_checkpoints
    from cockpit.journal.errors import JournalEmpty

    if getattr(args, "file", None):
        return cmd_verify_file(Path(args.file), _allowed_signers(args))
    kept = [_read_checkpoint_file(f) for f in args.checkpoint]
    allowed = _allowed_signers(args)

    async def go() -> int:
        try:
            journal = await _open(args)
        except JournalEmpty as exc:
            if not kept:
                # nothing to prove: truncated, or never written; not a usage error
                raise UsageError(str(exc), EXIT_FOUND) from None
            journal = None
        if journal is None:
            # every event is gone: only the checkpoints kept elsewhere can say so
            result_line, ok, count, journal_id = "the journal is empty (0 bytes)", True, 0, None
            notes: list[tuple[str, str]] = []

            async def hash_at(seq: int) -> str | None:
                return None
        else:
            async with journal:
                result = await journal.verify()  # a damaged file: JournalDamaged, exit 1
                state, notes, hashes = await _checkpoint_view(journal, _flat(kept), args)

            async def hash_at(seq: int) -> str | None:
                return hashes.get(seq)

            result_line, ok, count = result.line(), result.ok, result.count
            journal_id = state[0] if state else None
        print(printed(result_line))
        if not ok:
            return EXIT_FOUND  # a broken chain: the checkpoints cannot be weighed against it
        findings = await check_checkpoints(
            journal_id, count, hash_at, [*notes, *_flat(kept)], allowed
        )
        for finding in findings:
            print(printed(finding.line), file=sys.stdout if finding.ok else sys.stderr)
        return EXIT_OK if all(f.ok for f in findings) else EXIT_FOUND

    return asyncio.run(go())


async def _checkpoint_view(
    journal: Journal | PostgresJournal, kept: list[tuple[str, str]], args: argparse.Namespace
) -> tuple[tuple[str, int, str] | None, list[tuple[str, str]], dict[int, str | None]]:
    """(journal id, size, head), the checkpoint notes kept for the journal (its own, and the
    team store's copies when [team] url is set), and the hash of each row a checkpoint ends
    at. The team store numbers its own chain: a local checkpoint says nothing about it."""
    from cockpit.journal.store import Journal

    if not isinstance(journal, Journal):
        return None, [], {}
    own = await journal.kept_checkpoints()
    notes = [(f"#{n} in the journal", t) for n, t in enumerate(own, 1)]
    state = await journal.checkpoint_state()
    url = team_url(args)
    if url is not None and state is not None:
        notes += await _witnessed(url, state[0], set(own))
    sizes = {_size_of(t) for _, t in [*notes, *kept]}
    hashes = {size: await journal.hash_at(size) for size in sizes if size}
    return state, notes, hashes


async def _witnessed(url: str, journal_id: str, own: set[str]) -> list[tuple[str, str]]:
    """The team store's copies of this journal's checkpoints that the file no longer holds
    (the others are the same statements, checked once); one line says what was read."""
    from cockpit.journal.checkpoints import ORIGIN_PREFIX
    from cockpit.journal.witness import team_checkpoints

    found, problem = await team_checkpoints(url, ORIGIN_PREFIX + journal_id)
    if problem is not None:
        print(printed(f"{problem}; checked the journal's own checkpoints only"), file=sys.stderr)
        return []
    missing = [(where, note) for where, note in found if note not in own]
    gone = f", {len(missing)} of them missing from the journal" if missing else ""
    print(printed(f"team store: {len(found)} checkpoints of this journal witnessed{gone}"))
    return missing


def _read_checkpoint_file(name: str) -> list[tuple[str, str]]:
    """(where, note) of every checkpoint in FILE: one note, or embedded ones."""
    from cockpit.journal.checkpoints import EMBED_BEGIN, EMBED_END, CheckpointError, find_all

    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"--checkpoint {name}: cannot read: {why}") from None
    try:
        found = _in_export(Path(name)) or find_all(text)
    except CheckpointError as exc:
        raise UsageError(
            f"--checkpoint {name}: not a cockpit checkpoint ({exc}); pass the note as cockpit "
            f"wrote it, or a file holding it between {EMBED_BEGIN} and {EMBED_END}"
        ) from None
    return [(f"in {name}", c.text()) for c in found]


def _in_export(path: Path) -> list[Checkpoint]:
    """The checkpoints in the manifest of a cockpit export (jsonl, or md/html's block)."""
    from cockpit.journal.checkpoints import parse
    from cockpit.journal.selfverify import export_lines

    try:
        _, lines = export_lines(path)
    except (ValueError, OSError):
        return []  # not an export: a note, or a text embedding notes
    found = []
    for _, line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        data = obj.get("data") if isinstance(obj, dict) else None
        if isinstance(data, dict) and isinstance(data.get("checkpoint"), str):
            found.append(parse(data["checkpoint"]))
    return found


def _flat(kept: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [note for notes in kept for note in notes]


def _size_of(text: str) -> int:
    from cockpit.journal.checkpoints import CheckpointError, parse

    try:
        return parse(text).size
    except CheckpointError:
        return 0


def _config_of(args: argparse.Namespace) -> Config:
    from cockpit.config import load_config

    given = getattr(args, "config", None)
    return load_config(Path(given) if given else None)


def _allowed_signers(args: argparse.Namespace) -> str | None:
    given = getattr(args, "allowed_signers", None)
    if given:
        if not Path(given).is_file():
            raise UsageError(f"--allowed-signers {given}: no such file")
        return str(given)
    return _config_of(args).signing.allowed_signers


def _signing(args: argparse.Namespace, operator: str | None = None) -> Signing | None:
    """[signing] of the config, for a command that writes; None when no key is set."""
    from cockpit.identity import resolve_operator
    from cockpit.journal.checkpointing import Signing

    signing = _config_of(args).signing
    if not signing.key:
        return None
    return Signing(
        key=signing.key,
        allowed_signers=signing.allowed_signers,
        name=operator or resolve_operator(getattr(args, "operator", None)),
    )


async def _checkpoint(
    journal: Journal | PostgresJournal, signing: Signing | None, also: str = ""
) -> Checkpoint | None:
    """Write a checkpoint after a command's write; an unsigned one is said on stderr."""
    from cockpit.journal.checkpointing import write_checkpoint
    from cockpit.journal.store import Journal

    if not isinstance(journal, Journal) or journal.read_only:
        return None  # the team store keeps no checkpoints yet; an archived file takes no writes
    checkpoint, problem = await write_checkpoint(journal, signing)
    if problem:
        print(printed(f"cockpit: {problem}{also}"), file=sys.stderr)
    return checkpoint


def cmd_note(args: argparse.Namespace) -> int:
    from cockpit.identity import resolve_operator
    from cockpit.journal.incidents import incident_to_append
    from cockpit.model import Draft

    text = args.text.strip()
    if not text:
        raise UsageError("the note is empty: cockpit note 'what you saw or decided'")

    local_only(args, "cockpit note")
    operator = resolve_operator(args.operator)
    signing = _signing(args, operator)

    async def go() -> int:
        from cockpit.journal.checkpointing import due

        async with await _open(args, create=True) as journal:
            await journal.check_intact()  # never append into a damaged file
            draft = Draft(
                incident=await incident_to_append(journal, args.incident),
                kind="note.added",
                actor=operator,
                data={"type": args.type, "text": text},
            )
            event = await journal.append(draft)
            if due([event.kind], event.seq, event.seq):
                await _checkpoint(journal, signing)
            print(printed(f"journaled #{event.seq} in {event.incident}"))
            await push_before_exit(journal, args)
        return EXIT_OK

    return asyncio.run(go())


def cmd_import(args: argparse.Namespace) -> int:
    """All or nothing: the whole file is checked first (importer.py), then appended in one
    transaction, where an id already stored with other content refuses the lot."""
    from cockpit.journal.errors import IdConflict
    from cockpit.journal.importer import ImportError_, forced_drafts, read_export

    path = Path(args.file)
    export = read_export(path)
    problems = export.chain_problems
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    forced = []
    if problems:
        if not args.force:
            raise ImportError_(
                f"{problems[0]}{more}: the file's hash chain does not hold, so it was changed"
                " after export; nothing was imported (--force imports it anyway, journaled)"
            )
        from cockpit.identity import resolve_operator

        forced = forced_drafts(export, path, resolve_operator(None))
    drafts = [line.draft for line in export.lines]
    signing = _signing(args)

    async def go() -> int:
        from cockpit.journal.checkpointing import due

        async with await _open(args, create=True) as journal:
            await journal.check_intact()  # never append into a damaged file
            before, _ = await journal.head()
            try:
                events = await journal.append_many([*drafts, *forced], strict_ids=True)
            except IdConflict as exc:
                line = export.lines[exc.index].number
                raise ImportError_(
                    f"line {line}: {exc}: a journal never replaces what it recorded;"
                    " nothing was imported"
                ) from None
            after, _ = await journal.head()
            fresh = [e.kind for e in events if e.seq > before]
            if after > before and due(fresh, before + 1, after):
                await _checkpoint(journal, signing)
            new = sum(1 for e in events[: len(drafts)] if e.seq > before)
            print(f"imported {new} new events ({len(drafts) - new + export.repeated} known)")
            await push_before_exit(journal, args)
        if forced:
            print(
                printed(
                    f"the file's hash chain does not hold ({problems[0]}{more}): imported"
                    " anyway (--force), journaled as journal.import.forced"
                )
            )
        return EXIT_OK

    return asyncio.run(go())


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the journal, also while a cockpit writes to it (issue 16, 6)."""
    import time

    from cockpit.files import atomic_path
    from cockpit.journal.backup import backup_journal
    from cockpit.journal.location import check_location

    if (url := journal_url(args)) is not None:
        from cockpit.journal.pgurl import masked

        raise UsageError(
            f"cockpit backup copies a local journal file, not {masked(url)}: back the team"
            " store up with the server's own tools (pg_dump, base backups)"
        )
    source = check_location(journal_path(getattr(args, "journal", None)), create=False)
    if source.stat().st_size == 0:
        raise UsageError(f"journal {source} is empty (0 bytes): nothing to back up", EXIT_FOUND)
    if args.output:
        target = Path(args.output)
    else:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = Path(f"{source.stem}-backup-{stamp}.sqlite")
    if target.exists() and target.resolve() == source.resolve():
        raise UsageError(f"{target} is the journal itself: name another file with -o")
    try:
        with atomic_path(target) as tmp:
            result = backup_journal(source, tmp, name=target)
    except OSError as exc:
        raise UsageError(
            f"cannot write {target}: {exc.strerror} (nothing was changed there)"
        ) from None
    print(printed(f"{result.line()} -> {target}"))
    return EXIT_OK if result.ok else EXIT_FOUND


def cmd_doctor(args: argparse.Namespace) -> int:
    from cockpit.config import load_config
    from cockpit.doctor import nothing_to_check, render, run_checks, summary

    given = getattr(args, "config", None)
    config = load_config(Path(given) if given else None)
    if problem := nothing_to_check(config):
        raise UsageError(problem)  # a configuration error, not a failed check
    notes: list[str] = []
    rows = asyncio.run(run_checks(config, notes))
    print(printed(render(rows)))  # servers' messages are quoted in the rows
    print(summary(rows))
    for note in notes:
        print()
        print(printed(note))
    return EXIT_OK if all(ok for _, ok, _ in rows) else EXIT_FOUND


def cmd_team_status(args: argparse.Namespace) -> int:
    """Push and pull once, then say where the sync stands: queued events, last push and
    pull, the server head. Exit 1 when the team store cannot be reached."""
    from cockpit.journal.store import Journal
    from cockpit.journal.sync import TeamSync, ago

    local_only(args, "cockpit team status")
    url = team_url(args)
    if url is None:
        raise UsageError(
            'no team journal configured: set [team] url = "postgresql://..." in the config'
            " or COCKPIT_TEAM_URL"
        )

    async def go() -> int:
        async with await Journal.open(journal_path(getattr(args, "journal", None))) as journal:
            sync = TeamSync(journal, url)
            try:
                try:
                    async with asyncio.timeout(30):
                        pushed, pulled = await sync.sync_once()
                    state, ok = f"reachable (pushed {pushed}, pulled {pulled})", True
                    head = await sync.team.head() if sync.team else None
                except (JournalError, OSError, TimeoutError) as exc:
                    state, ok, head = f"unreachable: {exc}", False, None
                    await sync._offline(str(exc))
                queued = await sync.queued()
                st = sync.state.read()
            finally:
                await sync.close()
        if head is None:
            known = st["server_head"]
            server = f"seq {known} (last seen)" if known is not None else "unknown"
        else:
            server = f"seq {head[0]}, {head[1]}"
        rows = [
            ("team journal", sync.status.url),
            ("state", state),
            ("queued", f"{queued} events"),
            ("last push", ago(st["last_push"])),
            ("last pull", ago(st["last_pull"])),
            ("server head", server),
        ]
        for name, value in rows:
            print(printed(f"{name:<13} {value}"))
        return EXIT_OK if ok else EXIT_FOUND

    from cockpit.journal.errors import JournalError

    return asyncio.run(go())
