"""The kind registry: every kind says what it is, and unknown kinds get one default."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cockpit import kinds
from cockpit.journal import events
from cockpit.kinds import (
    ACK_KINDS,
    KINDS,
    describe,
    describe_kind,
    is_change,
    is_operator,
    is_system,
    is_view,
    kind_of,
)

PANES = Path(kinds.__file__).parent / "panes"


def test_every_kind_is_described_and_classified() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.description and kind.description != name
        prefix = name.split(".")[0]
        assert kind.origin == {
            "system": "source",
            "session": "cockpit",
            "journal": "cockpit",
            "view": "request",
            "export": "request",
        }.get(prefix, "operator"), name
        assert kind.view == (prefix == "view")
        assert kind.line is not None or kind.view, name


@pytest.mark.parametrize(
    ("kind", "operator", "system", "change", "view"),
    [
        ("note.added", True, False, False, False),
        ("operator.handoff", True, False, False, False),
        ("export.created", False, False, False, False),
        ("view.focus", False, False, False, True),
        ("session.started", False, True, False, False),
        ("session.viewer.left", False, True, False, False),
        ("system.deploy", False, True, True, False),
        # unknown kinds: classified by prefix, in the registry only
        ("custom.thing", True, False, False, False),
        ("system.new.thing", False, True, True, False),
        ("session.new", False, True, False, False),
        ("journal.new", False, True, False, False),
        ("view.new", False, False, False, True),
        ("export.signed", False, False, False, False),
    ],
)
def test_classification(kind: str, operator: bool, system: bool, change: bool, view: bool) -> None:
    assert (is_operator(kind), is_system(kind), is_change(kind), is_view(kind)) == (
        operator,
        system,
        change,
        view,
    )


def test_acknowledging_kinds_are_operator_actions() -> None:
    assert {
        "incident.declared",
        "alert.acknowledged",
        "severity.changed",
        "status.changed",
        "note.added",
        "role.assigned",
        "alert.silenced",
        "remediation.requested",
    } == ACK_KINDS
    assert all(is_operator(k) for k in ACK_KINDS)


def test_unknown_kinds_are_kept_and_described_as_recorded() -> None:
    assert kind_of("custom.thing").name == "custom.thing"
    assert describe_kind("custom.thing") == "custom.thing"
    assert describe("custom.thing", {"b": 1, "a": "é"}) == 'custom.thing {"a": "é", "b": 1}'
    assert describe("view.focus", {"pane": "alerts"}) == 'view.focus {"pane": "alerts"}'
    # a multi-line note keeps its line breaks (each line's spacing tidied): the renderers
    # show them inert (issue 16 item 9); one-line texts are tidied as before
    assert describe("note.added", {"type": "finding", "text": "a\n b"}) == "finding: a\nb"
    assert describe("note.added", {"type": "finding", "text": "a \t b"}) == "finding: a b"
    events.validate("custom.thing", {"anything": [1]})  # accepted untouched
    assert events.upcast("custom.thing", 7, {"x": 1}) == (7, {"x": 1})


def test_the_journal_re_exports_the_one_registry() -> None:
    assert events.KINDS is KINDS
    assert events.is_system is is_system


def test_panes_import_only_model_level_modules() -> None:
    allowed = ("cockpit.model", "cockpit.kinds", "cockpit.text", "cockpit.units", "cockpit.panes")
    for path in PANES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name == "cockpit" or name.startswith("cockpit."):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
