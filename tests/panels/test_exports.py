"""Units and directions in the exports (issue 11 items 6, 7): svg axes and md evidence."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

from cockpit.journal import export as exporter
from cockpit.journal.postmortem import Series, decode_panels
from cockpit.journal.store import Journal
from cockpit.journal.svg import chart
from cockpit.model import Draft, Panel, PanelSeries, SeriesLine, Snapshot
from cockpit.observations import ObservationRecorder

NS = "{http://www.w3.org/2000/svg}"
T0 = 1_795_892_700.0
WINDOW = (T0, T0 + 600)
INC = "INC-20261128-1905"


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_svg_axis_and_thresholds_humanised_with_direction() -> None:
    series = Series(
        "free disk",
        "bytes",
        warn=20e9,
        crit=10e9,
        points=((T0, 83e9), (T0 + 60, 5e9)),
        direction="below",
    )
    labels = texts(chart(series, window=WINDOW))
    assert any(label.endswith("GiB") for label in labels)
    assert not any(re.fullmatch(r"[\d,.]+", label) and len(label) > 6 for label in labels)
    assert "crit ≤ 9.31 GiB" in labels and "warn ≤ 18.6 GiB" in labels


def test_svg_seconds_axis() -> None:
    series = Series("p99", "seconds", warn=0.5, points=((T0, 0.12), (T0 + 60, 0.9)))
    labels = texts(chart(series, window=WINDOW))
    assert "warn ≥ 500 ms" in labels
    assert any(label.endswith(" ms") for label in labels)


async def test_observations_keep_direction_and_count(tmp_path: Path) -> None:
    panel = Panel("free", "q", "bytes", 20e9, 10e9, "below")
    lines = (SeriesLine({"i": "a"}, ((T0, 5e9),)), SeriesLine({"i": "b"}, ((T0, 9e9),)))
    snap = Snapshot("prometheus", T0, panels=(PanelSeries.of_lines(panel, lines),))
    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        await journal.append_many([Draft(INC, "session.started", "alice", {"mode": "live"})])
        recorder = ObservationRecorder(journal, INC)
        await recorder.record(snap)
        (row,) = await journal.observations(INC, kinds=("panels",))
    (series,) = decode_panels(row[5])
    assert (series.unit, series.direction, series.crit) == ("bytes", "below", 10e9)
    (entry,) = json.loads(zlib.decompress(row[5]))["panels"]
    assert entry["series_count"] == 2


async def test_md_evidence_values_are_humanised(tmp_path: Path) -> None:
    context = {
        "firing": [],
        "metrics": {"free disk": 5e9, "p99": 0.25, "5xx rate": 7.2},
        "units": {"free disk": "bytes", "p99": "seconds", "5xx rate": "req/s"},
    }
    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        await journal.append_many(
            [
                Draft(INC, "incident.declared", "alice", {"title": "disk"}, context),
                Draft(INC, "note.added", "alice", {"type": "note", "text": "x"}, context),
            ]
        )
        md = await exporter.render(journal, INC, "md")
    assert "free disk 4.66 GiB" in md and "p99 250 ms" in md and "5xx rate 7.20 req/s" in md


def test_svg_byte_axis_steps_are_round_in_binary_units() -> None:
    series = Series("mem", "bytes", points=((T0, 3 * 2**30), (T0 + 60, 7.5 * 2**30)))
    labels = texts(chart(series, window=WINDOW))
    assert {"0 B", "2.00 GiB", "4.00 GiB", "6.00 GiB", "8.00 GiB"} <= set(labels), labels


def test_svg_seconds_axis_steps_are_round_minutes() -> None:
    series = Series("age", "seconds", points=((T0, 30.0), (T0 + 60, 500.0)))
    labels = texts(chart(series, window=WINDOW))
    assert {"0 s", "5.00 min", "10.0 min"} <= set(labels), labels
