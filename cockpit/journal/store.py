"""The append-only, hash-chained SQLite event store.

Durability rules (DESIGN.md "The journal"): WAL, synchronous=FULL, every append inside
BEGIN IMMEDIATE so that two processes appending to one file serialise on SQLite's write lock
and can never fork the chain; UPDATE/DELETE refused by triggers; secrets redacted before write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

import aiosqlite

from cockpit.journal.codec import canonical_json
from cockpit.journal.errors import (
    IdConflict,
    JournalDamaged,
    JournalEmpty,
    JournalError,
    VersionConflict,
)
from cockpit.journal.faults import RESTORE_HINT, journal_fault, on_read_only_filesystem
from cockpit.journal.location import check_location
from cockpit.journal.ports import ObservationRow
from cockpit.journal.prepare import prepare_draft, prepare_observation
from cockpit.journal.redact import redact, refuse_secret_id
from cockpit.journal.rows import (
    COLUMNS,
    CheckedRow,
    StoredRow,
    VerifyResult,
    event_from_row,
    events_from_rows,
    next_row,
    row_hash,
    verify_rows,
)
from cockpit.journal.where import event_range, observation_filter
from cockpit.journal.writer_thread import WriterThread
from cockpit.model import GENESIS_HASH, Draft, Event

# the names importers have always found here; they live in the backend-free modules now
__all__ = [
    "SCHEMA_VERSION",
    "Journal",
    "JournalError",
    "VerifyResult",
    "VersionConflict",
    "canonical_json",
    "row_hash",
    "verify_rows",
]

BUSY_TIMEOUT_S = 10.0
TAIL_POLL_S = 0.1
# The WAL is part of the journal, but a copy of the main file alone is what people make: the
# committed events are copied into the main file every CHECKPOINT_EVERY appends, after
# IDLE_CHECKPOINT_S without one, and at close (PASSIVE: a checkpoint never waits for a reader).
CHECKPOINT_EVERY = 200
IDLE_CHECKPOINT_S = 5.0

# Each entry moves the schema one user_version forward; never edit a released one.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        seq       INTEGER PRIMARY KEY,
        id        TEXT NOT NULL UNIQUE,
        incident  TEXT NOT NULL,
        version   INTEGER NOT NULL,
        ts        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        kind      TEXT NOT NULL,
        schema    INTEGER NOT NULL,
        data      TEXT NOT NULL,
        context   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL,
        UNIQUE (incident, version)
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END;
    CREATE TABLE snapshots (
        incident TEXT NOT NULL,
        version  INTEGER NOT NULL,
        state    TEXT NOT NULL,
        PRIMARY KEY (incident, version)
    );
    CREATE TABLE observations (
        id       INTEGER PRIMARY KEY,
        incident TEXT NOT NULL,
        ts       TEXT NOT NULL,
        source   TEXT NOT NULL,
        kind     TEXT NOT NULL,
        digest   TEXT NOT NULL,
        body     BLOB NOT NULL
    );
    CREATE INDEX observations_by_time ON observations (incident, source, ts);
    """,
    # system changes carry a dedupe key: find "was this change already journaled" by index
    """
    CREATE INDEX events_by_change_key ON events (incident, json_extract(data, '$.key'))
        WHERE json_extract(data, '$.key') IS NOT NULL;
    """,
    # signed (size, head) checkpoints (cockpit/journal/checkpoints.py), outside the chain: a
    # checkpoint describes the chain, and its signature arrives after the events it covers
    """
    CREATE TABLE checkpoints (
        id   INTEGER PRIMARY KEY,
        size INTEGER NOT NULL,
        note TEXT NOT NULL
    );
    CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused'); END;
    CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused'); END;
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)
# the oldest schema a reader can use without migrating it (on a read-only mount): schema 3
# only adds the checkpoints table, which such a journal simply has none of
READABLE_AS_IS = 2


_INSERT_SQL = f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join('?' * len(StoredRow._fields))})"
_SINGLE_SQL = (
    "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?),"
    " (SELECT seq FROM events ORDER BY seq DESC LIMIT 1),"
    " (SELECT hash FROM events ORDER BY seq DESC LIMIT 1),"
    " (SELECT max(version) FROM events WHERE incident = ?)"
)


class Journal:
    """One open journal file. Use `await Journal.open(path)`; safe for many coroutines."""

    # what a failed write raises (actions.py turns these into a banner, not a crash)
    write_errors: tuple[type[Exception], ...] = (JournalError, sqlite3.Error, OSError)

    def __init__(self, path: Path, conn: aiosqlite.Connection, *, redact_secrets: bool) -> None:
        self.path = path
        self._conn = conn
        self._redact = redact_secrets
        self._write_lock = asyncio.Lock()
        self._appended = asyncio.Condition()
        self._closed = False
        # Appends go through a second, plain sqlite3 connection owned by one thread, so a
        # whole BEGIN IMMEDIATE .. COMMIT transaction costs one thread hop instead of one per
        # statement (aiosqlite); reads, tail and snapshots stay on the aiosqlite one.
        self._writer = WriterThread("journal-writer")
        self._wconn: sqlite3.Connection | None = None
        self._ours = False  # the file's schema version is one a cockpit wrote (set on open)
        self.read_only = False  # opened immutable on a read-only filesystem: reads only
        self._since_checkpoint = 0  # appends the main file lacks (touched by the writer only)
        self.idle_checkpoint_s = IDLE_CHECKPOINT_S
        self._idle_timer: asyncio.TimerHandle | None = None
        self._idle_loop: asyncio.AbstractEventLoop | None = None
        self._last_append_at = 0.0  # loop time of the last append (the idle timer's mark)
        self._idle_task: asyncio.Future[None] | None = None

    # -- opening -------------------------------------------------------------------------

    @classmethod
    async def open(
        cls, path: str | os.PathLike[str], *, create: bool = True, redact_secrets: bool = True
    ) -> Journal:
        path = check_location(path, create=create)
        if not create and path.stat().st_size == 0:
            # a reading command never writes a schema into it (and so never hides that it
            # was empty: truncated, or created by a cockpit that died before its first write)
            raise JournalEmpty(f"journal {path} is empty (0 bytes): nothing was ever journaled")
        # a journal kept on a read-only mount (an archive, a snapshot) is still read by the
        # reading commands: SQLite opens it immutable, as no one can write it there
        archived = not create and on_read_only_filesystem(path)
        if archived:
            _refuse_unmerged_wal(path)
        try:
            conn = await aiosqlite.connect(
                _immutable_uri(path) if archived else path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
                uri=archived,
            )
        except (sqlite3.Error, UnicodeError) as exc:
            raise journal_fault(exc, path, "open") from None
        journal = cls(path, conn, redact_secrets=redact_secrets)
        journal.read_only = archived
        try:
            await journal._setup()
            if not archived:
                await journal._in_writer(journal._connect_writer)
        except BaseException as exc:
            # Every way out closes both database threads. aiosqlite's is not a daemon: one
            # left running kept the process alive forever after the error (a damaged schema
            # text fails with UnicodeDecodeError, which is no sqlite3.Error).
            await journal.close()
            if isinstance(exc, (sqlite3.Error, UnicodeError)):
                raise journal_fault(exc, path, "open", ours=journal._ours) from None
            raise
        return journal

    async def _in_writer(self, fn: Any, *args: Any) -> Any:
        return await self._writer.call(fn, *args)

    def _connect_writer(self) -> None:
        # runs in the writer thread, which is then the only one to touch this connection
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")  # per connection, not stored in the file
        conn.execute("PRAGMA foreign_keys = ON")
        self._wconn = conn

    async def _setup(self) -> None:
        c = self._conn
        await c.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # before anything is changed: a journal from a newer cockpit is left exactly as it is
        (current,) = await (await c.execute("PRAGMA user_version")).fetchone()  # type: ignore[misc]
        if current > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path}: journal schema {current} is newer than this cockpit "
                f"({SCHEMA_VERSION}); upgrade cockpit"
            )
        self._ours = current > 0
        if self.read_only:
            if current < READABLE_AS_IS:
                raise JournalError(
                    f"journal is on a read-only filesystem: {self.path}, and needs a schema "
                    "upgrade cockpit cannot write there: copy it elsewhere and pass the copy "
                    "with --journal"
                )
            await c.execute_fetchall("SELECT seq FROM events LIMIT 1")
            await self._check_schema()
            return
        mode = await self._switch_to_wal()
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch to WAL mode (journal_mode is {mode})")
        # This connection reads, and writes only caches and machine samples (snapshots,
        # observations): losing the last second of those on power loss is fine, an fsync per
        # sample is not. Events go through the writer connection, which is synchronous=FULL.
        await c.execute("PRAGMA synchronous = NORMAL")
        await c.execute("PRAGMA foreign_keys = ON")
        if current < SCHEMA_VERSION:
            await c.execute("BEGIN IMMEDIATE")
            try:
                (current,) = await (await c.execute("PRAGMA user_version")).fetchone()  # type: ignore[misc]
                for step in range(current, SCHEMA_VERSION):
                    for statement in _split_sql(_MIGRATIONS[step]):
                        await c.execute(statement)
                await c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                await c.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back itself
                    await c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and "already exists" in str(exc):
                    # the header's schema version is older than the tables it holds
                    raise JournalDamaged(
                        f"journal {self.path} is damaged (its header says schema {current}, "
                        f"but {exc}): {RESTORE_HINT}"
                    ) from None
                raise
        # a quick read proves this is SQLite and our schema, not some other database; fetch
        # it to the end: a statement left mid-result keeps a read snapshot open, and the next
        # BEGIN IMMEDIATE then fails at once with "database is locked" instead of waiting
        await c.execute_fetchall("SELECT seq FROM events LIMIT 1")
        await self._check_schema()

    async def _check_schema(self) -> None:
        """Each table, index and trigger the migrations created still has the very text they
        created it with (never edited once released). A flipped bit in the schema can leave
        SQL that still parses but means something else: seq no longer the row id (every seq
        reads NULL), a trigger that no longer refuses UPDATE. (One that is gone altogether
        was dropped on purpose, to edit rows: verify's chain check names those rows.)"""
        rows = await self._conn.execute_fetchall(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        )
        stored = {str(name): str(sql) for name, sql in rows}
        for name, statement in _EXPECTED_SCHEMA:
            if name in stored and stored[name] != statement:
                raise JournalDamaged(
                    f"journal {self.path} is damaged (the definition of {name} is not the one "
                    f"cockpit wrote): {RESTORE_HINT}"
                )

    async def _switch_to_wal(self) -> str:
        """PRAGMA journal_mode = WAL, retried while another process converts the same file.

        Two processes opening a fresh file both hold a shared lock and want the exclusive one;
        SQLite answers one of them SQLITE_BUSY at once (deadlock avoidance, no busy handler).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT_S
        while True:
            try:
                row = await (await self._conn.execute("PRAGMA journal_mode = WAL")).fetchone()
                return str(row[0]) if row else ""
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or loop.time() > deadline:
                    raise
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        """Checkpoint (the WAL's events reach the main file) and close both connections; a
        failure of either is no reason to leave a database thread running."""
        if self._closed:
            return
        self._closed = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        try:
            if self._wconn is not None:
                with contextlib.suppress(sqlite3.Error):
                    await self._in_writer(self._checkpoint_sync)
                with contextlib.suppress(sqlite3.Error):
                    await self._in_writer(self._wconn.close)
                self._wconn = None
        finally:
            self._writer.stop()
            with contextlib.suppress(sqlite3.Error):
                await self._conn.close()

    async def __aenter__(self) -> Journal:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writing -------------------------------------------------------------------------

    async def append(self, draft: Draft, *, expected_version: int | None = None) -> Event:
        """Append one event durably; re-appending a known id returns the stored event."""
        (event,) = await self.append_many([draft], expected_version=expected_version)
        return event

    async def append_many(
        self,
        drafts: Iterable[Draft],
        *,
        expected_version: int | None = None,
        strict_ids: bool = False,
    ) -> list[Event]:
        """Append several events in one transaction: all are committed, or none.

        strict_ids (import): a draft whose id is already stored with other content raises
        IdConflict naming the draft's index, rather than returning the stored event. Stored
        content equal to the draft as given or as redacted is the same event: an export made
        before a redaction rule existed still re-imports as a no-op.
        """
        drafts = list(drafts)
        prepared = [self._prepare(d) for d in drafts]
        self._writable()
        async with self._write_lock:
            out: list[Event] = await self._in_writer(
                self._append_sync, prepared, expected_version, None, drafts if strict_ids else None
            )
        self._after_append()
        async with self._appended:
            self._appended.notify_all()
        return out

    async def append_once(self, draft: Draft) -> Event | None:
        """Append unless this incident already holds an event with the same data["key"].

        Two cockpits on one journal observe the same alert firing; the check and the insert
        share one write transaction, so exactly one of them journals it. None: already there.
        """
        key = draft.data.get("key")
        if not isinstance(key, str):
            raise ValueError("append_once needs a string data['key']")
        prepared = [self._prepare(draft)]
        self._writable()
        async with self._write_lock:
            out: list[Event] = await self._in_writer(self._append_sync, prepared, None, key)
        if out:
            self._after_append()
            async with self._appended:
                self._appended.notify_all()
        return out[0] if out else None

    def _writable(self) -> None:
        if self._closed:
            raise JournalError(f"journal {self.path} is closed")
        if self.read_only:
            raise JournalError(
                f"journal is on a read-only filesystem: {self.path} (remount it read-write, or "
                "copy it elsewhere and pass that with --journal)"
            )

    def _prepare(self, draft: Draft) -> Draft:
        return prepare_draft(draft, redact_secrets=self._redact)

    def _append_sync(
        self,
        prepared: list[Draft],
        expected_version: int | None,
        once_key: str | None = None,
        originals: list[Draft] | None = None,
    ) -> list[Event]:
        """The whole append transaction, run in the writer thread. With `originals` (the
        drafts before _prepare), a known id with other content raises IdConflict."""
        c = self._wconn
        assert c is not None
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise journal_fault(exc, self.path, "write") from None
        try:
            out = []
            if (
                once_key is not None
                and c.execute(
                    "SELECT 1 FROM events WHERE incident = ? AND json_extract(data, '$.key') = ?",
                    (prepared[0].incident, once_key),
                ).fetchone()
            ):
                c.execute("COMMIT")
                return []
            head: tuple[int, str] | None = None
            versions: dict[str, int] = {}
            for index, d in enumerate(prepared):
                if head is None and len(prepared) == 1:
                    # the common single append: is the id known, the head, the incident's
                    # version, all in one statement
                    known, seq, hsh, last = c.execute(_SINGLE_SQL, (d.id, d.incident)).fetchone()
                    head = (seq or 0, hsh or GENESIS_HASH)
                    versions[d.incident] = last or 0
                    if not known:
                        out.append(self._insert(c, d, head, last or 0, expected_version))
                        break
                existing = c.execute(
                    f"SELECT {COLUMNS} FROM events WHERE id = ?", (d.id,)
                ).fetchone()
                if existing is not None:
                    if (
                        originals is not None
                        and (differs := _differs(existing, d))
                        and _differs(existing, originals[index])
                    ):
                        raise IdConflict(index, d.id, differs)
                    out.append(event_from_row(existing))
                else:
                    if head is None:
                        row = c.execute(
                            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                        ).fetchone()
                        head = (row[0], row[1]) if row else (0, GENESIS_HASH)
                    if d.incident not in versions:
                        (last,) = c.execute(
                            "SELECT max(version) FROM events WHERE incident = ?", (d.incident,)
                        ).fetchone()
                        versions[d.incident] = last or 0
                    event = self._insert(c, d, head, versions[d.incident], expected_version)
                    head = (event.seq, event.hash)
                    versions[d.incident] = event.version
                    out.append(event)
                if expected_version is not None:
                    expected_version += 1
            c.execute("COMMIT")
        except BaseException as exc:
            if c.in_transaction:
                c.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                # disk full, read-only file, I/O error: say so, nothing was appended
                raise journal_fault(exc, self.path, "write") from None
            raise
        self._since_checkpoint += len(out)
        return out

    def _after_append(self) -> None:
        """Housekeeping after a commit, off the append's path: a checkpoint when one is due
        runs on the writer thread after the caller has its answer (the next append may wait
        for it; this one does not), and the idle checkpoint is re-armed."""
        if self._since_checkpoint >= CHECKPOINT_EVERY:
            self._writer.call_detached(self._checkpoint_if_due)
        self._arm_idle_checkpoint()

    # -- checkpoints ---------------------------------------------------------------------

    def _checkpoint_if_due(self) -> None:
        # writer thread; a failure changes nothing (committed already), the next one retries
        if self._since_checkpoint >= CHECKPOINT_EVERY:
            with contextlib.suppress(sqlite3.Error):
                self._checkpoint_sync()

    def _checkpoint_sync(self) -> None:
        """Copy committed WAL pages into the main file (writer thread)."""
        if self._wconn is not None:
            self._wconn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self._since_checkpoint = 0

    async def checkpoint(self) -> None:
        """Checkpoint now (session end): a copy of the main file alone then holds every event
        committed so far, unless another process's read still pins part of the WAL."""
        if self._closed:
            return
        try:
            await self._in_writer(self._checkpoint_sync)
        except sqlite3.Error as exc:
            raise journal_fault(exc, self.path, "checkpoint") from None

    def _arm_idle_checkpoint(self) -> None:
        """Checkpoint once no append came for idle_checkpoint_s. One timer serves a run of
        appends and moves itself on when it fires too early: a new timer per append cost
        ~4 us of every append (a handle, a heap push, a cancelled one left in the heap)."""
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        self._last_append_at = loop.time()
        if self._idle_timer is None or self._idle_loop is not loop:
            if self._idle_timer is not None:  # armed on a loop whose run has ended
                self._idle_timer.cancel()
            self._idle_loop = loop
            self._idle_timer = loop.call_later(self.idle_checkpoint_s, self._on_idle)

    def _on_idle(self) -> None:
        self._idle_timer = None
        if self._closed or self._idle_loop is None:
            return
        early = self._last_append_at + self.idle_checkpoint_s - self._idle_loop.time()
        if early > 0:  # an append came since the timer was set: wait on from that one
            self._idle_timer = self._idle_loop.call_later(early, self._on_idle)
        elif self._since_checkpoint:
            self._idle_task = asyncio.ensure_future(self._idle_checkpoint())

    async def _idle_checkpoint(self) -> None:
        # in the background: a failure here changes nothing, the next append or close retries
        with contextlib.suppress(JournalError, RuntimeError):
            await self.checkpoint()

    @staticmethod
    def _insert(
        c: sqlite3.Connection,
        d: Draft,
        head: tuple[int, str],
        last_version: int,
        expected_version: int | None,
    ) -> Event:
        head_seq, head_hash = head
        if expected_version is not None and expected_version != last_version:
            raise VersionConflict(
                f"{d.incident} is at version {last_version}, expected {expected_version}: "
                "someone else appended first; reload and retry"
            )
        event, row = next_row(d, head_seq, head_hash, last_version)
        c.execute(_INSERT_SQL, row)
        return event

    # -- reading -------------------------------------------------------------------------

    async def _fetch(self, sql: str, args: Sequence[Any] = ()) -> Sequence[Any]:
        """Run a read to its end; a damaged page or row is a JournalDamaged, not a traceback."""
        try:
            return await self._conn.execute_fetchall(sql, args)
        except (sqlite3.Error, UnicodeError) as exc:
            raise journal_fault(exc, self.path, "read") from None

    async def quick_check(self) -> str | None:
        """None if SQLite finds the file's pages and indexes sound, else its first complaint.

        PRAGMA quick_check reads every page (O(N), no index cross-check): appends refuse a
        file that fails it, since a write into a damaged b-tree can spread the damage."""
        try:
            rows = await self._fetch("PRAGMA quick_check(1)")
        except JournalDamaged as exc:
            return str(exc)
        first = str(rows[0][0]) if rows else "no answer"
        return None if first == "ok" else " ".join(first.split())

    async def check_intact(self) -> None:
        """Raise JournalDamaged unless the file passes quick_check (before a CLI append)."""
        if (problem := await self.quick_check()) is not None:
            if problem.startswith("journal "):
                raise JournalDamaged(problem)
            raise JournalDamaged(
                f"journal {self.path} is damaged ({problem}): nothing was appended; {RESTORE_HINT}"
            )

    async def _rows(
        self,
        incident: str | None,
        after_seq: int,
        until_seq: int | None,
        extra: str = "",
        after_version: int = 0,
    ) -> list[Any]:
        """Stored rows in seq order (StoredRow's columns, then `extra` ones if given)."""
        where, args = event_range("?", incident, after_seq, until_seq, after_version)
        sql = f"SELECT {COLUMNS}{extra} FROM events WHERE {where}"
        # versions rise with seq within an incident, so the (incident, version) index yields
        # seq order without the temp B-tree sort that ORDER BY seq costs there
        order = " ORDER BY seq" if incident is None else " ORDER BY version"
        rows: list[Any] = list(await self._fetch(sql + order, args))
        if incident is not None and any(a[0] > b[0] for a, b in pairwise(rows)):
            rows.sort(key=itemgetter(0))  # a tampered file: seq order is still the contract
        return rows

    async def events(
        self,
        incident: str | None = None,
        *,
        after_seq: int = 0,
        until_seq: int | None = None,
        after_version: int = 0,
        upcast: bool = True,
    ) -> list[Event]:
        """Events in seq order, of one incident or all; only those after `after_seq` (and,
        within an incident, after `after_version`) up to `until_seq` are read."""
        rows = await self._rows(incident, after_seq, until_seq, after_version=after_version)
        try:
            return events_from_rows(rows, upcast=upcast)
        except (json.JSONDecodeError, UnicodeError, TypeError, RecursionError) as exc:
            raise JournalDamaged(
                f"journal {self.path} is damaged (a stored event cannot be decoded: {exc}): "
                "cockpit verify names the row"
            ) from None

    async def raw_rows(self, incident: str) -> list[CheckedRow]:
        """An incident's rows exactly as stored, in seq order (exports embed them verbatim).

        Each row holds a StoredRow's values plus a last flag: data and context are valid JSON.
        """
        return await self._rows(incident, 0, None, ", json_valid(data) AND json_valid(context)")

    async def head(self) -> tuple[int, str]:
        row = await self._fetch("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        row = _first(row)
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    async def incident_ids(self) -> list[str]:
        """Incident ids, the most recently active last."""
        rows = await self._fetch("SELECT incident FROM events GROUP BY incident ORDER BY max(seq)")
        return [r[0] for r in rows]

    async def latest_incident(self) -> str | None:
        ids = await self.incident_ids()
        return ids[-1] if ids else None

    async def has_incident(self, incident: str) -> bool:
        row = await self._fetch("SELECT 1 FROM events WHERE incident = ? LIMIT 1", (incident,))
        return bool(row)

    async def _read_data_version(self) -> int:
        row = _first(await self._fetch("PRAGMA data_version"))
        return int(row[0]) if row else 0

    async def tail(
        self, after_seq: int = 0, incident: str | None = None, *, poll: float = TAIL_POLL_S
    ) -> AsyncIterator[Event]:
        """Yield events appended after `after_seq`, by this process or any other, forever.

        Our own appends wake the tail at once; another process's commits are noticed by
        polling PRAGMA data_version, which changes only when another connection commits.
        """
        last = after_seq
        # each tail keeps its own data_version: a shared one would let one tail consume
        # another process's commit and leave the other tails asleep until the next one
        seen_version = await self._read_data_version()
        while not self._closed:
            # the files' marks before the read: a commit landing between the read and the
            # wait moves them, so it is not slept through until some later commit
            marks = self._file_marks()
            for event in await self.events(incident, after_seq=last):
                last = event.seq
                yield event
            async with self._appended:
                seen_version = await self._wait_for_change(poll, seen_version, marks)

    async def commits(self, *, poll: float = TAIL_POLL_S) -> AsyncIterator[None]:
        """Yield once per change: an append by this process, or a commit by another (the
        team sync's wake-up; unlike tail() it reads no events)."""
        seen_version = await self._read_data_version()
        while not self._closed:
            marks = self._file_marks()
            async with self._appended:
                seen_version = await self._wait_for_change(poll, seen_version, marks)
            if not self._closed:
                yield

    def _file_marks(self) -> tuple[int, ...]:
        """mtime and size of the db and its WAL: any commit by anyone moves one of them."""
        marks: list[int] = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                st = os.stat(path)
            except OSError:
                marks += [-1, -1]
            else:
                marks += [st.st_mtime_ns, st.st_size]
        return tuple(marks)

    async def _wait_for_change(self, poll: float, seen_version: int, marks: tuple[int, ...]) -> int:
        """Return (the new data_version) when this process appended or another committed.

        A stat of the files every poll is cheap; the data_version query (a trip to the
        database thread) runs only when the files moved, so an idle cockpit stays idle.
        """
        while not self._closed:
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that
                # arrives as the condition is notified, and a closing cockpit's tail never ends
                async with asyncio.timeout(poll):
                    await self._appended.wait()
                return seen_version
            except TimeoutError:
                pass
            now = self._file_marks()
            if now == marks:
                continue
            marks = now
            version = await self._read_data_version()
            if version != seen_version:
                return version
        return seen_version

    # -- verification ----------------------------------------------------------------------

    async def verify(self) -> VerifyResult:
        """The chain recomputed over every row. A file SQLite itself finds damaged raises
        JournalDamaged even where the chain holds: a damaged index or page is damage too."""
        problem = await self.quick_check()
        rows = await self._fetch(f"SELECT {COLUMNS} FROM events ORDER BY seq")
        try:
            result = verify_rows(rows)
        except (TypeError, ValueError) as exc:  # a column of the wrong type: flipped bits
            problem = problem or f"a row cannot be read: {exc}"
        else:
            if problem is None or not result.ok:
                return result
        if problem.startswith("journal "):
            raise JournalDamaged(problem)
        raise JournalDamaged(f"journal {self.path} is damaged ({problem}): {RESTORE_HINT}")

    # -- (size, head) checkpoints -----------------------------------------------------------

    async def checkpoint_state(self) -> tuple[str, int, str] | None:
        """(journal id, events, head hash) now; None for a journal without events. The
        journal id is its first event's id: copies and backups of a journal share it."""
        rows = await self._fetch(
            "SELECT (SELECT id FROM events ORDER BY seq LIMIT 1), seq, hash"
            " FROM events ORDER BY seq DESC LIMIT 1"
        )
        row = _first(rows)
        if row is None:
            return None
        journal_id, size, head = row
        if not (
            isinstance(journal_id, str)
            and journal_id.isprintable()
            and journal_id.split() == [journal_id]  # one word: the note's origin line
            and type(size) is int
            and isinstance(head, str)
            and _HEX64.fullmatch(head)
        ):
            # flipped bits in the first or the last row: no checkpoint can state this file
            raise JournalDamaged(
                f"journal {self.path} is damaged (its first or last row cannot be read):"
                " cockpit verify names the row"
            )
        return journal_id, size, head

    async def hash_at(self, seq: int) -> str | None:
        row = _first(await self._fetch("SELECT hash FROM events WHERE seq = ?", (seq,)))
        return row[0] if row else None

    async def keep_checkpoint(self, size: int, note: str) -> None:
        """Store one checkpoint note, on a connection of its own in a worker thread: neither
        the writer thread (an operator's append never queues behind it) nor the reading
        connection (a read never waits while this insert waits for the write lock)."""
        self._writable()
        try:
            await asyncio.to_thread(self._keep_checkpoint_sync, size, note)
        except (sqlite3.Error, UnicodeError) as exc:
            raise journal_fault(exc, self.path, "write") from None

    def _keep_checkpoint_sync(self, size: int, note: str) -> None:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            # evidence beside the chain, not an acknowledged event: NORMAL, like observations
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("INSERT INTO checkpoints (size, note) VALUES (?, ?)", (size, note))
        finally:
            conn.close()

    async def kept_checkpoints(self) -> list[str]:
        """Every checkpoint note stored in this journal, oldest first."""
        if not await self._fetch(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'"
        ):
            return []  # an archived journal of schema 2, read where it cannot be migrated
        rows = await self._fetch("SELECT note FROM checkpoints ORDER BY id")
        return [str(r[0]) for r in rows]

    async def checkpoints_after(self, after_id: int) -> list[tuple[int, int, str]]:
        """(id, size, note) of the checkpoints stored after `after_id`, oldest first (the
        sync's witness push)."""
        if not await self._fetch(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'"
        ):
            return []
        rows = await self._fetch(
            "SELECT id, size, note FROM checkpoints WHERE id > ? ORDER BY id", (after_id,)
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    # -- snapshots and observations ----------------------------------------------------------

    async def save_snapshot(self, incident: str, version: int, state: dict[str, Any]) -> None:
        if self.read_only:
            return  # a cache: the fold is recomputed next time
        if self._redact:
            # folded from redacted events, so normally clean: checked anyway, as all we write
            refuse_secret_id(incident)
            state, _ = redact(state)
        async with self._write_lock:
            await self._conn.execute(
                "INSERT OR REPLACE INTO snapshots (incident, version, state) VALUES (?, ?, ?)",
                (incident, version, canonical_json(state)),
            )

    async def latest_snapshot(self, incident: str) -> tuple[int, dict[str, Any]] | None:
        row = await self._fetch(
            "SELECT version, state FROM snapshots WHERE incident = ? ORDER BY version DESC LIMIT 1",
            (incident,),
        )
        row = _first(row)
        return (row[0], json.loads(row[1])) if row else None

    async def add_observation(
        self, incident: str, ts: str, source: str, kind: str, digest: str, body: bytes
    ) -> int:
        """Store one machine observation (outside the chain); returns its row id."""
        self._writable()
        if self._redact:
            source, digest, body = await prepare_observation(incident, source, digest, body)
        # not under the event write lock: an operator's append never queues behind a sample
        cursor = await self._conn.execute(
            "INSERT INTO observations (incident, ts, source, kind, digest, body)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (incident, ts, source, kind, digest, body),
        )
        return int(cursor.lastrowid or 0)

    async def observations(
        self,
        incident: str,
        *,
        until_ts: str | None = None,
        source: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[ObservationRow]:
        """(id, ts, source, kind, digest, body) rows of an incident, oldest first."""
        where, args = observation_filter("?", incident, until_ts, source, kinds)
        sql = f"SELECT id, ts, source, kind, digest, body FROM observations WHERE {where}"
        rows = await self._fetch(sql + " ORDER BY ts, id", args)
        return [(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]

    async def observation_bytes(self, incident: str) -> int:
        """Bytes of observation bodies already stored for an incident (the recorder's budget)."""
        row = await self._fetch(
            "SELECT coalesce(sum(length(body)), 0) FROM observations WHERE incident = ?",
            (incident,),
        )
        row = _first(row)
        return int(row[0]) if row else 0


def _first(rows: Sequence[Any]) -> Any | None:
    """The first row of a fully read result.

    Reads on the shared connection use execute_fetchall: one trip that runs the statement
    to the end. With execute() then fetch*() another coroutine's write could run between
    the two on the same connection while the SELECT still held a read snapshot, and fail
    at once with "database is locked" when another connection had committed since.
    """
    return rows[0] if rows else None


def _differs(row: Sequence[Any], d: Draft) -> list[str]:
    """The content columns in which a stored row and a draft of the same id differ."""
    stored = StoredRow(*row)
    mine = {
        "incident": d.incident,
        "ts": d.ts,
        "actor": d.actor,
        "kind": d.kind,
        "schema": d.schema,
        "data": canonical_json(d.data),
        "context": canonical_json(d.context),
    }
    return [name for name, value in mine.items() if getattr(stored, name) != value]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; trigger bodies keep their inner semicolons."""
    statements: list[str] = []
    buf = ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


_HEX64 = re.compile(r"[0-9a-f]{64}")
_CREATED = re.compile(r"CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER)\s+(\w+)")


# what sqlite_master holds for a journal at SCHEMA_VERSION (it keeps each CREATE as written)
def _created(statement: str) -> tuple[str, str]:
    found = _CREATED.match(statement)
    assert found is not None, statement
    return found.group(1), statement


_EXPECTED_SCHEMA = tuple(
    _created(statement.rstrip(";").strip())
    for step in _MIGRATIONS
    for statement in _split_sql(step)
)


def _immutable_uri(path: Path) -> str:
    """An SQLite URI that reads `path` without locks, -shm or -wal: right only where no one
    can write the file (a read-only mount) and no -wal holds events the file lacks."""
    from urllib.parse import quote

    return f"file:{quote(os.fsencode(path.resolve()))}?immutable=1"


def _refuse_unmerged_wal(path: Path) -> None:
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(OSError):
        if wal.stat().st_size > 0:
            raise JournalError(
                f"journal is on a read-only filesystem: {path}, with events still in "
                f"{wal.name} that SQLite cannot merge there: copy both files elsewhere "
                "together and pass the copy with --journal"
            )
