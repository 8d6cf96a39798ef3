"""md and html exports of silences and alerts (issue 12 items 3 and 5): a silenced alert is
listed as silenced, never under "firing:"; silence ids, matchers, comment and end are in both
exports; each alert's summary, description, runbook and generator URL are laid out, inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.journal.export_html import render_html
from cockpit.journal.export_md import render_markdown
from cockpit.journal.format import md_text
from cockpit.journal.postmortem import build
from cockpit.journal.store import Journal
from cockpit.model import Draft

INC = "INC-20261128-1905"
SID = "6091dd6d-3635-4b22-9ecf-e52877e85ca3"
EVIL = "<script>alert(1)</script> | `x`"


def ts(clock: str) -> str:
    return f"2026-11-28T{clock}.000Z"


def seen(*alerts: tuple[str, str]) -> dict:  # type: ignore[type-arg]
    return {"firing": [{"alert": a, "severity": "critical", "state": s} for a, s in alerts]}


async def scripted(path: Path) -> list:  # type: ignore[type-arg]
    firing = {
        "alert": "HighErrorRate",
        "severity": "critical",
        "labels": {"alertname": "HighErrorRate", "service": "checkout"},
        "summary": "5xx above 5%",
        "starts_at": ts("19:01:00"),
        "annotations": {
            "description": f"checkout returns 5xx {EVIL}",
            "runbook_url": "https://runbooks.example/high-error-rate",
            "dashboard": "https://grafana.example/d/checkout",
        },
        "generator_url": "http://prometheus:9090/graph?g0.expr=rate%28x%29",
    }
    rows = [
        ("system.alert.firing", "alertmanager", firing, {}, "19:01:05"),
        (
            "incident.declared",
            "alice",
            {"title": "checkout 5xx"},
            seen(("HighErrorRate", "firing")),
            "19:02:00",
        ),
        (
            "alert.silence.failed",
            "alice",
            {
                "alert": "HighErrorRate",
                "action": "create",
                "error": "alertmanager unreachable at http://am:9093",
            },
            seen(("HighErrorRate", "firing")),
            "19:03:00",
        ),
        (
            "alert.silenced",
            "alice",
            {
                "alert": "HighErrorRate",
                "fingerprint": "fp1",
                "duration": "1h",
                "silence_id": SID,
                "matchers": {"alertname": "HighErrorRate", "service": "checkout"},
                "comment": "INC-20261128-1905 alice via cockpit: rollback running",
                "ends_at": ts("20:04:00"),
            },
            seen(("HighErrorRate", "silenced"), ("LatencyHigh", "firing")),
            "19:04:00",
        ),
        (
            "note.added",
            "bob",
            {"type": "note", "text": "watching latency"},
            seen(("HighErrorRate", "silenced"), ("LatencyHigh", "firing")),
            "19:05:00",
        ),
        (
            "alert.silence.extended",
            "bob",
            {
                "silence_id": SID,
                "alert": "HighErrorRate",
                "duration": "30m",
                "ends_at": ts("20:34:00"),
            },
            seen(("HighErrorRate", "silenced")),
            "19:06:00",
        ),
    ]
    async with await Journal.open(path) as journal:
        for kind, actor, data, context, clock in rows:
            await journal.append(Draft(INC, kind, actor, data, context, ts=ts(clock)))
        return await journal.events(INC)


@pytest.fixture
async def pm(tmp_path: Path):  # type: ignore[no-untyped-def]
    return build(await scripted(tmp_path / "j.sqlite"))


def md_row(md: str, needle: str) -> str:
    return next(line for line in md.splitlines() if needle in line)


async def test_markdown_lists_silenced_alerts_as_silenced(pm) -> None:  # type: ignore[no-untyped-def]
    md = render_markdown(pm)
    row = md_row(md, "watching latency")
    assert md_text("firing: LatencyHigh (critical); silenced: HighErrorRate (critical)") in row
    assert "firing: HighErrorRate" not in row
    only_silenced = md_row(md, "extended silence")
    assert "no alert firing" in only_silenced and "silenced: HighErrorRate" in only_silenced


async def test_markdown_has_the_silences_and_the_alerts(pm) -> None:  # type: ignore[no-untyped-def]
    md = render_markdown(pm)
    section = md.split("## Silences", 1)[1].split("\n## ", 1)[0]
    row = md_row(section, SID)
    assert 'alertname="HighErrorRate" service="checkout"' in row
    assert "INC-20261128-1905 alice via cockpit: rollback running" in row
    assert md_text("until 20:34:00 (extended 1x)") in row
    failed = md_row(section, "failed:")
    assert "alertmanager unreachable at http://am:9093" in failed
    alerts = md.split("## Alerts", 1)[1].split("\n## ", 1)[0]
    assert "summary: 5xx above 5%" in alerts
    assert "runbook: https://runbooks.example/high-error-rate" in alerts
    assert "dashboard: https://grafana.example/d/checkout" in alerts
    assert "source: http://prometheus:9090/graph?g0.expr=rate%28x%29" in alerts
    assert "<script>" not in md


async def test_html_lists_silenced_alerts_and_silences(pm) -> None:  # type: ignore[no-untyped-def]
    html = render_html(pm)
    timeline = html.split('<section id="timeline">', 1)[1]
    row = next(r for r in timeline.split("<tr") if "watching latency" in r)
    assert "firing: <span" in row and "LatencyHigh" in row.split("silenced:")[0]
    assert "HighErrorRate" not in row.split("silenced:")[0]
    assert 'class="silenced">silenced: <span class="alert critical silenced">HighErrorRate' in row
    silences = html.split('<section id="silences">', 1)[1].split("</section>", 1)[0]
    assert SID in silences and "until 20:34:00 (extended 1x)" in silences
    assert "alertname=&quot;HighErrorRate&quot; service=&quot;checkout&quot;" in silences
    assert "rollback running" in silences and "alertmanager unreachable" in silences
    alerts = html.split('<section id="alerts">', 1)[1].split("</section>", 1)[0]
    assert "https://runbooks.example/high-error-rate" in alerts and "<a " not in alerts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in alerts and "<script>" not in html
