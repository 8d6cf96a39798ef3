"""Panels against a real Prometheus: several series, no series, bad PromQL (issue 11 5, 8)."""

from __future__ import annotations

import pytest
from servers import Stack

from cockpit.config import PrometheusConfig
from cockpit.model import Panel
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
