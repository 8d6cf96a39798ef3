"""A real Prometheus outage in the html export (issue 12 item 6): the live cockpit journals
the outage, Prometheus comes back (its lookback would bridge the hole with the last value),
and the exported chart's path breaks there (two M moves) with the outage shaded."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from servers import Exporter, PrometheusServer
from test_cockpit_live import live_app, screen_text, until, write_config

from cockpit.journal import export as exporter
from cockpit.journal.postmortem import gather
from cockpit.journal.svg import chart
from tests.tui.harness import journal_of

pytestmark = pytest.mark.integration


async def test_exported_chart_breaks_over_a_prometheus_outage(
    lone_prometheus: tuple[Exporter, PrometheusServer], tmp_path: Path
) -> None:
    _exporter, prom = lone_prometheus
    prom.wait_for_value("cockpit_test_value", 1.25)
    config = write_config(tmp_path / "c.toml", prom.url, None, bad=False)
    app = live_app(config, tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: "1.25 x" in screen_text(app))
        app.session.source("prometheus").set_width(900)  # one sample a second, not a minute
        await asyncio.sleep(4)  # a few polls with data before the outage
        prom.stop()
        await until(lambda: "prometheus down" in screen_text(app))
        await asyncio.sleep(4)
        prom.start()
        await until(lambda: "● prometheus" in screen_text(app), timeout=30)
        await asyncio.sleep(5)  # samples after the return
        journal = await journal_of(app)
        kinds = [e.kind for e in await journal.events("INC-LIVE")]
        assert "system.source.down" in kinds and "system.source.up" in kinds
        html = await exporter.render(journal, "INC-LIVE", "html")
        pm = await gather(journal, "INC-LIVE")
        await pilot.press("q")
    # what was drawn before: Prometheus's lookback fills its own outage, one unbroken line
    (series,) = [s for s in pm.series if s.title == "test value"]
    assert (
        re.findall(r'class="series" d="([^"]*)"', chart(series, window=pm.window))[0].count("M")
        == 1
    )
    svg = next(s for s in re.findall(r"<svg .*?</svg>", html, re.S) if "test value" in s)
    (path,) = re.findall(r'<path class="series" d="([^"]*)"', svg)
    assert path.count("M") >= 2, path  # no line across the outage
    assert 'class="outage"' in svg and "prometheus down" in svg
