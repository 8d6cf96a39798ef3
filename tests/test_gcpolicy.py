"""The collector policy: full collections on our schedule, away from typing."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cockpit.gcpolicy import (
    FORCE_AFTER_S,
    FULL_EVERY_S,
    MANUAL,
    QUIET_S,
    CollectorPolicy,
    held_until_first_frame,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_install_freezes_startup_objects_and_release_gives_them_back(restore_gc: None) -> None:
    before = gc.get_threshold()
    policy = CollectorPolicy()
    gc.disable()  # as held_until_first_frame leaves it
    policy.install()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold()[2] == MANUAL
    policy.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before and gc.isenabled()


def test_startup_hold_always_ends(restore_gc: None) -> None:
    with pytest.raises(RuntimeError), held_until_first_frame():
        assert not gc.isenabled()
        raise RuntimeError("bad config")
    assert gc.isenabled()


def test_full_collection_waits_for_a_quiet_moment_but_not_forever() -> None:
    clock = Clock()
    policy = CollectorPolicy(clock)
    clock.now += FULL_EVERY_S - 1
    assert not policy.tick()  # not due yet
    clock.now += 2
    policy.input_seen()
    assert not policy.tick()  # due, but someone is typing
    clock.now += QUIET_S
    assert policy.tick() and policy.collections == 1
    assert not policy.tick()  # just ran
    # typing without a pause: forced after FORCE_AFTER_S all the same
    while clock.now - policy.last_full < FORCE_AFTER_S:
        policy.input_seen()
        assert not policy.tick()
        clock.now += 1.0
    policy.input_seen()
    assert policy.tick() and policy.collections == 2
