"""The team sync on a thread and event loop of its own (the live cockpit runs it this way).

Importing this module loads neither psycopg nor the sync: the thread does, so the cockpit's
loop never pays for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.journal.pgurl import masked
from cockpit.journal.team_status import TeamStatus

if TYPE_CHECKING:
    from cockpit.journal.sync import TeamSync

ROUND_WAIT_S = 2.0  # at stop, how long a round in flight may take to finish


class SyncThread:
    """The sync task on a thread and event loop of its own, with its own connections to the
    local file: the cockpit's loop, which runs the keystrokes, never runs a sync round (its
    tail sees the pulled events as another connection's commits)."""

    def __init__(self, journal_path: Path, url: str, *, redact_secrets: bool = True) -> None:
        self.journal_path = journal_path
        self.url = url
        self.redact_secrets = redact_secrets
        self.sync: TeamSync | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._final = False
        self._thread = threading.Thread(target=self._main, name="team-sync", daemon=True)
        self._status = TeamStatus(url=masked(url))

    @property
    def status(self) -> TeamStatus:
        return self.sync.status if self.sync is not None else self._status

    def start(self) -> None:
        self._thread.start()

    def _main(self) -> None:
        with contextlib.suppress(BaseException):
            asyncio.run(self._run())

    async def _run(self) -> None:
        # psycopg and the sync load here, in this thread: not on the cockpit's loop
        from cockpit.journal.store import Journal
        from cockpit.journal.sync import TeamSync

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        local = await Journal.open(self.journal_path, redact_secrets=self.redact_secrets)
        self.sync = TeamSync(local, self.url)
        runner = asyncio.create_task(self.sync.run())
        try:
            await self._stop.wait()
        finally:
            self.sync.stop_soon()  # the round in flight ends its transaction first
            done, _ = await asyncio.wait([runner], timeout=ROUND_WAIT_S)
            if not done:
                runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
            if self._final:
                # the last words (session.ended) reach the team store if it answers quickly
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(3):
                        await self.sync.sync_once()
            await self.sync.close()
            await local.close()

    def stop(self, *, final_push: bool = True, timeout: float = 5.0) -> None:
        """Stop the task (after one last push and pull); blocks at most `timeout`."""
        self._final = final_push
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread.is_alive():
            self._thread.join(timeout)
