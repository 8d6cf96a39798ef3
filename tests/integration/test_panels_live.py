"""Panels against a real Prometheus: several series, no series, bad PromQL (issue 11 5, 8)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from servers import Stack

from cockpit.app import CockpitApp
from cockpit.config import PrometheusConfig, load_config
from cockpit.model import Panel
from cockpit.session import Session
from cockpit.sources.factory import build_sources
from cockpit.sources.prometheus import PrometheusSource

pytestmark = pytest.mark.integration


async def test_two_series_count_worst_value_and_labels(stack: Stack) -> None:
    stack.exporter.set_series('cockpit_free_bytes{disk="root"}', 80e9)
    stack.exporter.set_series('cockpit_free_bytes{disk="data"}', 5e9)
    stack.prometheus.wait_for_value("count(cockpit_free_bytes)", 2)
    panels = (
        Panel("free", "cockpit_free_bytes", unit="bytes", warn=20e9, crit=10e9, direction="below"),
        Panel("free total", "cockpit_free_bytes", unit="bytes", reduce="sum"),
        Panel("absent", "cockpit_no_such_metric_total"),
        Panel("bad", "sum(rate(cockpit_free_bytes[1m])"),
    )
    src = PrometheusSource(PrometheusConfig(url=stack.prometheus.url, timeout=5), panels)
    try:
        shown = {s.panel.title: s for s in (await src.fetch()).panels or ()}
        free = shown["free"]
        assert free.series_count == 2
        assert free.latest == 5e9 and free.level() == "crit"
        assert [s.labels.get("disk") for s in free.series] == ["data", "root"]
        assert shown["free total"].latest == 85e9
        assert shown["absent"].no_series and shown["absent"].error is None
        assert shown["bad"].query_error and "parse error" in (shown["bad"].error or "")
    finally:
        await src.close()


async def test_the_cockpit_shows_them_apart_on_screen(stack: Stack, tmp_path: Path) -> None:
    """Config -> real Prometheus -> the metrics pane: a breach by lower-is-worse thresholds
    on the worst of two series in GiB, a query error and no series, each with its own mark."""
    stack.exporter.set_series('cockpit_free_bytes{disk="root"}', 80e9)
    stack.exporter.set_series('cockpit_free_bytes{disk="data"}', 5e9)
    stack.prometheus.wait_for_value("count(cockpit_free_bytes)", 2)
    config_path = tmp_path / "c.toml"
    config_path.write_text(
        "\n".join(
            [
                "[prometheus]",
                f'url = "{stack.prometheus.url}"',
                "interval = 1",
                "timeout = 5",
                "[[panels]]",
                'title = "free disk"',
                'query = "cockpit_free_bytes"',
                'unit = "bytes"',
                "warn = 20e9",
                "crit = 10e9",
                "[[panels]]",
                'title = "broken"',
                'query = "sum(rate(cockpit_free_bytes[1m])"',
                "[[panels]]",
                'title = "absent"',
                'query = "rate(cockpit_no_such_metric_total[5m])"',
            ]
        )
        + "\n"
    )
    config = load_config(config_path)
    session = Session(
        journal=None,
        journal_path=tmp_path / "journal.sqlite",
        incident="INC-PANELS",
        operator="alice",
        sources=build_sources(config),
        panels=config.panels,
        viewers=None,
    )
    app = CockpitApp(session)
    async with app.run_test(size=(200, 50)) as pilot:
        deadline = asyncio.get_running_loop().time() + 20

        def rows() -> dict[str, str]:
            text = "\n".join(s.text for s in app.screen._compositor.render_strips())
            found = {}
            for title in ("free disk", "broken", "absent"):
                found[title] = next((line for line in text.splitlines() if title in line), "")
            return found

        while "series" not in rows()["free disk"]:
            assert asyncio.get_running_loop().time() < deadline, rows()
            await pilot.pause(0.1)
        shown = rows()
        assert "✖ 4.66 GiB 2 series" in shown["free disk"]
        assert "⊘ query error: " in shown["broken"] and "parse error" in shown["broken"]
        assert "∅ no series: is cockpit_no_such_metric_total exported?" in shown["absent"]
        assert not any(mark in shown["broken"] + shown["absent"] for mark in "✖▲")


def test_doctor_tells_no_series_and_query_error_apart(stack: Stack, tmp_path: Path) -> None:
    stack.exporter.set_series('cockpit_free_bytes{disk="root"}', 80e9)
    stack.exporter.set_series('cockpit_free_bytes{disk="data"}', 5e9)
    stack.prometheus.wait_for_value("count(cockpit_free_bytes)", 2)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[prometheus]\nurl = "{stack.prometheus.url}"\n'
        '[[panels]]\ntitle = "free"\nquery = "cockpit_free_bytes"\n'
        '[[panels]]\ntitle = "absent"\nquery = "rate(cockpit_no_such_metric_total[5m])"\n'
        '[[panels]]\ntitle = "broken"\nquery = "sum(rate(cockpit_free_bytes[1m])"\n'
    )
    out = subprocess.run(
        [sys.executable, "-m", "cockpit", "doctor", "--config", str(config)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stdout + out.stderr  # the broken panel fails it
    rows = {line.split("  ")[0].strip(): line for line in out.stdout.splitlines()}
    assert " ok " in rows["panel 'free'"] and "2 series" in rows["panel 'free'"]
    absent = rows["panel 'absent'"]
    assert " ok " in absent and "no series: is cockpit_no_such_metric_total exported?" in absent
    assert "FAIL" in rows["panel 'broken'"] and "query error: " in rows["panel 'broken'"]
