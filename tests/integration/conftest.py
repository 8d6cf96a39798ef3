"""Real servers for the integration tests: an exporter, Prometheus and Alertmanager.

Locally a missing binary skips with the reason; in CI (CI=true) it fails, because there the
packages are installed by .ci/run and a skip would hide a broken setup.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import (  # a plain helper module next to this file
    ALERTMANAGER_BINARIES,
    PROMETHEUS_BINARIES,
    Exporter,
    PrometheusServer,
    Stack,
    find_binary,
    running_stack,
)

ALERT_RULES = [
    {
        "alert": "CockpitTestHigh",
        "expr": "cockpit_alert_value > 5",
        "for": "0s",
        "labels": {"severity": "critical", "team": "sre"},
        "annotations": {"summary": "cockpit test value is {{ $value }}"},
    }
]


def _binary(names: tuple[str, ...], package: str) -> str:
    path = find_binary(names)
    if path is None:
        reason = f"{names[0]} not installed (apt-get install {package})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    return _binary(PROMETHEUS_BINARIES, "prometheus")


@pytest.fixture(scope="session")
def alertmanager_binary() -> str:
    return _binary(ALERTMANAGER_BINARIES, "prometheus-alertmanager")


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, prometheus_binary: str, alertmanager_binary: str
) -> Iterator[Stack]:
    """One exporter -> Prometheus (rules) -> Alertmanager chain shared by the session."""
    workdir = tmp_path_factory.mktemp("stack")
    # the alert condition holds from the start: it fires as soon as the first scrape lands
    values = {"cockpit_test_value": 3.5, "cockpit_alert_value": 10}
    with running_stack(
        workdir,
        ALERT_RULES,
        values,
        prometheus_binary=prometheus_binary,
        alertmanager_binary=alertmanager_binary,
    ) as stack:
        yield stack


@pytest.fixture
def lone_prometheus(
    tmp_path: Path, prometheus_binary: str
) -> Iterator[tuple[Exporter, PrometheusServer]]:
    """A Prometheus of its own, for tests that stop and restart it."""
    exporter = Exporter(tmp_path)
    exporter.set(cockpit_test_value=1.25)
    exporter.start()
    prom = PrometheusServer(tmp_path, [exporter.target], binary=prometheus_binary)
    try:
        prom.start()
        yield exporter, prom
    finally:
        prom.stop()
        exporter.stop()
