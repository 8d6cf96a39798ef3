"""Resolutions while the rule evaluator is down or just back are flagged (issue 11 item 3),
and the journal line, hence the timeline and the exports, says so."""

from __future__ import annotations

from cockpit.kinds import describe
from cockpit.model import SourceHealth, SystemChange
from cockpit.sources.evaluator import ARTEFACT_WINDOW_S, EvaluatorWatch
from tests.tui.harness import FrozenClock

RESOLVED = SystemChange("system.alert.resolved", "alertmanager", {"alert": "HighErrorRate"}, "k")
FIRING = SystemChange("system.alert.firing", "alertmanager", {"alert": "HighErrorRate"}, "f")
DOWN = SourceHealth("prometheus", up=False, error="connection refused", started=True)
UP = SourceHealth("prometheus", up=True, started=True)


def test_not_flagged_while_the_evaluator_is_healthy() -> None:
    watch = EvaluatorWatch(clock=FrozenClock())
    watch.on_health(UP)
    assert watch.flag(RESOLVED) is RESOLVED


def test_flagged_while_down_then_just_after_it_came_back_then_not() -> None:
    clock = FrozenClock()
    watch = EvaluatorWatch(clock=clock)
    watch.on_health(UP)
    watch.on_health(DOWN)
    clock.advance(40)
    assert watch.flag(RESOLVED).data["artefact"] == "while prometheus was down"
    assert "artefact" not in watch.flag(FIRING).data  # only resolutions are suspect
    watch.on_health(UP)
    clock.advance(ARTEFACT_WINDOW_S - 1)
    assert watch.flag(RESOLVED).data["artefact"] == "just after prometheus came back"
    clock.advance(2)
    assert "artefact" not in watch.flag(RESOLVED).data


def test_the_line_says_it_may_be_an_artefact() -> None:
    flagged = {"alert": "HighErrorRate", "artefact": "while prometheus was down"}
    assert describe("system.alert.resolved", flagged) == (
        "alert HighErrorRate resolved while prometheus was down — may be an artefact"
    )
    assert describe("system.alert.resolved", {"alert": "X"}) == "alert X resolved"
