"""System changes a source observed that the journal could not take yet.

A journal that cannot be written (full disk, read-only, locked) must not make the record forget
what the sources saw meanwhile: the changes wait here, in order and with the moment they were
observed, and are journaled as soon as writes work again. The wait is bounded so a long outage
cannot exhaust memory; what falls off the end is counted, and the count is journaled too.
"""

from __future__ import annotations

from collections import deque

import msgspec

from cockpit.model import SystemChange

MAX_HELD = 1000  # ~1 KiB each: a long outage of a busy cluster costs about a megabyte


class HeldChange(msgspec.Struct, frozen=True):
    change: SystemChange
    observed: float  # epoch seconds on the session's clock, journaled as the event's time


class HeldChanges:
    """Oldest first; when full, newer changes are counted as lost rather than kept."""

    def __init__(self, limit: int = MAX_HELD) -> None:
        self.limit = limit
        self._held: deque[HeldChange] = deque()
        self.lost = 0
        self.lost_since: float | None = None  # when the first lost change was observed

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, change: SystemChange, observed: float) -> None:
        if len(self._held) >= self.limit:
            self.lost += 1
            if self.lost_since is None:
                self.lost_since = observed
            return
        self._held.append(HeldChange(change, observed))

    def first(self) -> HeldChange | None:
        return self._held[0] if self._held else None

    def written(self) -> None:
        """The oldest held change is in the journal now."""
        self._held.popleft()

    def forget_lost(self) -> None:
        """The count of lost changes is in the journal now."""
        self.lost, self.lost_since = 0, None

    def summary(self) -> str:
        """For the banner: how many changes wait, and how many were lost."""
        parts = []
        if self._held:
            parts.append(f"{len(self._held)} observed changes held, journaled when writes work")
        if self.lost:
            parts.append(f"{self.lost} lost (more than {self.limit} held)")
        return " · ".join(parts)
