"""The journal's writer thread: calls run in order, on one thread, answers reach the loop.

Every append runs through it, so a call that fails, or whose caller was cancelled, must
leave it serving the next append.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from cockpit.journal.writer_thread import WriterThread


async def test_calls_run_in_order_on_one_thread_that_is_not_the_loops() -> None:
    writer = WriterThread("test-writer")
    seen: list[tuple[int, int]] = []

    def record(i: int) -> int:
        seen.append((i, threading.get_ident()))
        return i * 10

    try:
        results = await asyncio.gather(*(writer.call(record, i) for i in range(50)))
    finally:
        writer.stop()
    assert results == [i * 10 for i in range(50)]
    assert [i for i, _ in seen] == list(range(50))
    assert len({ident for _, ident in seen}) == 1
    assert seen[0][1] != threading.get_ident()


async def test_an_exception_reaches_the_caller_and_the_next_call_still_runs() -> None:
    writer = WriterThread("test-writer")

    def fail() -> None:
        raise ValueError("disk said no")

    try:
        with pytest.raises(ValueError, match="disk said no"):
            await writer.call(fail)
        assert await writer.call(lambda: "next") == "next"
    finally:
        writer.stop()


async def test_a_cancelled_caller_does_not_stop_the_call_or_the_thread() -> None:
    writer = WriterThread("test-writer")
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(10)
        ran.append("slow")

    try:
        task = asyncio.ensure_future(writer.call(slow))
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        # the call that was running finished (a commit under way is not torn), then this one
        assert await writer.call(lambda: ran.append("next") or len(ran)) == 2
        assert ran == ["slow", "next"]
    finally:
        writer.stop()


async def test_detached_calls_run_in_turn_and_their_errors_are_dropped() -> None:
    writer = WriterThread("test-writer")
    order: list[str] = []

    def broken() -> None:
        order.append("detached")
        raise RuntimeError("housekeeping failed")

    try:
        first = writer.call(order.append, "first")
        writer.call_detached(broken)
        last = writer.call(order.append, "last")
        await asyncio.gather(first, last)
    finally:
        writer.stop()
    assert order == ["first", "detached", "last"]


async def test_stop_runs_what_is_queued_then_ends_the_thread() -> None:
    writer = WriterThread("test-writer")
    done: list[int] = []
    pending = [writer.call(done.append, i) for i in range(5)]
    writer.stop()
    await asyncio.gather(*pending)
    await asyncio.to_thread(writer._thread.join, 10)
    assert done == list(range(5))
    assert not writer._thread.is_alive()
    with pytest.raises(RuntimeError, match="stopped"):
        writer.call(done.append, 99)
