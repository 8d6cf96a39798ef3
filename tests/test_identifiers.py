"""Incident ids and operator names get one charset and length policy at the door (issue 16,
item 4): --incident, --operator, COCKPIT_OPERATOR, cockpit note, import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cockpit.identifiers import (
    IdentifierError,
    incident_id,
    is_incident_id,
    operator_name,
    shown,
    tidy_operator,
)
from cockpit.journal.incidents import new_incident_id

from .conftest import RunCli

GOOD_IDS = [
    "INC-20261128-1905",  # today's format
    "INC-20261202-110512-ab12",  # seconds and a short random part (the coming format)
    "INC-A",
    "INC-EXISTING",
    "inc.2026:12_02",
    "7",
    "A" * 64,
]
BAD_IDS = [
    "",
    " ",
    "-INC",  # would read as an option
    ".hidden",
    "INC 1",
    "INC/../../etc",
    "INC-\x1b]0;pwned\x07",
    "INC-\u202eevil",
    "INC-é",
    "A" * 65,
]


@pytest.mark.parametrize("value", GOOD_IDS)
def test_existing_id_formats_pass(value: str) -> None:
    assert is_incident_id(value) and incident_id(f" {value}\n") == value


def test_new_ids_pass() -> None:
    assert is_incident_id(new_incident_id())


@pytest.mark.parametrize("value", BAD_IDS)
def test_bad_ids_are_refused_naming_value_and_rule(value: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        incident_id(value, what="--incident")
    message = str(caught.value)
    assert message.startswith("--incident '") and "letters, digits" in message
    assert message.isprintable() and len(message) < 300


@pytest.mark.parametrize("value", ["alice", "Zoë Ångström", "bob@bastion-1", "李雷", "a" * 64])
def test_good_operator_names(value: str) -> None:
    assert operator_name(f"  {value} ") == value


@pytest.mark.parametrize(
    "value",
    ["", "   ", "al\x1bice", "al\u202eice", "al\u200bice", "a\nb", "al\x9bice", "a" * 65],
)
def test_bad_operator_names(value: str) -> None:
    with pytest.raises(IdentifierError, match="printable characters"):
        operator_name(value, what="COCKPIT_OPERATOR")


def test_shown_escapes_and_cuts() -> None:
    assert shown("a\x1b]0;x\x07'b") == "'a\\x1b]0;x\\x07\\'b'"
    assert shown("\u202e") == "'\\u202e'"
    long = shown("x" * 10_000)
    assert long.endswith("... (10000 characters)") and len(long) < 120


def test_found_names_are_tidied_not_refused() -> None:
    assert tidy_operator("  Al\x1b[31mice\u202e  Smith ") == "Al [31mice Smith"
    assert tidy_operator("\x00\x01") == ""
    assert len(tidy_operator("n" * 500)) == 64


def _events(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


@pytest.mark.parametrize(
    ("args", "extra", "named"),
    [
        (["--incident", "INC-\x1b]0;pwned\x07"], {}, "--incident 'INC-\\x1b]0;pwned\\x07'"),
        (["--incident", "x" * 65], {}, "--incident 'xxxx"),
        (["--operator", "al\u202eice"], {}, "--operator 'al\\u202eice'"),
        ([], {"COCKPIT_OPERATOR": "mallory\x1bc"}, "COCKPIT_OPERATOR 'mallory\\x1bc'"),
    ],
)
def test_note_refuses_bad_identity_in_one_line(
    tmp_path: Path,
    run_cli: RunCli,
    env: dict[str, str],
    args: list[str],
    extra: dict[str, str],
    named: str,
) -> None:
    journal = tmp_path / "j.sqlite"
    env.update(extra)  # the fixture's dict is the environment run_cli passes
    result = run_cli("note", "checked the pool", "--journal", str(journal), *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "refused" in lines[0]
    assert _events(journal) == 0


def test_note_takes_good_ids_trimmed(tmp_path: Path, run_cli: RunCli) -> None:
    journal = tmp_path / "j.sqlite"
    result = run_cli(
        "note", "x", "--journal", str(journal), "--incident", " INC-20261202-110512-ab12 "
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(journal) as conn:
        assert conn.execute("SELECT incident, actor FROM events").fetchall() == [
            ("INC-20261202-110512-ab12", "alice")
        ]


@pytest.mark.parametrize("command", [["demo", "--speed", "1"], []])
def test_interactive_runs_refuse_before_any_screen(
    tmp_path: Path, run_cli: RunCli, command: list[str]
) -> None:
    result = run_cli(
        *command, "--journal", str(tmp_path / "j.sqlite"), "--incident", "bad id", timeout=20
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "cockpit: --incident 'bad id' refused: an incident id is 1 to 64 letters, digits,"
        " '.', '_', ':' or '-', starting with a letter or digit (e.g. INC-20261128-1905)"
    )
    assert result.stdout == ""


async def test_handoff_and_role_names_follow_the_policy(tmp_path: Path) -> None:
    """A name typed into the handoff or role prompt becomes an actor: the same door."""
    from cockpit.actions import ActionRefused
    from tests.controller.test_incident import Recorder, controller_on, started

    controller = controller_on(tmp_path / "journal.sqlite")
    await started(controller, Recorder())
    actions = controller.actions
    for hostile in ("mallory\x1b]0;x\x07", "al\u202eice", "x" * 65):
        with pytest.raises(ActionRefused, match="printable characters"):
            await actions.handoff(hostile)
        with pytest.raises(ActionRefused, match="printable characters"):
            await actions.assign_role("commander", hostile)
    kinds = [e.kind for e in await controller.journal.events(controller.state.id)]
    assert "operator.handoff" not in kinds and "role.assigned" not in kinds
    event = await controller.perform(actions.handoff("  Zoë  "))
    assert event is not None and event.data["to"] == "Zoë" and actions.operator == "Zoë"
    await controller.close()
