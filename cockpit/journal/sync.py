"""Local journal <-> team store: the local SQLite file is the write path and the outbox.

Every action commits locally first (the keystroke path never waits for the network). The
sync task pushes unsent local events to the team store in local order (idempotent on id: a
retry after a lost reply never duplicates) and pulls the other machines' events into the
local file (idempotent on id, keeping their id, time and actor), so the timeline, replay and
exports hold the whole team's record, offline too. LISTEN/NOTIFY and local commits wake it;
a poll every second is the fallback, and catch-up by sequence is always the truth.

The cursors ("pushed up to local seq N", "pulled up to team seq M") live in a small SQLite
file next to the journal (`<journal>-team`). They only ever lag: a lost cursor re-sends and
re-reads, which the ids make harmless; a cursor never moves past an event the server lacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.journal.errors import JournalError
from cockpit.journal.pgurl import masked
from cockpit.journal.postgres import PostgresJournal, TeamUnreachable, _is_change
from cockpit.journal.receipts import Receipt, ensure_table, side_file_of
from cockpit.journal.receipts import store as store_receipts
from cockpit.journal.store import Journal
from cockpit.journal.team_status import TeamStatus
from cockpit.journal.witness import WitnessCursor, push_checkpoints
from cockpit.model import Draft, Event

BATCH = 500  # events per push or pull transaction
SETTLE_S = 0.02  # after a wake-up, before the round: what else arrives goes in the same one
ROUND_GAP_S = 0.1  # local wake-ups start a round at most this often
LOCAL_POLL_S = 0.05  # how often the local file is looked at for commits
QUIET_S = 2 * LOCAL_POLL_S  # a burst of local commits is pushed once it pauses this long...
BURST_HOLD_S = 0.5  # ...or this long after it began: the others still see it within 1 s
POLL_S = 1.0  # catch-up without a wake-up (NOTIFY missed, or a server without it)
RETRY_S = (1.0, 2.0, 5.0)  # between reconnect attempts while offline


state_path = side_file_of  # `<journal>-team`: the cursors and the team receipts


class SyncState:
    """The two cursors and the last push/pull times, per team store, in the side file."""

    def __init__(self, path: Path, url: str) -> None:
        self.path = path
        self.key = _store_key(url)
        new = not path.exists()
        self._conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        if new:
            with contextlib.suppress(OSError):
                path.chmod(0o600)
        # no fsync on the event loop: a cursor lost in a crash only lags, and a lagging
        # cursor re-sends and re-reads what the ids then dedupe
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS cursors (store TEXT PRIMARY KEY,"
            " pushed INTEGER NOT NULL DEFAULT 0, pulled INTEGER NOT NULL DEFAULT 0,"
            " pulled_hash TEXT NOT NULL DEFAULT '',"
            " last_push REAL, last_pull REAL, server_head INTEGER)"
        )
        self._conn.execute("INSERT OR IGNORE INTO cursors (store) VALUES (?)", (self.key,))
        if ensure_table(self._conn):
            # receipts are taken as the pull reads: a side file from before them reads the
            # team store again from the start to learn them (the ids make that harmless)
            self._conn.execute("UPDATE cursors SET pulled = 0, pulled_hash = ''")

    def received(self, receipts: Sequence[Receipt]) -> None:
        """The team store's receipts for rows it holds (receipts.py)."""
        store_receipts(self._conn, self.key, receipts)

    def read(self) -> dict[str, Any]:
        row = self._conn.execute(
            "SELECT pushed, pulled, pulled_hash, last_push, last_pull, server_head"
            " FROM cursors WHERE store = ?",
            (self.key,),
        ).fetchone()
        names = ("pushed", "pulled", "pulled_hash", "last_push", "last_pull", "server_head")
        return dict(zip(names, row, strict=True))

    def pushed(self, seq: int) -> None:
        # max(): two local processes sync the same file; a cursor never moves back
        self._conn.execute(
            "UPDATE cursors SET pushed = max(pushed, ?), last_push = ? WHERE store = ?",
            (seq, time.time(), self.key),
        )

    def pulled(self, seq: int, hsh: str, server_head: int) -> None:
        self._conn.execute(
            "UPDATE cursors SET pulled = CASE WHEN ? > pulled THEN ? ELSE pulled END,"
            " pulled_hash = CASE WHEN ? > pulled THEN ? ELSE pulled_hash END,"
            " last_pull = ?, server_head = ? WHERE store = ?",
            (seq, seq, seq, hsh, time.time(), server_head, self.key),
        )

    def reset(self) -> None:
        self._conn.execute(
            "UPDATE cursors SET pushed = 0, pulled = 0, pulled_hash = '' WHERE store = ?",
            (self.key,),
        )

    def close(self) -> None:
        self._conn.close()


def _store_key(url: str) -> str:
    """The store a cursor belongs to: the URL without password or query (timeouts, sslmode)."""
    return masked(url).split("?", 1)[0]


def draft_of(event: Event) -> Draft:
    """The event as another store appends it: same id, time, actor and stored payload."""
    return Draft(
        incident=event.incident,
        kind=event.kind,
        actor=event.actor,
        data=event.data,
        context=event.context,
        id=event.id,
        ts=event.ts,
        schema=event.schema,
    )


class TeamSync:
    """Push and pull between one local journal and one team store."""

    def __init__(self, local: Journal, url: str, *, poll: float = POLL_S) -> None:
        self.local = local
        self.url = url
        self.poll = poll
        self.state = SyncState(state_path(Path(local.path)), url)
        self.witness = WitnessCursor(self.state.path, self.state.key)
        self.team: PostgresJournal | None = None
        self._pulled_ids: set[str] = set()  # foreign events this process put in the file
        self._pushed_ids: set[str] = set()  # ours, which the next pull brings back
        self._wake = asyncio.Event()
        self._remote = False  # the wake-up came from the team store: pull at once
        self._checked = (0, "")  # the pull cursor last found to match the server's row
        self._last_round = 0.0
        self._last_local = 0.0  # when a local commit was last seen
        self._stopping = False
        self.status = TeamStatus(url=masked(url), offline_since=None)
        self._listener: asyncio.Task[None] | None = None

    # -- one round -------------------------------------------------------------------------

    async def connect(self) -> PostgresJournal:
        if self.team is None:
            self.team = await PostgresJournal.open(self.url)
        return self.team

    async def disconnect(self) -> None:
        self._checked = (0, "")
        if self.team is not None:
            await self.team.close()
            self.team = None

    async def sync_once(self) -> tuple[int, int]:
        """Push everything unsent, then pull everything new: (pushed, pulled)."""
        self._last_round = time.monotonic()
        team = await self.connect()
        pushed = await self._push(team)
        pulled = await self._pull(team)
        if pulled:
            pushed += await self._push(team)  # moves the cursor over what the pull added
        # the checkpoints after the events they cover: the team store witnesses the file
        await push_checkpoints(self.local, team, self.witness, int(self.state.read()["pushed"]))
        self._online(await self.queued())
        return pushed, pulled

    async def _push(self, team: PostgresJournal) -> int:
        count = 0
        # what is there now: a round that chased a burst still being written would push all
        # through it, its CPU competing with every append (the next round takes the rest)
        until = (await self.local.head())[0]
        while True:
            cursor = int(self.state.read()["pushed"])
            if cursor >= until:
                return count
            batch = await self.local.events(
                after_seq=cursor, until_seq=min(cursor + BATCH, until), upcast=False
            )
            if not batch:
                return count
            mine = [e for e in batch if e.id not in self._pulled_ids]
            if mine:
                # the local store redacted them already, with the same rules
                await team.push([draft_of(e) for e in mine], redacted=self.local._redact)
                self._pushed_ids.update(e.id for e in mine)
                count += len(mine)
            self.state.pushed(batch[-1].seq)

    async def _pull(self, team: PostgresJournal) -> int:
        count = 0
        st = self.state.read()
        cursor, cursor_hash = int(st["pulled"]), str(st["pulled_hash"])
        if cursor and (cursor, cursor_hash) != self._checked:
            # a team database restored or replaced: its seq N is no longer what we read
            at = await team.events(after_seq=cursor - 1, until_seq=cursor, upcast=False)
            if not at or at[0].hash != cursor_hash:
                self.state.reset()  # pull it all again, push it all again: ids dedupe
                self.witness.reset()
                cursor = 0
                await self._push(team)
        head = (await team.head())[0]
        while cursor < head:
            # the receipts of every row, ours included; whole events only where some are not
            # ours: reading our own burst back whole was a third of the sync's CPU, GIL time
            # the keystroke path waits behind
            receipts = await team.receipts(after_seq=cursor, until_seq=cursor + BATCH)
            if not receipts:
                break
            last = receipts[-1].seq
            if all(r.id in self._pushed_ids for r in receipts):
                last_hash = await team.row_hash(last)
            else:
                batch = await team.events(after_seq=cursor, until_seq=last, upcast=False)
                foreign = [e for e in batch if e.id not in self._pushed_ids]
                count += await self._append_foreign(foreign)
                last_hash = batch[-1].hash
            self.state.received(receipts)
            cursor, cursor_hash = last, last_hash
            self.state.pulled(cursor, cursor_hash, head)
        self.state.pulled(cursor, "", head)  # the times and the server head
        self._checked = (cursor, cursor_hash)  # checked once per connection, not per round
        return count

    async def _append_foreign(self, events: Sequence[Event]) -> int:
        """Other machines' events into the local file, in team order, ids kept. A system
        change this cockpit journaled itself (same incident and key) is not added twice."""
        added = 0
        plain: list[Draft] = []

        async def flush() -> None:
            nonlocal added
            if plain:
                before = (await self.local.head())[0]
                written = await self.local.append_many(plain)
                added += sum(e.seq > before for e in written)
                plain.clear()

        for event in events:
            self._pulled_ids.add(event.id)
            draft = draft_of(event)
            if _is_change(draft):
                await flush()
                if await self.local.append_once(draft) is not None:
                    added += 1
            else:
                plain.append(draft)
        await flush()
        return added

    async def queued(self) -> int:
        """Local events the team store does not have yet (as far as the cursor knows)."""
        head = (await self.local.head())[0]
        return max(0, head - int(self.state.read()["pushed"]))

    def _online(self, queued: int) -> None:
        st = self.state.read()
        self.status = replace(
            self.status,
            online=True,
            queued=queued,
            offline_since=None,
            last_push=st["last_push"],
            last_pull=st["last_pull"],
            server_head=st["server_head"],
            error="",
        )

    async def _offline(self, error: str) -> None:
        st = self.state.read()
        self.status = replace(
            self.status,
            online=False,
            queued=await self.queued(),
            offline_since=self.status.offline_since or time.time(),
            last_push=st["last_push"],
            last_pull=st["last_pull"],
            server_head=st["server_head"],
            error=error,
        )

    # -- the task --------------------------------------------------------------------------

    async def run(self) -> None:
        """Forever: sync, then sleep until a local commit, a NOTIFY or the poll. A team
        store that is down only changes the status; the local journal goes on."""
        waker = asyncio.create_task(self._watch_local())
        attempt = 0
        try:
            while not self._stopping:
                try:
                    await self.sync_once()
                    attempt = 0
                    if self._listener is None or self._listener.done():
                        self._listener = asyncio.create_task(self._listen())
                    await self._sleep(self.poll)
                except (JournalError, OSError) as exc:
                    await self.disconnect()
                    await self._offline(str(exc))
                    await self._sleep(RETRY_S[min(attempt, len(RETRY_S) - 1)])
                    attempt += 1
        finally:
            waker.cancel()
            if self._listener is not None:
                self._listener.cancel()
            await asyncio.gather(waker, *(t for t in [self._listener] if t), return_exceptions=True)
            await self.disconnect()

    def stop_soon(self) -> None:
        """End run() at its next pause: a round in flight finishes its transaction (cancelled
        inside one, psycopg's rollback fails on the busy connection and says so on stderr)."""
        self._stopping = True
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
                if not self._remote and not self._stopping:
                    await self._let_local_burst_pause()
        self._wake.clear()
        self._remote = False

    async def _let_local_burst_pause(self) -> None:
        """A burst of local appends (a paste, an import, a flurry of system changes) is pushed
        when it pauses, or BURST_HOLD_S after it began: the push's CPU, and the interpreter
        lock it holds, would otherwise compete with the appends themselves, which are the
        keystroke path (bench/team.py). A typed note, with no commit after it, goes at once."""
        began = time.monotonic()
        await asyncio.sleep(max(SETTLE_S, ROUND_GAP_S - (began - self._last_round)))
        seen = began
        while (
            self._last_local > seen
            and time.monotonic() - began < BURST_HOLD_S
            and not self._stopping
        ):
            seen = time.monotonic()  # commits came while we waited: see whether more come
            await asyncio.sleep(QUIET_S)

    async def _watch_local(self) -> None:
        """Wake the sync when anyone commits to the local file (this process or another)."""
        with contextlib.suppress(JournalError):
            async for _ in self.local.commits(poll=LOCAL_POLL_S):
                self._last_local = time.monotonic()
                self._wake.set()

    async def _listen(self) -> None:
        """Wake the sync on the team store's NOTIFY (a missed one costs one poll)."""
        team = self.team
        if team is None:
            return
        listener = await team._listen()
        if listener is None:
            return
        ours = team.backend_pid()
        try:
            while True:
                async for note in listener.notifies():
                    if note.pid != ours:  # our own push's NOTIFY: nothing new to pull
                        self._remote = True
                        self._wake.set()
        except Exception:  # the connection went away: the main loop notices and reconnects
            return
        finally:
            with contextlib.suppress(Exception):
                await listener.close()

    async def close(self) -> None:
        await self.disconnect()
        self.state.close()
        self.witness.close()


async def sync_before_exit(local: Journal, url: str, *, timeout: float = 10.0) -> str | None:
    """One push and pull for `cockpit note`/`import`; None when synced, else the line to print."""
    sync = TeamSync(local, url)
    try:
        try:
            async with asyncio.timeout(timeout):
                await sync.sync_once()
            return None
        except (JournalError, OSError, TimeoutError):
            queued = await sync.queued()
            return f"queued: {queued} events will sync when the team journal is reachable"
    finally:
        await sync.close()


def ago(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    when = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{when} ({int(time.time() - epoch)} s ago)"


__all__ = [
    "TeamStatus",
    "TeamSync",
    "TeamUnreachable",
    "ago",
    "draft_of",
    "state_path",
    "sync_before_exit",
]
