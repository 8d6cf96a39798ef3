"""Values humanised like Grafana's units: one formatter for pane, chart axis and exports."""

from __future__ import annotations

import pytest

from cockpit.journal.format import fmt_unit


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
    ],
)
def test_values_are_humanised_by_unit(value: float | None, unit: str, shown: str) -> None:
    assert fmt_unit(value, unit) == shown


def test_an_unknown_unit_is_kept_after_the_number() -> None:
    assert fmt_unit(12.0, "widgets") == "12.0 widgets"


def test_not_finite_values_are_not_numbers() -> None:
    assert fmt_unit(float("nan"), "bytes") == "NaN"
    assert fmt_unit(float("inf"), "seconds") == "+Inf"
