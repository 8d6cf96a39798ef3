"""One thread that runs blocking calls for an event loop, one at a time, in order.

The journal's appends run here: the whole BEGIN IMMEDIATE .. COMMIT of an append (its fsync
included) is one call, so the loop that runs the keystrokes never waits for the disk. A call
costs one wake of this thread and one of the loop, and little else: run_in_executor added a
work item, a second future and chained callbacks around the same two wakes, ~50-90 us of
every append on this machine (bench/journal.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

# (the future to answer, None for a call nobody waits for; the call; its args)
_Call = tuple["asyncio.Future[Any] | None", Callable[..., Any], tuple[Any, ...]]


class WriterThread:
    """Calls run in submission order on one daemon thread; `stop` ends it after the calls
    already queued. A daemon: a journal someone forgot to close never keeps the process
    alive (an append it was running is then not acknowledged, and SQLite rolls it back)."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def call(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run fn(*args) on the thread; the future has its result or its exception."""
        if self._stopped:
            raise RuntimeError("the writer thread is stopped")
        future = asyncio.get_running_loop().create_future()
        self._calls.put((future, fn, args))
        return future

    def call_detached(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run fn(*args) on the thread after what is queued, without anyone waiting for it
        (housekeeping after an append was acknowledged); its exception is dropped."""
        if not self._stopped:
            self._calls.put((None, fn, args))

    def stop(self) -> None:
        """End the thread once the calls already queued have run (returns at once)."""
        if not self._stopped:
            self._stopped = True
            self._calls.put(None)

    def _run(self) -> None:
        while (item := self._calls.get()) is not None:
            future, fn, args = item
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to whoever awaits it
                if future is not None:
                    _answer(future, None, exc)
            else:
                if future is not None:
                    _answer(future, result, None)
            del item, future, fn, args  # nothing of a finished call outlives it here


def _answer(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    # a loop closed meanwhile (its run ended while an append was in flight): nobody to tell
    with contextlib.suppress(RuntimeError):
        future.get_loop().call_soon_threadsafe(_resolve, future, result, exc)


def _resolve(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled: the call ran anyway
        return
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)
