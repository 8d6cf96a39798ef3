"""Metric values humanised by unit, as Grafana does: `77.3 GiB`, `250 ms`, `95.1%`, `1.23k req/s`.

One formatter for every place a panel value is shown: the metrics pane, the chart's axis,
the exports' charts and tables, pinned evidence. It lives here, beside the model and
with no imports, because the panes may import only model-level modules;
`cockpit.journal.format` re-exports it for the exports.
"""

from __future__ import annotations

import math

_IEC = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
_SI = ("", "k", "M", "G", "T", "P")
# seconds -> the largest unit that keeps the number >= 1
_TIME = ((86400.0, "d"), (3600.0, "h"), (60.0, "min"), (1.0, "s"), (1e-3, "ms"), (1e-6, "µs"))
_ALIASES = {
    "byte": "bytes",
    "b": "bytes",
    "bytes/sec": "bytes/s",
    "b/s": "bytes/s",
    "sec": "seconds",
    "second": "seconds",
    "s": "seconds",
    "millisecond": "ms",
    "milliseconds": "ms",
    "%": "percent",
    "percentunit": "ratio",
    "short": "",
}
# units that are a scale of another: the value is converted, then humanised as that one
_SCALED = {
    "kib": ("bytes", 2.0**10),
    "mib": ("bytes", 2.0**20),
    "gib": ("bytes", 2.0**30),
    "tib": ("bytes", 2.0**40),
    "ns": ("seconds", 1e-9),
    "us": ("seconds", 1e-6),
    "µs": ("seconds", 1e-6),
    "min": ("seconds", 60.0),
    "h": ("seconds", 3600.0),
}


def canonical_unit(unit: str) -> str:
    """The unit a config spelling stands for (`B` -> `bytes`, `%` -> `percent`)."""
    key = unit.strip()
    return _ALIASES.get(key.lower(), key)


def _number(value: float) -> str:
    """Three significant figures, so a changing value keeps its width."""
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _scaled(value: float, base: float, prefixes: tuple[str, ...]) -> tuple[str, str]:
    index = 0
    while abs(value) >= base and index < len(prefixes) - 1:
        value /= base
        index += 1
    # 1023.7 rounds to "1024": show it as the next prefix instead
    if abs(round(value)) >= base and index < len(prefixes) - 1:
        value /= base
        index += 1
    return _number(value), prefixes[index]


def _duration(seconds: float) -> str:
    size = abs(seconds)
    if size == 0:
        return "0 s"
    for scale, name in _TIME:
        if size >= scale * 0.9995:  # 59.99 s shows as 1.00 min, not 60.0 s
            return f"{_number(seconds / scale)} {name}"
    return f"{_number(seconds / 1e-6)} µs"


def fmt_unit(value: float | None, unit: str = "") -> str:
    """`value` as a person reads it in `unit`; 'no data' when there is none."""
    if value is None:
        return "no data"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    kind = canonical_unit(unit)
    scaled = _SCALED.get(kind.lower())
    if scaled is not None:
        kind, factor = scaled
        value *= factor
    if kind in ("bytes", "bytes/s"):
        number, prefix = _scaled(value, 1024.0, _IEC)
        return f"{number} {prefix}" + ("/s" if kind == "bytes/s" else "")
    if kind == "seconds":
        return _duration(value)
    if kind == "ms":
        return _duration(value / 1000.0)
    if kind == "percent":
        return f"{_number(value)}%"
    if kind == "ratio":
        return f"{_number(value * 100.0)}%"
    number, prefix = _scaled(value, 1000.0, _SI)
    return f"{number}{prefix} {kind}".rstrip()


# -- axes: a unit's own round numbers (2 GiB, 4 GiB; 5 min, 10 min), not 1.86 GiB, 3.73 GiB --


def nice_step(span: float, count: int = 4) -> float:
    """A 1/2/5 x 10^k step giving about `count` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


_TIME_SCALES = (86400.0, 3600.0, 60.0, 1.0, 1e-3, 1e-6)


def unit_step(span: float, unit: str, count: int = 4) -> float:
    """nice_step in the unit's own scale: powers of 1024 for bytes, s/min/h/d for seconds."""
    kind = canonical_unit(unit)
    if span <= 0 or kind not in ("bytes", "bytes/s", "seconds", "ms"):
        return nice_step(span, count)
    raw = span / count
    if kind in ("bytes", "bytes/s"):
        base = 1024.0 ** max(0, int(math.log(raw, 1024)))
    else:
        per = 1e-3 if kind == "ms" else 1.0  # ms values: seconds are 1000 of them
        base = next((s for s in _TIME_SCALES if raw * per >= s), 1e-6) / per
    return nice_step(span / base, count) * base


def axis_ticks(low: float, high: float, unit: str = "", count: int = 4) -> list[float]:
    """Round values within [low, high], for an axis labelled in `unit`; the ends when no
    round value falls inside."""
    if high <= low:
        return [low]
    step = unit_step(high - low, unit, count)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    # 12 significant digits: 3.15, not 3.1500000000000004
    ticks = [float(f"{k * step:.12g}") for k in range(first, last + 1)]
    return ticks if len(ticks) >= 2 else [low, high]
