"""Change keys: the same observation in two cockpits gives the same key, later ones new keys."""

from __future__ import annotations

from cockpit.model import K8sEvent, PodHealth, Snapshot
from cockpit.sources.changes import WARNING_REPEAT_S, ChangeTracker

T = 1_795_892_700.0  # a window boundary: 2026-11-28T19:05:00Z


def snap(at: float) -> Snapshot:
    warning = K8sEvent(
        uid="e1",
        namespace="shop",
        type="Warning",
        reason="BackOff",
        object="Pod/checkout-1",
        message="Back-off restarting failed container",
        count=3,
        last_seen="",
    )
    pod = PodHealth("shop", "checkout-1", "Running", False, 3, reason="CrashLoopBackOff")
    return Snapshot(source="kubernetes", at=at, events=(warning,), pods=(pod,))


def keys(tracker: ChangeTracker, at: float) -> list[str]:
    return sorted(c.key for c in tracker.observe(snap(at)))


def test_two_processes_build_the_same_keys_within_a_window() -> None:
    alice, bob = ChangeTracker("kubernetes"), ChangeTracker("kubernetes")
    first = keys(alice, T + 10)
    assert len(first) == 2 and keys(bob, T + 17) == first


def test_a_warning_repeats_once_per_window_with_a_new_key() -> None:
    tracker = ChangeTracker("kubernetes")
    first = keys(tracker, T + 1)
    assert keys(tracker, T + 200) == []  # same window: already journaled
    later = [k for k in keys(tracker, T + WARNING_REPEAT_S + 1) if k.startswith("warn:")]
    assert len(later) == 1 and later[0] not in first
