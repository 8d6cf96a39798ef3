"""The first Prometheus fetch reaches 30 minutes back (issue 12 item 6): a baseline before
the impact, recorded like every poll; later polls ask for the pane's 15 minutes only, and
the source keeps what it saw for the terminal chart."""

from __future__ import annotations

from typing import Any

from cockpit.config import PrometheusConfig
from cockpit.model import Panel
from cockpit.sources.prometheus import BASELINE_S, PrometheusSource, _Outcome

NOW = 1_795_892_700.0


async def test_first_fetch_is_the_baseline_then_the_window() -> None:
    clock = [NOW]
    src = PrometheusSource(
        PrometheusConfig(url="http://127.0.0.1:9", timeout=1),
        (Panel("5xx rate", "q"),),
        clock=lambda: clock[0],
    )
    asked: list[dict[str, Any]] = []

    async def answer(path: str, params: dict[str, Any]) -> _Outcome:
        asked.append(params)
        start, end, step = float(params["start"]), float(params["end"]), float(params["step"])
        n = round((end - start) / step) + 1
        samples = tuple((start + k * step, 1.0) for k in range(n))
        return _Outcome("ok", series=(({}, samples),))

    src._query_with_retries = answer  # type: ignore[method-assign]
    try:
        first = await src.fetch()
        clock[0] += 60
        second = await src.fetch()
    finally:
        await src.close()
    assert NOW - float(asked[0]["start"]) >= BASELINE_S - float(asked[0]["step"])
    assert NOW + 60 - float(asked[1]["start"]) <= src.window_s
    (s1,) = first.panels or ()
    (s2,) = second.panels or ()
    assert s1.points[-1][0] - s1.points[0][0] >= BASELINE_S - 60
    assert s2.points[-1][0] - s2.points[0][0] <= src.window_s
    history = src.chart_points("5xx rate")
    assert history[0][0] == s1.points[0][0] and history[-1][0] == s2.points[-1][0]
