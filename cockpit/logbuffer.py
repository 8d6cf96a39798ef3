"""A bounded buffer of log lines from one or more containers, ordered by timestamp.

Memory stays bounded at any log rate: past `capacity` the oldest lines go and are counted
(`dropped`), so the view can say how much it no longer holds. Streams of several pods arrive
in batches that overlap in time; each batch is merged in place (stern/kubetail order).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable

from cockpit.model import LogLine

DEFAULT_CAPACITY = 20_000


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
        excess = len(lines) - self.capacity
        if excess > 0:
            del lines[:excess]
            self.dropped += excess
            first = max(0, first - excess)
        return first

    def clear(self) -> None:
        self.lines.clear()
        self.dropped = 0
        self.total = 0
        self.generation += 1
