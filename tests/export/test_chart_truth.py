"""Charts that do not lie (issue 12 item 6): no line across a Prometheus outage (the path
moves instead of drawing) and the outage shaded; a 30-minute baseline before the impact;
action markers numbered, clustered ones sharing one label, spelled out in a legend table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cockpit.journal.export_html import render_html
from cockpit.journal.gaps import Outage, outages, runs
from cockpit.journal.postmortem import BASELINE_S, Marker, Series, build, decode_panels
from cockpit.journal.store import Journal
from cockpit.journal.svg import chart
from cockpit.model import Draft, format_ts

NS = "{http://www.w3.org/2000/svg}"
T0 = 1_795_892_700.0  # 2026-11-28T19:05:00Z
INC = "INC-20261128-1905"


def at(epoch: float) -> str:
    from datetime import UTC, datetime

    return format_ts(datetime.fromtimestamp(epoch, UTC))


def steady(start: float, end: float, step: float = 15.0) -> tuple[tuple[float, float], ...]:
    """What Prometheus returns after it came back: lookback repeats the last value across
    its own outage, so the samples are there and flat."""
    n = int((end - start) // step) + 1
    return tuple((start + k * step, 2.0) for k in range(n))


def series_path(svg: str) -> str:
    root = ET.fromstring(svg)
    (path,) = [p for p in root.iter(f"{NS}path") if p.get("class") == "series"]
    return path.get("d", "")


def test_the_line_breaks_over_an_outage_and_the_outage_is_shaded() -> None:
    down = Outage("prometheus", T0 + 300, T0 + 480, "connection refused")
    series = Series("5xx rate", "req/s", points=steady(T0, T0 + 900))
    svg = chart(series, window=(T0, T0 + 900), outages=[down])
    d = series_path(svg)
    assert d.count("M") == 2  # one run before, one after: nothing drawn across
    rects = [r for r in ET.fromstring(svg).iter(f"{NS}rect") if r.get("class") == "outage"]
    assert len(rects) == 1
    title = next(rects[0].iter(f"{NS}title")).text or ""
    assert title.startswith("prometheus down 19:10:00–19:13:00")
    assert "connection refused" in title
    # no sample taken inside the outage is part of the line
    xs = [float(p.split(",")[0]) for p in re.findall(r"[\d.]+,[\d.]+", d)]
    x0, x1 = (
        float(rects[0].get("x") or 0),
        float(rects[0].get("x") or 0) + float(rects[0].get("width") or 0),
    )
    assert not [x for x in xs if x0 < x < x1]
    # without the outage, the same samples are one unbroken line (the lie of before)
    assert series_path(chart(series, window=(T0, T0 + 900))).count("M") == 1


def test_samples_missing_for_long_break_the_line_too() -> None:
    points = (*steady(T0, T0 + 150), *steady(T0 + 600, T0 + 900))
    assert len(runs(points)) == 2


def test_outages_are_read_from_the_journal_for_metric_sources_only() -> None:
    from cockpit.model import Event

    def ev(kind: str, actor: str, when: float, **data: str) -> Event:
        return Event(0, f"id{when}", INC, 0, at(when), actor, kind, 1, data, {}, "", "")

    found = outages(
        [
            ev("system.source.down", "prometheus", T0, source="prometheus", error="refused"),
            ev("system.source.down", "kubernetes", T0 + 10, source="kubernetes"),
            ev("system.source.up", "prometheus", T0 + 60, source="prometheus"),
            ev("system.source.down", "prometheus", T0 + 120, source="prometheus"),
        ]
    )
    assert found == [
        Outage("prometheus", T0, T0 + 60, "refused"),
        Outage("prometheus", T0 + 120, None, ""),
    ]


def test_clustered_actions_share_one_numbered_label() -> None:
    markers = [
        Marker(T0 + 100 + k, "action", f"19:06:4{k} {what}", number=k + 1)
        for k, what in enumerate(("acknowledged", "silenced", "pinned"))
    ]
    markers.append(Marker(T0 + 700, "action", "19:16:40 note", number=4))
    svg = chart(Series("e", points=steady(T0, T0 + 900)), window=(T0, T0 + 900), markers=markers)
    labels = [
        t.text
        for t in ET.fromstring(svg).iter(f"{NS}text")
        if (t.get("class") or "") == "marker-label action"
    ]
    assert labels == ["1–3", "4"]
    assert "acksilpinned" not in svg


async def test_export_has_baseline_gap_shading_and_marker_legend(tmp_path: Path) -> None:
    """An incident exported to html: the Prometheus outage journaled by the cockpit leaves
    a break in the path, the chart opens 30 min before the impact, the legend table names
    each numbered action with its time and actor."""
    import json
    import zlib

    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        firing = {"alert": "HighErrorRate", "severity": "critical", "starts_at": at(T0)}
        rows = [
            ("session.started", "alice", {"mode": "live"}, T0 + 60),
            ("system.alert.firing", "alertmanager", firing, T0 + 61),
            ("alert.acknowledged", "alice", {"alert": "HighErrorRate"}, T0 + 120),
            ("note.added", "bob", {"type": "note", "text": "looking"}, T0 + 121),
            ("system.source.down", "prometheus", {"source": "prometheus", "error": "x"}, T0 + 300),
            ("system.source.up", "prometheus", {"source": "prometheus"}, T0 + 480),
            ("status.changed", "alice", {"status": "resolved"}, T0 + 900),
        ]
        for kind, actor, data, when in rows:
            await journal.append(Draft(INC, kind, actor, data, {}, ts=at(when)))
        # the baseline fetched at start (30 min back) and the polls after, as recorded
        body = {
            "panels": [
                {
                    "title": "5xx rate",
                    "unit": "req/s",
                    "warn": 1.0,
                    "crit": 5.0,
                    "points": [list(p) for p in steady(T0 - BASELINE_S, T0 + 900)],
                }
            ]
        }
        events = await journal.events(INC)
    pm = build(events, panels=decode_panels(zlib.compress(json.dumps(body).encode())))
    assert pm.window[0] == T0 - BASELINE_S  # the impact (startsAt) minus 30 min
    html = render_html(pm)
    svg = re.search(r"<svg .*?</svg>", html, re.S)
    assert svg is not None
    assert series_path(svg.group(0)).count("M") == 2
    assert 'class="outage"' in svg.group(0)
    legend = html.split('<table class="markers">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", legend)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    assert [c[:3] for c in cells] == [
        ["1", "19:07:00", "alice"],
        ["2", "19:07:01", "bob"],
        ["3", "19:20:00", "alice"],
    ]
    assert "acknowledged alert HighErrorRate" in cells[0][3]
