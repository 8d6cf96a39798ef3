"""The incident controller: everything between the journal and the screen, without Textual.

It opens the journal (after the first frame), loads the incident's history, tails it (so
another cockpit process's entries arrive too), folds every entry into `IncidentState`,
journals session start and end and the sources' system changes, and turns journal faults
into what the UI shows. Actions decide from `state`, which is always the fold of the journal,
never of app memory.

The UI plugs in through `IncidentListener`; tests drive the controller without one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.actions import ActionRefused, Actions, JournalUnavailable
from cockpit.held_changes import HeldChanges
from cockpit.journal.projection import IncidentState, apply
from cockpit.model import Event, Snapshot, SystemChange

RECEIPTS_POLL_S = 0.5  # how often the side file is read for new team receipts

if TYPE_CHECKING:  # loaded after the first frame, with the journal
    from cockpit.journal.arrival import TeamRecord
    from cockpit.journal.checkpointing import Checkpointer
    from cockpit.journal.store import Journal
    from cockpit.journal.sync_thread import SyncThread
    from cockpit.journal.team_status import TeamStatus
    from cockpit.observations import ObservationRecorder
    from cockpit.session import Session


CLOSE_WAIT_S = 5.0
RETRY_WRITES_S = 2.0  # while the journal cannot be written, held changes are retried this often


class IncidentListener(Protocol):
    """What the UI learns from the controller (every method is called on the event loop)."""

    def journal_event(self, event: Event) -> None:
        """A journal entry of this incident was folded into the state (timeline row)."""

    def state_changed(self) -> None:
        """A burst of entries is in: refresh what the state shows (status bar)."""

    def journal_problem(self, problem: str | None) -> None:
        """The journal cannot be written (problem), or it can again (None)."""

    def journal_failed(self, reason: str) -> None:
        """The journal could not be opened at all: the run cannot go on."""

    def notice(self, text: str) -> None:
        """Something to say once (checkpoints go unsigned, and why)."""

    def receipts_changed(self, ids: set[str]) -> None:
        """The team store's receipts of these events arrived or changed (late marks)."""


class _NoListener:
    def journal_event(self, event: Event) -> None:
        pass

    def state_changed(self) -> None:
        pass

    def journal_problem(self, problem: str | None) -> None:
        pass

    def journal_failed(self, reason: str) -> None:
        pass

    def notice(self, text: str) -> None:
        pass

    def receipts_changed(self, ids: set[str]) -> None:
        pass


class IncidentController:
    """One incident as this process sees it: the journal, its fold, and what gets written."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.incident = session.incident
        self.state = IncidentState(id=session.incident)
        self.last_seq = 0
        self.listener: IncidentListener = _NoListener()
        self.actions = Actions(
            journal=session.journal,  # type: ignore[arg-type]  # set by open() when None
            incident=session.incident,
            operator=session.operator,
            clock=session.clock,
            read_only=session.read_only,
        )
        self.actions.folded = self  # decisions are taken from our state, not from history
        self.journal_problem: str | None = None  # the last write failure, shown as a banner
        self.journal_failure: str | None = None  # the open failed: the run ends with it
        self.journal_damaged = False  # ... because the file is damaged (a failure found)
        self.recorder: ObservationRecorder | None = None
        self.checkpointer: Checkpointer | None = None  # (size, head) checkpoints, signed
        # the journal opens after the first frame (the store, SQLite and hashing are not
        # needed to draw it); `journal_ready` is set however the open ends
        self.first_frame = asyncio.Event()
        self.journal_ready = asyncio.Event()
        self.history_loaded = asyncio.Event()
        self.session_start_done = asyncio.Event()  # system changes are journaled after it
        self.ended = False
        self._owns_journal = False
        self._opening: asyncio.Future[None] | None = None
        self._changes: asyncio.Queue[tuple[SystemChange, float]] = asyncio.Queue()
        self.held = HeldChanges()  # observed while the journal could not be written
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._session_start: asyncio.Task[None] | None = None
        self._burst_pending = False
        self._catching_up = asyncio.Lock()
        self.team: SyncThread | None = None  # with [team] url: the sync, on its own thread
        # the team store's receipts of this incident's events (arrival.py), once known
        self.receipts: TeamRecord | None = None

    @property
    def journal(self) -> Journal:
        assert self.session.journal is not None, "the journal is not open yet"
        return self.session.journal

    @property
    def is_open(self) -> bool:
        return self.session.journal is not None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self, listener: IncidentListener | None = None) -> None:
        """Open, load, tail and journal in the background; nothing here waits for the open."""
        if listener is not None:
            self.listener = listener
        self._spawn(self._connect())
        self._spawn(self._follow())
        self._spawn(self._journal_changes())
        # not awaited by anyone drawing: a durable write must not hold back the first frame
        self._session_start = self._spawn(self._journal_session_start())

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.append(task)
        return task

    def frame_shown(self) -> None:
        """The first frame is on screen: the journal may open and durable writes start."""
        self.first_frame.set()

    async def _connect(self) -> None:
        await self.first_frame.wait()
        await self.open()

    async def open(self) -> None:
        """Open the journal, once, whoever asks first (after the first frame, or a quit that
        came before it); a failure is reported to the listener with its one-line reason."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        await asyncio.shield(self._opening)  # a cancelled waiter leaves it opening

    async def _open(self) -> None:
        try:
            if self.session.journal is None:
                from cockpit.journal.store import Journal, JournalError

                assert self.session.journal_path is not None
                try:
                    self.session.journal = await Journal.open(
                        self.session.journal_path, redact_secrets=self.session.redact_secrets
                    )
                except JournalError as exc:
                    from cockpit.journal.errors import JournalDamaged

                    self.journal_failure = str(exc)
                    self.journal_damaged = isinstance(exc, JournalDamaged)
                    self.listener.journal_failed(str(exc))
                    return
                self._owns_journal = True
            self.actions.journal = self.session.journal
            if not self.session.read_only:
                from cockpit.observations import ObservationRecorder

                self.recorder = ObservationRecorder(self.journal, self.incident)
                self.checkpointer = self._checkpointer()
                if self.session.team_url:
                    self._start_team_sync(self.session.team_url)
        finally:
            self.journal_ready.set()

    def _checkpointer(self) -> Checkpointer:
        from cockpit.journal.checkpointing import Checkpointer, Signing

        config = self.session.signing
        signing = None
        if config is not None and config.key:
            signing = Signing(config.key, config.allowed_signers, self.session.operator)
        return Checkpointer(self.journal, signing, on_unsigned=self._unsigned)

    def _unsigned(self, problem: str) -> None:
        # said once per run: every later checkpoint goes unsigned for the same reason
        notice = getattr(self.listener, "notice", None)
        if notice is not None:
            notice(problem)

    def _start_team_sync(self, url: str) -> None:
        """Push and pull in the background: the local file stays the write path, so a team
        store that is down or slow never holds back a keystroke (its state is in the bar)."""
        from cockpit.journal.sync_thread import SyncThread

        assert self.session.journal_path is not None or hasattr(self.journal, "path")
        path = self.session.journal_path or self.journal.path
        self.team = SyncThread(path, url, redact_secrets=self.session.redact_secrets)
        self.team.start()

    def team_status(self) -> TeamStatus | None:
        return self.team.status if self.team is not None else None

    async def close(self) -> None:
        """Journal the end (if not yet), stop the background work, close what we opened."""
        try:
            await self.end_session("closed")
        finally:
            for task in self._tasks:
                task.cancel()
            # bounded: quitting must never hang on a task that is slow to notice its cancel
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=CLOSE_WAIT_S)
            if self.team is not None:
                await self._push_last()
            if self._owns_journal and self.session.journal is not None:
                await self.session.journal.close()

    async def _push_last(self) -> None:
        """session.ended and the last words reach the team store if it answers quickly;
        if not, they are queued in the local file and the next start pushes them."""
        assert self.team is not None
        await asyncio.to_thread(self.team.stop, final_push=True, timeout=5.0)

    # -- session start and end ---------------------------------------------------------------

    async def _journal_session_start(self) -> None:
        await self.journal_ready.wait()
        try:
            await self._presence(self.actions.session_started(self.session.mode))
        finally:
            self.session_start_done.set()

    async def _presence(self, coro: Coroutine[Any, Any, Event]) -> None:
        """Journal a session's start or end. A watcher's is best effort: a journal it may not
        write is no banner, as it acts on nothing; an operator's failure shows as usual."""
        if not self.session.read_only:
            with contextlib.suppress(ActionRefused):
                await self.perform(coro, after_history=False)
            return
        if self.session.journal is None:
            coro.close()
            return
        try:
            event = await coro
        except (ActionRefused, JournalUnavailable):
            return
        await self._absorb_appended(event)

    async def end_session(self, reason: str) -> None:
        """Journal `session.ended` once, after the start, even when leaving before any frame."""
        if self.ended:
            return
        self.ended = True
        self.first_frame.set()
        with contextlib.suppress(Exception):
            await self.open()
        if self._session_start is not None:
            with contextlib.suppress(BaseException):
                await asyncio.shield(self._session_start)
        await self._presence(self.actions.session_ended(reason))
        if self.checkpointer is not None:
            # the session.ended checkpoint (bounded: a slow signer never holds the quit)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_WAIT_S):
                    await self.checkpointer.settle()
        if self.session.journal is not None:
            # the session's events reach the main file now, not at the next 200 appends: a
            # copy of the .sqlite made after a session holds all of it (the journal's policy)
            with contextlib.suppress(Exception):
                await self.session.journal.checkpoint()

    # -- journal -> state ----------------------------------------------------------------------

    async def _follow(self) -> None:
        try:
            await self.journal_ready.wait()
            if self.session.journal is None:
                return
            await self.load_history()
        finally:
            # even cancelled or failed: quitting must still journal session.ended
            self.history_loaded.set()
        self._spawn(self._watch_receipts())
        await self._tail()

    async def _watch_receipts(self) -> None:
        """Follow the team receipts the sync keeps beside the journal (another process's
        sync writes them too): which events the team store holds, from whom, and which
        arrived after later ones. Only for a journal that syncs with a team store."""
        from cockpit.journal.arrival import TeamRecord
        from cockpit.journal.receipts import ReceiptReader, side_file_of

        path = self.session.journal_path or getattr(self.session.journal, "path", None)
        if path is None:
            return
        reader = ReceiptReader(side_file_of(path), self.incident)
        while True:
            if self.team is not None or reader.exists:
                new = await asyncio.to_thread(reader.read_new)
                first = self.receipts is None
                if first:
                    self.receipts = TeamRecord()
                assert self.receipts is not None
                changed = self.receipts.add(new)
                said = getattr(self.listener, "receipts_changed", None)
                if (changed or first) and said is not None:
                    said(changed)
            await asyncio.sleep(RECEIPTS_POLL_S)

    def receipt_lines(self, event: Event) -> list[str]:
        """What the team store says of this event, for its detail view ([] without a team)."""
        if self.receipts is None:
            return []
        from cockpit.journal.arrival import receipt_lines

        return receipt_lines(self.receipts, event)

    def late_ids(self) -> set[str]:
        """The events that reached the team store after events that happened later."""
        return set(self.receipts.late) if self.receipts is not None else set()

    async def load_history(self) -> None:
        """Fold this incident's journal so far."""
        for event in await self.journal.events(self.incident):
            self._absorb(event)
        self.listener.state_changed()

    async def _tail(self) -> None:
        async for event in self.journal.tail(self.last_seq, self.incident):
            if self._absorb(event):
                self._burst()

    async def catch_up(self) -> None:
        """Fold what other processes appended since our last entry (before re-deciding)."""
        async with self._catching_up:
            events = await self.journal.events(self.incident, after_seq=self.last_seq)
            for event in events:
                self._absorb(event)
        if events:
            self._burst()

    def _absorb(self, event: Event) -> bool:
        """Fold one entry; False if it was already folded (tail and catch-up overlap)."""
        if event.seq <= self.last_seq or event.incident != self.incident:
            return False
        self.last_seq = event.seq
        self.state = apply(self.state, event)
        self.listener.journal_event(event)
        for seq, waiter in self._waiters:
            if event.seq >= seq and not waiter.done():
                waiter.set_result(None)
        self._waiters = [(s, w) for s, w in self._waiters if not w.done()]
        return True

    async def _absorb_appended(self, event: Event) -> None:
        """Our own append: fold it at once, so the next key decides on it (and the timeline
        shows it without waiting for the tail); if entries came before it, catch up."""
        if not self.history_loaded.is_set():
            return  # the history load, or the tail after it, folds it in order
        if event.version == self.state.version + 1:
            if self._absorb(event):
                self._burst()
        elif event.seq > self.last_seq:
            await self.catch_up()

    def _burst(self) -> None:
        # one state refresh per burst of entries, after the burst is in
        if not self._burst_pending:
            self._burst_pending = True
            asyncio.get_running_loop().call_soon(self._after_burst)

    def _after_burst(self) -> None:
        self._burst_pending = False
        self.listener.state_changed()

    async def wait_for_seq(self, seq: int) -> None:
        """Resolve once journal entry `seq` is folded (tests, benchmarks)."""
        if self.last_seq >= seq:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((seq, waiter))
        await waiter

    # -- writing -----------------------------------------------------------------------------

    async def perform(
        self, coro: Coroutine[Any, Any, Event | None], *, after_history: bool = True
    ) -> Event | None:
        """Run an action to its append. Refusals propagate (ActionRefused); a journal that
        cannot be written is reported to the listener and gives None: nothing was recorded."""
        if after_history:
            # an action is judged against the incident as journaled (declared? severity?)
            try:
                await self.history_loaded.wait()
            except asyncio.CancelledError:
                coro.close()
                raise
        if self.session.journal is None:
            coro.close()  # the open failed (the run is ending with that error)
            return None
        try:
            event = await coro
        except JournalUnavailable as exc:
            self.journal_problem = str(exc)
            self._report_problem()
            return None
        if self.journal_problem is not None:
            self.journal_problem = None
            self.listener.journal_problem(None)
        if event is not None:
            await self._absorb_appended(event)
            if self.checkpointer is not None:
                # a status change, a handoff, every 100th event...: checkpointed in the
                # background once the entry is folded, never on the way to its confirmation
                self.checkpointer.appended((event.kind,), event.seq, event.seq)
        return event

    def observe(self, change: SystemChange) -> None:
        """A source saw a change: journal it in order, once per incident across processes,
        with the moment it was seen (also when the journal can only take it later)."""
        self._changes.put_nowait((change, self.session.clock()))

    async def _journal_changes(self) -> None:
        await self.session_start_done.wait()
        while True:
            if self.held or self.held.lost:
                # writes failed: take new changes in, and try the held ones now and then
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(RETRY_WRITES_S):
                        self.held.hold(*await self._changes.get())
            else:
                self.held.hold(*await self._changes.get())
            while not self._changes.empty():
                self.held.hold(*self._changes.get_nowait())
            await self._write_held()

    async def _write_held(self) -> None:
        """Journal the held changes, oldest first; stop at the first write that fails."""
        while (held := self.held.first()) is not None:
            with contextlib.suppress(ActionRefused):
                await self.perform(self.actions.system_change(held.change, held.observed))
            if self.journal_problem is not None:
                return  # still failing (perform's report counts what waits)
            self.held.written()
        if self.held.lost and self.held.lost_since is not None:
            lost, since = self.held.lost, self.held.lost_since
            with contextlib.suppress(ActionRefused):
                await self.perform(self.actions.changes_lost(lost, since))
            if self.journal_problem is None:
                self.held.forget_lost()

    def _report_problem(self) -> None:
        if self.journal_problem is None:
            return
        waiting = self.held.summary()
        self.listener.journal_problem(
            f"{self.journal_problem} · {waiting}" if waiting else self.journal_problem
        )

    async def record_observation(self, snapshot: Snapshot) -> None:
        """Keep what a pane showed, for replay (never in a read-only session)."""
        await self.journal_ready.wait()
        if self.recorder is not None:
            await self.recorder.record(snapshot)
