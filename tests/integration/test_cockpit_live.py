"""The live cockpit against real Prometheus and Alertmanager: config, doctor, keys, faults."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from servers import Exporter, PrometheusServer, Stack, http_json

from cockpit.app import CockpitApp
from cockpit.config import load_config
from cockpit.session import Session
from cockpit.sources.factory import build_sources
from tests.tui.harness import journal_of

pytestmark = pytest.mark.integration


def write_config(path: Path, prometheus: str, alertmanager: str | None, *, bad: bool) -> Path:
    lines = [
        "[prometheus]",
        f'url = "{prometheus}"',
        "interval = 1",
        "timeout = 5",
    ]
    if alertmanager:
        lines += ["[alertmanager]", f'url = "{alertmanager}"', "interval = 1"]
    lines += ["[[panels]]", 'title = "test value"', 'query = "cockpit_test_value"', 'unit = "x"']
    if bad:
        lines += ["[[panels]]", 'title = "broken"', 'query = "sum(rate(cockpit_test_value[1m])"']
    path.write_text("\n".join(lines) + "\n")
    return path


def screen_text(app: CockpitApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def until(predicate: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def live_app(config_path: Path, journal: Path) -> CockpitApp:
    config = load_config(config_path)
    session = Session(
        journal=None,
        journal_path=journal,
        incident="INC-LIVE",
        operator="alice",
        sources=build_sources(config),
        panels=config.panels,
        viewers=None,
    )
    return CockpitApp(session)


def test_doctor_names_the_bad_panel(stack: Stack, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "c.toml", stack.prometheus.url, stack.alertmanager.url, bad=True
    )
    out = subprocess.run(
        [sys.executable, "-m", "cockpit", "doctor", "--config", str(config)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    rows = {line.split("  ")[0].strip(): line for line in out.stdout.splitlines()}
    assert " ok " in rows["prometheus: reachable"]
    assert " ok " in rows["alertmanager: reachable"]
    assert " ok " in rows["panel 'test value'"]
    assert "FAIL" in rows["panel 'broken'"] and "parse error" in rows["panel 'broken'"]


async def test_live_panes_and_silence_from_the_keyboard(stack: Stack, tmp_path: Path) -> None:
    stack.prometheus.wait_for_value("cockpit_test_value", 3.5)
    config = write_config(
        tmp_path / "c.toml", stack.prometheus.url, stack.alertmanager.url, bad=False
    )
    app = live_app(config, tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: "CockpitTestHigh" in screen_text(app))
        await until(lambda: "3.50 x" in screen_text(app))
        await pilot.press("1", "x")  # silence the selected alert: 1h, all labels
        await until(lambda: app.prompt is not None)
        await pilot.press("enter")
        await until(lambda: "silenced alert CockpitTestHigh" in screen_text(app))
        events = await (await journal_of(app)).events("INC-LIVE")
        silenced = [e for e in events if e.kind == "alert.silenced"]
        assert silenced and silenced[0].data["alert"] == "CockpitTestHigh"
        silence_id = silenced[0].data["silence_id"]
        silences = http_json(f"{stack.alertmanager.url}/api/v2/silences")
        mine = next(s for s in silences if s["id"] == silence_id)
        assert mine["status"]["state"] == "active"
        assert {
            "name": "alertname",
            "value": "CockpitTestHigh",
            "isRegex": False,
            "isEqual": True,
        } in mine["matchers"]
        assert mine["comment"] == "INC-LIVE alice via cockpit"
        # X expires it in Alertmanager (and leaves the shared stack's alert firing again)
        await pilot.press("X")
        await until(lambda: "expired silence" in screen_text(app))
        expired = http_json(f"{stack.alertmanager.url}/api/v2/silence/{silence_id}")
        assert expired["status"]["state"] == "expired"
        firing = [e for e in events if e.kind == "system.alert.firing"]
        assert [e.data["alert"] for e in firing] == ["CockpitTestHigh"]
        await pilot.press("q")


async def test_prometheus_down_is_journaled_once(
    lone_prometheus: tuple[Exporter, PrometheusServer], tmp_path: Path
) -> None:
    _exporter, prom = lone_prometheus
    prom.wait_for_value("cockpit_test_value", 1.25)
    config = write_config(tmp_path / "c.toml", prom.url, None, bad=False)
    app = live_app(config, tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: "1.25 x" in screen_text(app))
        prom.stop()
        await until(lambda: "prometheus down" in screen_text(app))
        await asyncio.sleep(3)  # several more failed polls: still one entry
        text = screen_text(app)
        assert "1.25 x" in text  # the last data stays, marked stale
        assert "showing data" in text
        await pilot.press("s", "2")  # input stays responsive while a source is down
        await pilot.pause(0.5)
        events = await (await journal_of(app)).events("INC-LIVE")
        # once per source: the metrics and the alerts (read from the same Prometheus)
        downs = sorted(e.actor for e in events if e.kind == "system.source.down")
        assert downs == ["alerts", "prometheus"]
        assert "severity.changed" in [e.kind for e in events]
        prom.start()
        await until(lambda: "● prometheus" in screen_text(app), timeout=30)
        await pilot.pause(0.5)
        await until(lambda: "● alerts" in screen_text(app), timeout=30)
        events = await (await journal_of(app)).events("INC-LIVE")
        ups = sorted(e.actor for e in events if e.kind == "system.source.up")
        assert ups == ["alerts", "prometheus"]
        assert len([e for e in events if e.kind == "system.source.down"]) == 2
