"""enter on an alert lays out what it says (issue 12 item 5): summary, description, runbook
URL, generator URL and labels as lines a responder reads, not a raw dump; all inert text."""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from cockpit.screens.detail import DetailScreen, describe_alert

from .harness import demo_app, refresh_sources, selected_item, wait_for, wait_for_text


async def test_enter_on_an_alert_shows_its_annotations_laid_out(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path / "j.sqlite")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("1")
        alert = selected_item(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        text = await wait_for_text(pilot, "runbook:", "description:", "labels:")
        assert f"runbook:      {alert.annotations['runbook_url']}" in text
        assert "annotations: {" not in text  # not the raw struct dump


def test_alert_layout_names_every_part_and_stays_inert() -> None:
    from cockpit.model import Alert

    alert = Alert(
        "fp",
        "HighErrorRate",
        "critical",
        "silenced",
        {"alertname": "HighErrorRate", "service": "checkout"},
        {
            "summary": "5xx above 5%",
            "description": "checkout\x1b[2J returns 5xx",
            "runbook_url": "https://rb/high",
            "dashboard": "https://grafana/d/1",
        },
        "2026-11-28T19:01:00.000Z",
        silenced_by=("s-1",),
        generator_url="http://prom:9090/graph?g0.expr=x",
        silence_ends="2026-11-28T20:01:00.000Z",
    )
    text = describe_alert(alert)
    lines = text.splitlines()
    assert lines[0] == "HighErrorRate  critical  silenced"
    assert "silenced by:  s-1 until 2026-11-28T20:01:00.000Z" in lines
    assert "summary:      5xx above 5%" in lines
    assert "runbook:      https://rb/high" in lines
    assert "source:       http://prom:9090/graph?g0.expr=x" in lines
    assert "dashboard:    https://grafana/d/1" in lines
    assert "  service = checkout" in lines
    # shown through inert(): the escape sequence never reaches the terminal as one
    from cockpit.text import inert

    assert "\x1b" not in inert(text, multiline=True).plain
    assert describe_alert(replace(alert, generator_url="")).count("(not given)") == 1
