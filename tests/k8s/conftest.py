"""Fixtures for the Kubernetes source tests: a loopback API server and a source wired to it
through a real kubeconfig file, so the official client is exercised end to end."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_apiserver import FakeApiServer  # plain helper modules next to this file
from k8s_support import Recorder

from cockpit.config import KubernetesConfig
from cockpit.sources.kubernetes import KubernetesSource


@pytest.fixture
def apiserver() -> Iterator[FakeApiServer]:
    server = FakeApiServer().start()
    yield server
    server.stop()


@pytest.fixture
def kubeconfig(apiserver: FakeApiServer, tmp_path: Path) -> Path:
    return apiserver.write_kubeconfig(tmp_path / "kubeconfig")


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
