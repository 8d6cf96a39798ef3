"""Helpers shared by the Kubernetes tests (a uniquely named module: `conftest` is ambiguous
when several test folders put themselves on sys.path)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from cockpit.model import Snapshot, SourceHealth
from cockpit.sources.kubernetes import KubernetesSource


class Recorder:
    """A started source and everything it published."""

    def __init__(self, source: KubernetesSource) -> None:
        self.source = source
        self.snapshots: list[Snapshot] = []
        self.healths: list[SourceHealth] = []
        self.changes: list[Any] = []
        source.subscribe(self.snapshots.append, self.changes.append, self.healths.append)

    @property
    def latest(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    async def until(self, predicate: Callable[[Snapshot], bool], timeout: float = 10.0) -> Snapshot:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            snap = self.latest
            if snap is not None and predicate(snap):
                return snap
            await asyncio.sleep(0.02)
        raise AssertionError(f"no snapshot matched within {timeout}s; latest: {self.latest}")


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
