"""The SVG charts: gaps, thresholds, markers, escaping, degenerate data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cockpit.journal.postmortem import Marker, Series
from cockpit.journal.svg import PALETTE, chart, nice_step, time_ticks, value_range

NS = "{http://www.w3.org/2000/svg}"
WINDOW = (1_000_000.0, 1_000_600.0)


def _svg(series: Series, **kw: object) -> ET.Element:
    text = chart(series, window=WINDOW, **kw)  # type: ignore[arg-type]
    return ET.fromstring(text)  # well-formed XML, not just tag soup


def _points(t0: float, values: list[float | None]) -> tuple[tuple[float, float | None], ...]:
    return tuple((t0 + 60 * i, v) for i, v in enumerate(values))


def test_gaps_split_the_line_and_lone_samples_are_dots() -> None:
    series = Series("err", points=_points(WINDOW[0], [1, 2, None, 3, None, None, 4, 5, 6]))
    root = _svg(series, stroke=PALETTE[2])
    (line,) = [p for p in root.iter(f"{NS}path") if p.get("class") == "series"]
    assert line.get("d", "").count("M") == 2  # one move per run: the gap is not bridged
    assert line.get("stroke") == PALETTE[2]
    dots = list(root.iter(f"{NS}circle"))
    assert len(dots) == 6  # sparse data: every sample marked, the lone 3 included


def test_thresholds_are_in_range_and_labelled() -> None:
    series = Series("err", "req/s", warn=1.0, crit=50.0, points=_points(WINDOW[0], [0.2, 0.4]))
    lo, hi = value_range(series)
    assert lo == 0 and hi >= 50
    root = _svg(series)
    classes = [line.get("class") for line in root.iter(f"{NS}line")]
    assert "threshold warn" in classes and "threshold crit" in classes


def test_markers_inside_the_window_only_with_escaped_labels() -> None:
    markers = [
        Marker(WINDOW[0] + 60, "deploy", "deploy <b>x</b> & y"),
        Marker(WINDOW[0] + 120, "action", "note: </svg><script>", number=3),
        Marker(WINDOW[1] + 999, "action", "later", number=4),
    ]
    text = chart(Series("e", points=_points(WINDOW[0], [1, 2])), window=WINDOW, markers=markers)
    root = ET.fromstring(text)
    found = [m for m in root.iter(f"{NS}line") if (m.get("class") or "").startswith("marker")]
    assert [m.get("class") for m in found] == ["marker deploy", "marker action"]
    titles = [t.text for m in found for t in m.iter(f"{NS}title")]
    assert titles == ["deploy <b>x</b> & y", "note: </svg><script>"]
    assert "<script>" not in text and "&lt;/svg&gt;" in text


def test_no_data_and_flat_data() -> None:
    empty = _svg(Series("e", points=_points(WINDOW[0], [None, None])))
    assert not [p for p in empty.iter(f"{NS}path") if p.get("class") == "series"]
    assert any(t.text == "no data in this window" for t in empty.iter(f"{NS}text"))
    flat = Series("f", points=_points(WINDOW[0], [0, 0, 0]))
    assert value_range(flat) == (0.0, 1.0)
    negative = Series("n", points=_points(WINDOW[0], [-5, -3]))
    lo, hi = value_range(negative)
    assert lo <= -5 and hi >= 0
    _svg(negative)


def test_title_is_escaped() -> None:
    text = chart(Series('a"<b>', unit="&"), window=WINDOW)
    assert 'aria-label="a&quot;&lt;b&gt; (&amp;)"' in text
    ET.fromstring(text)


def test_axis_helpers() -> None:
    assert nice_step(10) == 5 and nice_step(0.7) == 0.2 and nice_step(0) == 1.0
    ticks = time_ticks(0, 3600)
    assert 2 <= len(ticks) <= 7 and all(t % 600 == 0 for t in ticks)
    labels = re.findall(r">(\d\d:\d\d)<", chart(Series("x"), window=(0, 3600)))
    assert labels[0] == "00:00" and labels[-1] == "01:00"
