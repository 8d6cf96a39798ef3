"""When Python's cyclic garbage collector may pause the cockpit.

A full (generation 2) collection walks every tracked object. A cockpit holds ~100-200k of
them (Textual keeps several small caches per rendered line), so each full collection froze
the event loop for 70-200 ms, and under a busy incident CPython started one every second
or two: those pauses were the slowest key presses (bench/keypress.py). Here the startup
objects are frozen out of the walks, and full collections run on our schedule, when
nobody has typed for a moment, instead of in the middle of a keystroke. Young-generation
collections (well under a millisecond) stay automatic.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

FULL_EVERY_S = 30.0  # a full collection at most this often while the operator types
QUIET_S = 2.0  # ... and only after this long without a key
FORCE_AFTER_S = 120.0  # but never less often than this, typing or not
MANUAL = 1_000_000  # gen-1 collections before CPython would start a full one itself
CHECK_S = 5.0


@contextmanager
def held_until_first_frame() -> Iterator[None]:
    """No collection at all until the first frame: imports and the first layout allocate
    hundreds of thousands of objects, and the collector walking them cost ~80 ms of startup.
    `CollectorPolicy.install()` turns it back on; leaving the block always does."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class CollectorPolicy:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_full = clock()
        self.last_input = 0.0
        self.collections = 0
        self._installed = False
        self._threshold = gc.get_threshold()

    def attach(self, app: Any) -> CollectorPolicy:
        """Install after the app's first frame, then check every CHECK_S seconds."""
        app.call_after_refresh(self.install)
        app.set_interval(CHECK_S, self.tick)
        return self

    def install(self) -> None:
        """Freeze what startup built (modules, styles, themes) and take over full runs."""
        if self._installed:
            return
        self._installed = True
        self._threshold = gc.get_threshold()
        gc.collect()
        gc.freeze()
        young, middle, _ = self._threshold
        gc.set_threshold(young, middle, MANUAL)
        gc.enable()

    def release(self) -> None:
        """Back to CPython's own collection (the app has ended; tests run many apps)."""
        if self._installed:
            self._installed = False
            gc.unfreeze()
            gc.set_threshold(*self._threshold)
        gc.enable()

    def input_seen(self) -> None:
        self.last_input = self.clock()

    def tick(self) -> bool:
        """Run a full collection if one is due; True if it ran."""
        now = self.clock()
        since_full = now - self.last_full
        quiet = now - self.last_input >= QUIET_S
        if since_full >= FORCE_AFTER_S or (since_full >= FULL_EVERY_S and quiet):
            gc.collect()
            self.last_full = self.clock()
            self.collections += 1
            return True
        return False
