"""Thresholds in both directions (issue 11 item 6): config, level, reduce of several series."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, load_config
from cockpit.model import Panel, PanelSeries, SeriesLine


def load_panels(tmp_path: Path, text: str) -> tuple[Panel, ...]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, env={}).panels


def config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    return str(info.value).replace(str(path), "config.toml")


def test_warn_above_crit_means_lower_is_worse(tmp_path: Path) -> None:
    (panel,) = load_panels(
        tmp_path, '[[panels]]\ntitle = "success"\nquery = "x"\nwarn = 0.99\ncrit = 0.95\n'
    )
    assert panel.direction == "below"
    assert (panel.warn, panel.crit) == (0.99, 0.95)


def test_explicit_direction_below_with_one_threshold(tmp_path: Path) -> None:
    (panel,) = load_panels(
        tmp_path,
        '[[panels]]\nquery = "node_memory_MemAvailable_bytes"\n'
        'direction = "below"\ncrit = 1e9\nunit = "bytes"\n',
    )
    assert (panel.direction, panel.crit, panel.unit) == ("below", 1e9, "bytes")


def test_default_direction_is_above(tmp_path: Path) -> None:
    (panel,) = load_panels(tmp_path, '[[panels]]\nquery = "x"\nwarn = 1\ncrit = 5\n')
    assert panel.direction == "above"
    assert panel.reduce == ""


def test_direction_contradicting_the_thresholds_is_one_line(tmp_path: Path) -> None:
    message = config_error(
        tmp_path, '[[panels]]\nquery = "x"\ndirection = "above"\nwarn = 5\ncrit = 1\n'
    )
    assert message == (
        'config.toml:4: panels[0].warn (5) is above crit (1) but direction is "above"'
        ' (for direction = "above" (higher is worse) warn must be <= crit; swap them,'
        ' or write direction = "below")'
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('direction = "down"', 'panels[0].direction must be "above" or "below" (got \'down\')'),
        ('reduce = "median"', "panels[0].reduce must be one of sum, max, min, avg (got 'median')"),
        ("unit = 3", "panels[0].unit must be a string (got 3)"),
    ],
)
def test_bad_panel_settings(tmp_path: Path, line: str, expected: str) -> None:
    message = config_error(tmp_path, f'[[panels]]\nquery = "x"\n{line}\n')
    assert message.startswith(f"config.toml:3: {expected}")
    assert "\n" not in message


def test_reduce_is_read(tmp_path: Path) -> None:
    (panel,) = load_panels(tmp_path, '[[panels]]\nquery = "x"\nreduce = "sum"\n')
    assert panel.reduce == "sum"


def series(panel: Panel, value: float) -> PanelSeries:
    return PanelSeries(panel, points=((0.0, value),))


@pytest.mark.parametrize(
    ("value", "level"),
    [(0.999, "ok"), (0.99, "warn"), (0.97, "warn"), (0.95, "crit"), (0.5, "crit")],
)
def test_lower_is_worse_levels(value: float, level: str) -> None:
    panel = Panel("success", "x", warn=0.99, crit=0.95, direction="below")
    assert series(panel, value).level() == level


@pytest.mark.parametrize(("value", "level"), [(0.5, "ok"), (1.0, "warn"), (5.0, "crit")])
def test_higher_is_worse_levels(value: float, level: str) -> None:
    panel = Panel("5xx", "x", warn=1.0, crit=5.0)
    assert series(panel, value).level() == level


def lines(*values: tuple[float, float]) -> tuple[SeriesLine, ...]:
    return tuple(
        SeriesLine({"instance": f"n{i}"}, ((0.0, a), (15.0, b))) for i, (a, b) in enumerate(values)
    )


@pytest.mark.parametrize(
    ("direction", "reduce", "expected"),
    [
        ("above", "", (3.0, 9.0)),  # the worst at each step: the highest
        ("below", "", (1.0, 2.0)),  # lower is worse: the lowest
        ("above", "sum", (4.0, 11.0)),
        ("above", "min", (1.0, 2.0)),
        ("below", "max", (3.0, 9.0)),
        ("above", "avg", (2.0, 5.5)),
    ],
)
def test_reduce_several_series(direction: str, reduce: str, expected: tuple[float, float]) -> None:
    panel = Panel("p", "x", direction=direction, reduce=reduce)
    reduced = PanelSeries.of_lines(panel, lines((1.0, 9.0), (3.0, 2.0)))
    assert tuple(v for _, v in reduced.points) == expected
    assert reduced.series_count == 2


def test_worst_series_first_and_gaps_are_not_zero() -> None:
    panel = Panel("free", "x", direction="below")
    data = (
        SeriesLine({"i": "a"}, ((0.0, 5.0), (15.0, None))),
        SeriesLine({"i": "b"}, ((0.0, 7.0), (15.0, 6.0))),
    )
    reduced = PanelSeries.of_lines(panel, data)
    assert reduced.points == ((0.0, 5.0), (15.0, 6.0))
    # worst (lowest latest value) first
    assert [s.labels["i"] for s in reduced.series] == ["a", "b"]
