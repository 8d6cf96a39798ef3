"""Silences as amtool and the Alertmanager UI make them (issue 12, item 3), on the demo world:
the prompt's comment and matchers, a dropped label, extend instead of a duplicate, expire, and
no Alertmanager said before any duration is asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, SelectionList

from cockpit.screens.silence_prompt import SilencePrompt

from .harness import (
    demo_app,
    journal_rows,
    open_prompt,
    refresh_sources,
    wait_for,
    wait_for_row,
    wait_for_text,
)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


def silence_prompt(app):  # type: ignore[no-untyped-def]
    prompt = open_prompt(app)
    return prompt if isinstance(prompt, SilencePrompt) else None


def world_silences(app):  # type: ignore[no-untyped-def]
    demo = next(s for s in app.session.sources if s.name == "alertmanager")
    return demo.world._silences


async def test_silence_prompt_has_comment_and_matchers_and_drops_a_label(
    journal_path: Path,
) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "x")
        prompt = await wait_for(pilot, lambda: silence_prompt(app))
        comment = prompt.query_one("#comment", Input).value
        assert comment == "INC-20261128-1905 alice via cockpit"
        matchers = prompt.query_one("#matchers", SelectionList)
        names = [matchers.get_option_at_index(i).value for i in range(matchers.option_count)]
        alert = prompt.alert
        assert names == sorted(alert.labels)  # every label, exact, all kept by default
        assert set(matchers.selected) == set(alert.labels)
        await wait_for_text(pilot, 'alertname="HighErrorRate"', "Silence HighErrorRate")
        # drop the first label that is not alertname (space on it), change the duration
        dropped = next(n for n in names if n != "alertname")
        await pilot.press("tab", "tab")  # duration -> comment -> matchers
        assert app.focused is matchers
        for _ in range(names.index(dropped)):
            await pilot.press("down")
        await pilot.press("space")
        await pilot.press("shift+tab", "end", "space", "b", "e", "c", "a", "u", "s", "e")
        await pilot.press("shift+tab")
        assert app.focused is prompt.query_one("#duration", Input)
        prompt.query_one("#duration", Input).value = "45m"
        await pilot.press("enter")
        silenced = await wait_for_row(pilot, "alert.silenced")
    data = silenced.data
    assert data["alert"] == "HighErrorRate" and data["duration"] == "45m"
    assert data["comment"] == "INC-20261128-1905 alice via cockpit because"
    assert dropped not in data["matchers"]
    assert data["matchers"] == {k: v for k, v in alert.labels.items() if k != dropped}
    assert data["ends_at"] and data["fingerprint"] == alert.fingerprint
    stored = world_silences(app)[data["silence_id"]]
    assert stored.matchers == data["matchers"] and stored.comment == data["comment"]
    # the evidence of the action that silenced it shows it silenced, not firing
    states = {i["alert"]: i["state"] for i in silenced.context["firing"]}
    assert states["HighErrorRate"] == "silenced"


async def test_a_bad_duration_keeps_the_prompt_open_with_the_reason(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "x")
        prompt = await wait_for(pilot, lambda: silence_prompt(app))
        prompt.query_one("#duration", Input).value = "forever"
        await pilot.press("enter")
        await wait_for_text(pilot, "not understood")
        assert open_prompt(app) is prompt
        assert prompt.query_one("#comment", Input).value.startswith("INC-")
        assert not [e for e in await journal_rows(app) if e.kind == "alert.silenced"]


async def test_silencing_a_silenced_alert_offers_extend_then_X_expires(
    journal_path: Path,
) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("1", "x")
        await wait_for(pilot, lambda: silence_prompt(app))
        await pilot.press("enter")  # 1h, the prefilled comment, every label
        first = await wait_for_row(pilot, "alert.silenced")
        await refresh_sources(app)
        ends = first.data["ends_at"][11:16]
        await wait_for_text(pilot, f"◌ until {ends}")  # the row shows the silence's end
        # x again: no second silence, an offer to extend the one in force
        await pilot.press("x")
        await wait_for_text(pilot, "already silenced by")
        await pilot.press("2")  # 30m
        extended = await wait_for_row(pilot, "alert.silence.extended")
        assert extended.data["silence_id"] == first.data["silence_id"]
        assert extended.data["previous_ends_at"] == first.data["ends_at"]
        assert extended.data["ends_at"] > first.data["ends_at"]
        assert len(world_silences(app)) == 1
        # E extends too
        await pilot.press("E", "1")
        await wait_for_row(pilot, "alert.silence.extended", count=2)
        # X expires it
        await pilot.press("X")
        expired = await wait_for_row(pilot, "alert.silence.expired")
        assert expired.data["silence_id"] == first.data["silence_id"]
        assert expired.data["alert"] == "HighErrorRate"
        await refresh_sources(app)
        silence = world_silences(app)[first.data["silence_id"]]
        assert not silence.active(app.session.clock())
        rows = [e.kind for e in await journal_rows(app)]
    assert rows.count("alert.silenced") == 1


async def test_without_alertmanager_x_says_so_before_asking(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        app.controller.actions.silencer = None
        await pilot.press("1", "x")
        await wait_for_text(pilot, "silencing needs Alertmanager", flat=True)
        assert open_prompt(app) is None


async def test_extend_and_expire_are_in_help_and_palette(journal_path: Path) -> None:
    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any("Extend the silence" in t and "(key E)" in t for t in titles)
        assert any("Expire the silence" in t and "(key X)" in t for t in titles)
        await pilot.press("question_mark")
        await wait_for_text(pilot, "Extend the silence", "Expire the silence", flat=True)


async def test_prometheus_alerts_only_x_says_alertmanager_is_needed(journal_path: Path) -> None:
    from cockpit.config import PrometheusConfig
    from cockpit.sources.alerts import PrometheusAlertsSource

    app, _ = demo_app(journal_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        source = PrometheusAlertsSource(PrometheusConfig(url="http://127.0.0.1:9"))
        app.controller.actions.silencer = source  # alerts from Prometheus: it lists, no more
        await pilot.press("1", "x")
        await wait_for_text(pilot, "set [alertmanager] url", flat=True)
        assert open_prompt(app) is None
        await pilot.press("X")
        assert open_prompt(app) is None
        await source.close()
