"""Fixtures for the Kubernetes source tests: a loopback API server and a source wired to it
through a real kubeconfig file, so the official client is exercised end to end."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_apiserver import FakeApiServer  # a plain helper module next to this file

from cockpit.config import KubernetesConfig
from cockpit.model import Snapshot, SourceHealth
from cockpit.sources.kubernetes import KubernetesSource


@pytest.fixture
def apiserver() -> Iterator[FakeApiServer]:
    server = FakeApiServer().start()
    yield server
    server.stop()


@pytest.fixture
def kubeconfig(apiserver: FakeApiServer, tmp_path: Path) -> Path:
    return apiserver.write_kubeconfig(tmp_path / "kubeconfig")


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


MakeSource = Callable[..., "asyncio.Future[Recorder]"]


@pytest.fixture
async def make_source(kubeconfig: Path) -> AsyncIterator[Callable[..., Any]]:
    started: list[KubernetesSource] = []

    async def make(
        namespaces: tuple[str, ...] = ("shop",), start: bool = True, **kwargs: Any
    ) -> Recorder:
        kwargs.setdefault("publish_interval", 0.05)
        kwargs.setdefault("backoff_initial_s", 0.05)
        kwargs.setdefault("backoff_max_s", 0.5)
        source = KubernetesSource(
            KubernetesConfig(namespaces=namespaces, kubeconfig=str(kubeconfig)), **kwargs
        )
        rec = Recorder(source)
        started.append(source)
        if start:
            await source.start()
        return rec

    yield make
    for source in started:
        await source.stop()
