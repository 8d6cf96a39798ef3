"""Prometheus answers -> panels: several series, no series, and a refused query."""

from __future__ import annotations

import json

from cockpit.model import Panel
from cockpit.sources.prometheus import classify_response, panel_series

START, STEP, COUNT = 1_800_000_000.0, 15.0, 3


def answer(*series: tuple[dict[str, str], list[float | None]]) -> bytes:
    result = [
        {
            "metric": labels,
            "values": [[START + i * STEP, str(v)] for i, v in enumerate(values) if v is not None],
        }
        for labels, values in series
    ]
    return json.dumps(
        {"status": "success", "data": {"resultType": "matrix", "result": result}}
    ).encode()


def view(panel: Panel, body: bytes, status: int = 200):  # type: ignore[no-untyped-def]
    outcome = classify_response(status, "application/json", body)
    return panel_series(panel, outcome, START, STEP, COUNT)


def test_two_series_keep_their_labels_count_and_worst_value() -> None:
    body = answer(
        ({"__name__": "free", "disk": "a"}, [9.0, 8.0, 7.0]),
        ({"__name__": "free", "disk": "b"}, [3.0, None, 2.0]),
    )
    shown = view(Panel("free", "free", direction="below"), body)
    assert shown.series_count == 2
    assert shown.latest == 2.0  # the worst: lower is worse
    assert [v for _, v in shown.points] == [3.0, 8.0, 2.0]  # b's gap: a is the only value
    assert [s.labels["disk"] for s in shown.series] == ["b", "a"]
    assert shown.series[0].points[1] == (START + STEP, None)  # each series on the step grid
    assert shown.series[0].label_text == 'free{disk="b"}'


def test_reduce_sum_adds_the_series() -> None:
    body = answer(({"i": "1"}, [1.0, 1.0, 1.0]), ({"i": "2"}, [2.0, 2.0, 4.0]))
    assert view(Panel("p", "q", reduce="sum"), body).latest == 5.0
    assert view(Panel("p", "q"), body).latest == 4.0  # default: the highest, above is worse


def test_no_series_is_not_a_value_nor_an_error() -> None:
    shown = view(Panel("p", "absent_metric"), answer())
    assert shown.series_count == 0 and shown.no_series
    assert shown.error is None and shown.latest is None and shown.level() == "unknown"


def test_refused_query_is_a_query_error() -> None:
    body = json.dumps(
        {"status": "error", "errorType": "bad_data", "error": "1:5: parse error: unexpected"}
    ).encode()
    shown = view(Panel("p", "sum("), body, status=400)
    assert shown.query_error and shown.error == "1:5: parse error: unexpected"
    assert not shown.no_series
