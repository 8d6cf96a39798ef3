"""PrometheusSource against a real Prometheus scraping a controlled exporter."""

from __future__ import annotations

import asyncio
import time

import pytest
from servers import Exporter, PrometheusServer, Stack

from cockpit.config import PrometheusConfig
from cockpit.model import Panel, PanelSeries, SystemChange
from cockpit.sources.prometheus import PrometheusSource

pytestmark = pytest.mark.integration

BAD = Panel("bad", "sum(rate(cockpit_test_value[1m])")


async def wait_for_latest(src: PrometheusSource, title: str, value: float) -> PanelSeries:
    deadline = time.monotonic() + 20
    while True:
        snap = await src.fetch()
        series = {s.panel.title: s for s in snap.panels or ()}[title]
        if series.latest == value or time.monotonic() > deadline:
            return series
        await asyncio.sleep(0.3)


async def test_panels_show_the_exported_values_and_bad_promql(stack: Stack) -> None:
    prom = stack.prometheus
    prom.wait_for_value("cockpit_test_value", 3.5)
    panels = (
        Panel("value", "cockpit_test_value", unit="x"),
        Panel("double", "cockpit_test_value * 2"),
        BAD,
        Panel("absent", "cockpit_no_such_metric"),
    )
    src = PrometheusSource(PrometheusConfig(url=prom.url, timeout=5), panels)
    try:
        series = {s.panel.title: s for s in (await src.fetch()).panels or ()}
        assert series["value"].error is None
        assert series["value"].latest == 3.5
        assert series["double"].latest == 7.0
        # Prometheus started seconds ago: the start of the 15-minute window is gaps, not zeros
        values = [v for _, v in series["value"].points]
        assert values[0] is None and 0.0 not in values
        assert series["absent"].error is None and series["absent"].latest is None
        # the parse error in Prometheus's own words
        assert series["bad"].error is not None and "parse error" in series["bad"].error
        assert series["bad"].points == ()

        # the bad panel is not sent again: only the three good ones reach query_range
        before = prom.http_requests("/api/v1/query_range")
        stack.exporter.set(cockpit_test_value=4.25)
        value = await wait_for_latest(src, "value", 4.25)
        assert value.latest == 4.25
        after = prom.http_requests("/api/v1/query_range")
        assert (after - before) % 3 == 0 and after > before
        last = {s.panel.title: s for s in (src.latest or (await src.fetch())).panels or ()}
        assert last["bad"].error == series["bad"].error
    finally:
        stack.exporter.set(cockpit_test_value=3.5)
        await src.close()


async def test_prometheus_stopping_takes_the_source_down_once_and_up_once(
    lone_prometheus: tuple[Exporter, PrometheusServer],
) -> None:
    _exporter, prom = lone_prometheus
    prom.wait_for_value("cockpit_test_value", 1.25)
    src = PrometheusSource(
        PrometheusConfig(url=prom.url, timeout=3), (Panel("value", "cockpit_test_value"),)
    )
    changes: list[SystemChange] = []
    src.subscribe(on_change=changes.append)
    try:
        await src.refresh()
        assert src.health.up is True
        good = src.latest
        assert good is not None and good.panels is not None
        assert good.panels[0].latest == 1.25

        prom.stop()
        for _ in range(3):
            await src.refresh()
        assert src.health.up is False
        assert src.health.error is not None
        assert src.health.error.startswith(f"prometheus unreachable at {prom.url}: ")
        assert src.latest is good  # the last data stays on screen, with its age
        assert src.health.last_ok is not None
        assert [c.kind for c in changes] == ["system.source.down"]
        assert changes[0].data["error"] == src.health.error

        prom.start()
        prom.wait_for_value("cockpit_test_value", 1.25)
        await src.refresh()
        await src.refresh()
        assert src.health.up is True and src.health.error is None
        assert [c.kind for c in changes] == ["system.source.down", "system.source.up"]
    finally:
        await src.close()
