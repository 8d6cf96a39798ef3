"""A bounded buffer of log lines from one or more containers, ordered by timestamp.

Memory stays bounded at any log rate: past `capacity` the oldest lines go and are counted
(`dropped`), so the view can say how much it no longer holds. Streams of several pods arrive
in batches that overlap in time; each batch is merged in place (stern/kubetail order).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable

from cockpit.model import LogLine

DEFAULT_CAPACITY = 20_000
HISTORY = 256  # changes remembered for views that catch up (a view looks 10+ times a second)


def _at(line: LogLine) -> int:
    return line.at_ns


class LogBuffer:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = capacity
        self.lines: list[LogLine] = []
        self.dropped = 0  # lines that went out of the buffer (oldest first)
        self.total = 0  # lines ever added
        self.generation = 0  # bumped on every change: views cache by it
        # (generation, first changed position) of recent adds, so that what a view derives
        # (filtered lines, matches) is updated from the change on, not rebuilt. A position
        # is absolute (dropped + index): it stays the same while older lines go out.
        self._changes: deque[tuple[int, int]] = deque(maxlen=HISTORY)
        self._cleared_at = 0

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, batch: Iterable[LogLine]) -> int:
        """Add lines (each pod's in its own order); returns the index of the first changed line."""
        new = list(batch)
        if not new:
            return len(self.lines)
        self.total += len(new)
        self.generation += 1
        lines = self.lines
        if any(new[i].at_ns > new[i + 1].at_ns for i in range(len(new) - 1)):
            new.sort(key=_at)  # stable: lines of one stamp keep their order
        if not lines or new[0].at_ns >= lines[-1].at_ns:
            first = len(lines)
            lines.extend(new)
        else:
            # an older stretch of another pod: merge with the part of the buffer it overlaps
            first = bisect_right(lines, new[0].at_ns, key=_at)
            lines[first:] = list(heapq.merge(lines[first:], new, key=_at))
        self._changes.append((self.generation, self.dropped + first))
        excess = len(lines) - self.capacity
        if excess > 0:
            del lines[:excess]
            self.dropped += excess
            first = max(0, first - excess)
        return first

    def changed_since(self, generation: int) -> int | None:
        """The first absolute position changed after `generation` (`dropped + len` if nothing
        did); None when the buffer was cleared since or the history does not reach back."""
        if generation == self.generation:
            return self.dropped + len(self.lines)
        if generation < self._cleared_at or not self._changes:
            return None
        if self._changes[0][0] > generation + 1:
            return None  # older changes fell out of the history: rebuild
        return min(position for gen, position in self._changes if gen > generation)

    def clear(self) -> None:
        self.lines.clear()
        self.dropped = 0
        self.total = 0
        self.generation += 1
        self._changes.clear()
        self._cleared_at = self.generation
