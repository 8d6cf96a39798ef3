"""The whole product as a person uses it: cockpit demo in real tmux, keys typed, export read."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .tmux import Tmux

pytestmark = pytest.mark.e2e


def cockpit_cmd(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "cockpit", *args))


def test_note_and_severity_typed_in_tmux_reach_the_export(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    tmux.new_session(
        "demo",
        cockpit_cmd(
            "demo",
            "--seed",
            "3",
            "--speed",
            "4",
            "--journal",
            str(journal),
            "--incident",
            "INC-E2E",
            "--operator",
            "carol",
        ),
    )
    tmux.wait_for("demo", lambda s: "firing" in s and "Timeline" in s)
    tmux.send_keys("demo", "n")
    tmux.wait_for("demo", lambda s: "Add to the journal" in s)
    tmux.type("demo", "rollout of v2.4.0 lines up with the 5xx")
    tmux.send_keys("demo", "Enter")
    tmux.wait_for("demo", lambda s: "note: rollout of v2.4.0" in s)
    tmux.send_keys("demo", "s")
    tmux.wait_for("demo", lambda s: "Severity" in s and "SEV5" in s)
    tmux.send_keys("demo", "2")
    tmux.wait_for("demo", lambda s: "severity set to SEV2" in s)
    tmux.send_keys("demo", "q")
    deadline = time.monotonic() + 15
    while tmux.alive("demo") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive("demo"), "cockpit did not quit on q"

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cockpit",
            "export",
            "INC-E2E",
            "--format",
            "jsonl",
            "--journal",
            str(journal),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    # CloudEvents lines, the manifest last; kind is the type without its io.cockpit. prefix
    events = [json.loads(line) for line in out.stdout.splitlines()][:-1]
    events = [{**e, "kind": e["type"].removeprefix("io.cockpit.")} for e in events]
    by_kind = {e["kind"]: e for e in events}
    note = by_kind["note.added"]
    assert note["data"]["text"] == "rollout of v2.4.0 lines up with the 5xx"
    assert note["actor"] == "carol"
    assert by_kind["severity.changed"]["data"]["severity"] == "SEV2"
    assert by_kind["severity.changed"]["actor"] == "carol"
    assert events[0]["kind"] == "session.started" and events[-1]["kind"] == "session.ended"
    verify = subprocess.run(
        [sys.executable, "-m", "cockpit", "verify", "--journal", str(journal)],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0 and verify.stdout.startswith("ok: ")
