"""Stale is not OK, and the monitoring's own outage is not a recovery (issue 11 items 2, 3),
against real Prometheus and Alertmanager with alerts firing.

Prometheus stopped: the metrics rows say `stale 35s` instead of ✓, and the alert that
Alertmanager then resolves is journaled with the artefact flag, which the timeline and the md
export say. Alertmanager stopped: the alerts pane keeps the last known list and says how old
it is, never "(none firing)". Ages run on a fake clock the test moves.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import AlertmanagerServer, Stack, http_json, running_stack

from cockpit.app import CockpitApp
from cockpit.config import load_config
from cockpit.session import Session
from cockpit.sources.factory import build_sources
from tests.tui.harness import journal_rows
from tests.tui.screen import screen_text

pytestmark = pytest.mark.integration

RULES = [
    {
        "alert": "CockpitTestHigh",
        "expr": "cockpit_alert_value > 5",
        "for": "0s",
        "labels": {"severity": "critical", "team": "sre"},
        "annotations": {"summary": "cockpit test value is {{ $value }}"},
    }
]
ARTEFACT = "resolved while prometheus was down — may be an artefact"


class FakeClock:
    """Real time at the start; afterwards it moves only when the test says so."""

    def __init__(self) -> None:
        self.value = time.time()

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def own_stack(tmp_path: Path, prometheus_binary: str, alertmanager_binary: str) -> Iterator[Stack]:
    """exporter -> Prometheus (rules) -> Alertmanager of this test alone: it stops them."""
    with running_stack(
        tmp_path,
        RULES,
        {"cockpit_test_value": 3.5, "cockpit_alert_value": 10},
        prometheus_binary=prometheus_binary,
        alertmanager_binary=alertmanager_binary,
    ) as stack:
        yield stack


def wait_until_alertmanager_has_it(am: AlertmanagerServer, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(
            a["labels"].get("alertname") == "CockpitTestHigh"
            for a in http_json(f"{am.url}/api/v2/alerts")
        ):
            return
        time.sleep(0.3)
    raise AssertionError("the alert never reached Alertmanager")


def cockpit_on(stack: Stack, tmp_path: Path, clock: FakeClock) -> CockpitApp:
    config_path = tmp_path / "c.toml"
    config_path.write_text(
        f'[prometheus]\nurl = "{stack.prometheus.url}"\ninterval = 1\ntimeout = 2\n'
        f'[alertmanager]\nurl = "{stack.alertmanager.url}"\ninterval = 1\ntimeout = 2\n'
        '[[panels]]\ntitle = "test value"\nquery = "cockpit_test_value"\n'
    )
    config = load_config(config_path, env={})
    return CockpitApp(
        Session(
            journal=None,
            journal_path=tmp_path / "j.sqlite",
            incident="INC-STALE",
            operator="alice",
            sources=build_sources(config, clock=clock),
            panels=config.panels,
            clock=clock,
            wall_clock=clock,
            viewers=None,
        )
    )


async def until(predicate: Any, timeout: float, what: Any = "") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what() if callable(what) else what}")
        await asyncio.sleep(0.1)


def metrics_row(app: CockpitApp) -> str:
    return next((line for line in screen_text(app).splitlines() if "test value" in line), "")


async def test_prometheus_stopped_rows_stale_and_resolution_flagged(
    own_stack: Stack, tmp_path: Path, env: dict[str, str]
) -> None:
    own_stack.prometheus.wait_for_value("cockpit_test_value", 3.5)
    wait_until_alertmanager_has_it(own_stack.alertmanager)
    clock = FakeClock()
    app = cockpit_on(own_stack, tmp_path, clock)
    async with app.run_test(size=(200, 50)) as pilot:
        await until(lambda: "CockpitTestHigh" in screen_text(app), 20, lambda: screen_text(app))
        await until(lambda: "✓ 3.5" in metrics_row(app), 20, lambda: metrics_row(app))
        own_stack.prometheus.stop()
        clock.advance(35)
        await until(
            lambda: "prometheus down" in screen_text(app).splitlines()[0],
            10,
            lambda: screen_text(app),
        )
        await until(lambda: "stale 35s" in metrics_row(app), 5, lambda: metrics_row(app))
        assert "✓" not in metrics_row(app)
        # Alertmanager resolves the alert Prometheus no longer sends (after 4 x resend-delay)
        resolved: list[Any] = []

        async def journaled() -> None:
            for _ in range(300):
                resolved[:] = [
                    e for e in await journal_rows(app) if e.kind == "system.alert.resolved"
                ]
                if resolved:
                    return
                await asyncio.sleep(0.1)

        await journaled()
        assert [e.data.get("artefact") for e in resolved] == ["while prometheus was down"]
        await until(lambda: ARTEFACT in screen_text(app), 5, lambda: screen_text(app))
        await pilot.press("q")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "export",
            "INC-STALE",
            "--format",
            "md",
            "--journal",
            str(tmp_path / "j.sqlite"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert f"alert CockpitTestHigh {ARTEFACT}" in out.stdout, out.stdout


async def test_alertmanager_stopped_shows_last_known_firing_with_age(
    own_stack: Stack, tmp_path: Path
) -> None:
    own_stack.prometheus.wait_for_value("cockpit_test_value", 3.5)
    wait_until_alertmanager_has_it(own_stack.alertmanager)
    clock = FakeClock()
    app = cockpit_on(own_stack, tmp_path, clock)
    async with app.run_test(size=(200, 50)) as pilot:
        await until(lambda: "(1 firing)" in screen_text(app), 20, lambda: screen_text(app))
        own_stack.alertmanager.stop()
        clock.advance(35)
        want = "alertmanager down: last known 1 firing (35s old)"
        await until(lambda: want in screen_text(app), 10, lambda: screen_text(app))
        text = screen_text(app)
        assert "none firing" not in text
        assert "CockpitTestHigh" in text  # the last known list stays
        await pilot.press("q")
