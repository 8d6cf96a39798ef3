"""LineSelection follows a LogBuffer by its changes: after any mix of appends, merges of
older stretches, evictions and clears it holds exactly what a full re-test would."""

from __future__ import annotations

import random

from cockpit.logbuffer import HISTORY, LogBuffer
from cockpit.logselection import LineSelection
from cockpit.model import LogLine


def line(pod: str, at: int, text: str) -> LogLine:
    return LogLine("shop", pod, "app", f"t{at}", at, text)


def errorish(x: LogLine) -> bool:
    return "ERROR" in x.text


def test_incremental_selection_equals_a_full_retest() -> None:
    rng = random.Random(15)
    buffer = LogBuffer(capacity=300)
    selection = LineSelection(buffer, errorish)
    clocks = {"a": 0, "b": 0, "c": 0}
    for step in range(2000):
        pod = rng.choice("abc")
        batch = []
        for _ in range(rng.randint(1, 12)):
            clocks[pod] += rng.randint(0, 3)  # equal stamps too
            batch.append(line(pod, clocks[pod], rng.choice(["INFO ok", "ERROR bad", "WARN"])))
        buffer.add(batch)  # pods drift apart: many batches merge into the middle
        if step % 3 == 0 or step % 7 == 0:  # a view looks at some changes, not every one
            selection.sync()
            assert selection.lines == [x for x in buffer.lines if errorish(x)]
            assert all(
                buffer.lines[p - buffer.dropped] is x
                for p, x in zip(selection.positions, selection.lines, strict=True)
            )
        if step == 1000:
            buffer.clear()
    assert buffer.dropped > 0  # evictions happened
    assert len(selection) == sum(1 for x in buffer.lines if errorish(x))


def test_a_view_that_fell_behind_the_history_rebuilds() -> None:
    buffer = LogBuffer(capacity=50)
    selection = LineSelection(buffer, errorish)
    buffer.add([line("a", 1, "ERROR first")])
    assert len(selection) == 1
    for i in range(HISTORY + 5):
        buffer.add([line("a", 2 + i, "ERROR" if i % 2 else "INFO")])
    assert buffer.changed_since(1) is None
    selection.sync()
    assert selection.lines == [x for x in buffer.lines if errorish(x)]


def test_next_after_wraps_around_like_less() -> None:
    buffer = LogBuffer()
    buffer.add([line("a", i, "ERROR" if i in (3, 7) else "INFO") for i in range(10)])
    selection = LineSelection(buffer, errorish)
    assert selection.next_after(3, forward=True).at_ns == 7  # type: ignore[union-attr]
    assert selection.next_after(7, forward=True).at_ns == 3  # type: ignore[union-attr]
    assert selection.next_after(3, forward=False).at_ns == 7  # type: ignore[union-attr]
    assert selection.next_after(5, forward=False).at_ns == 3  # type: ignore[union-attr]
