"""Values humanised like Grafana's units: one formatter for pane, chart axis and exports."""

from __future__ import annotations

import pytest

from cockpit.journal.format import fmt_unit
from cockpit.units import axis_ticks


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (82_638_155_776, "bytes", "77.0 GiB"),
        (83_000_000_000, "bytes", "77.3 GiB"),
        (512, "bytes", "512 B"),
        (1536, "bytes", "1.50 KiB"),
        (3 * 2**40, "bytes", "3.00 TiB"),
        (12_500_000, "bytes/s", "11.9 MiB/s"),
        (0.0042, "seconds", "4.20 ms"),
        (0.250, "s", "250 ms"),
        (1.5, "seconds", "1.50 s"),
        (125, "seconds", "2.08 min"),
        (7200, "seconds", "2.00 h"),
        (3 * 86400, "seconds", "3.00 d"),
        (0.000_012, "seconds", "12.0 µs"),
        (250, "ms", "250 ms"),
        (1500, "ms", "1.50 s"),
        (99.5, "percent", "99.5%"),
        (0.9512, "ratio", "95.1%"),
        (1, "ratio", "100%"),
        (1234.5, "req/s", "1.23k req/s"),
        (7.2, "req/s", "7.20 req/s"),
        (3.25, "cores", "3.25 cores"),
        (2_500_000, "", "2.50M"),
        (0, "bytes", "0 B"),
        (-2048, "bytes", "-2.00 KiB"),
        (42, "", "42.0"),
        (None, "bytes", "no data"),
        # a query that already divided: the unit names the scale, shown humanised from there
        (301, "MiB", "301 MiB"),
        (1200, "MiB", "1.17 GiB"),
        (250, "us", "250 µs"),
        (90, "min", "1.50 h"),
    ],
)
def test_values_are_humanised_by_unit(value: float | None, unit: str, shown: str) -> None:
    assert fmt_unit(value, unit) == shown


def test_an_unknown_unit_is_kept_after_the_number() -> None:
    assert fmt_unit(12.0, "widgets") == "12.0 widgets"


def test_not_finite_values_are_not_numbers() -> None:
    assert fmt_unit(float("nan"), "bytes") == "NaN"
    assert fmt_unit(float("inf"), "seconds") == "+Inf"


def test_axis_ticks_are_round_in_the_unit() -> None:
    assert axis_ticks(5e9, 83e9, "bytes") == [20 * 2**30, 40 * 2**30, 60 * 2**30]
    assert axis_ticks(0.12, 1.0, "seconds") == [0.5, 1.0]
    assert axis_ticks(30, 500, "seconds") == [120.0, 240.0, 360.0, 480.0]  # 2 min steps
    assert axis_ticks(0, 10) == [0.0, 5.0, 10.0]
    assert axis_ticks(3.1, 3.2) == [3.1, 3.15, 3.2]
    assert axis_ticks(5.0, 5.0) == [5.0]
