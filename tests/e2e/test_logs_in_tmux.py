"""Logs in the cockpit as a person uses them (issue 15): `cockpit demo` in real tmux, `l` on a
crash-looping checkout pod, `P` shows the OOM of the previous container, `/` highlights, `p`
pins, and the export holds the pinned line with its pod and time."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_demo_in_tmux import cockpit_cmd
from .tmux import Tmux

pytestmark = pytest.mark.e2e
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def style_before(line: str, word: str) -> str:
    """The SGR parameters in force where `word` starts on an escaped capture-pane line."""
    at = line.index(word)
    found = [m.group(1) for m in SGR.finditer(line, 0, at)]
    return ";".join(found[-2:])


def test_l_on_a_crashlooping_pod_pins_the_oom_into_the_export(tmux: Tmux, tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    tmux.new_session(
        "demo",
        cockpit_cmd("demo", "--seed", "3", "--speed", "4", "--journal", str(journal),
                    "--incident", "INC-LOGS", "--operator", "carol"),
    )  # fmt: skip
    tmux.wait_for("demo", lambda s: "Timeline" in s)
    tmux.send_keys("demo", "3")
    # the pane's own filter: only the back-off events, which only the crashing pods have
    tmux.send_keys("demo", "/")
    tmux.wait_for("demo", lambda s: "filter the focused pane" in s)  # letters are keys before
    tmux.type("demo", "BackOff")
    tmux.send_keys("demo", "Enter")
    tmux.wait_for("demo", lambda s: re.search(r"BackOff +Pod/checkout-", s) is not None, timeout=60)
    tmux.send_keys("demo", "l")
    screen = tmux.wait_for("demo", lambda s: "Logs: shop/checkout-" in s)
    pod = re.search(r"Logs: shop/(checkout-[a-z0-9-]+)", screen).group(1)  # type: ignore[union-attr]
    tmux.wait_for("demo", lambda s: "OOMKilled, exit 137" in s)
    tmux.send_keys("demo", "P")
    tmux.wait_for("demo", lambda s: "previous container" in s and "java.lang.OutOfMemoryError" in s)
    tmux.send_keys("demo", "/")
    tmux.wait_for("demo", lambda s: "search (enter keeps it" in s)
    tmux.type("demo", "OutOfMemoryError: Java")
    tmux.send_keys("demo", "Enter")
    tmux.wait_for("demo", lambda s: "search 'OutOfMemoryError: Java':" in s)
    escaped = tmux.run("capture-pane", "-p", "-e", "-t", "demo")
    line = next(x for x in escaped.splitlines() if "Exception in thread" in x)
    # the match is painted differently from the rest of its line
    match = style_before(line, "OutOfMemoryE")
    assert match != style_before(line, "Exception in") and "48;" in match  # a background
    tmux.send_keys("demo", "p")
    tmux.wait_for("demo", lambda s: "journaled #" in s and "pinned log line" in s)
    tmux.send_keys("demo", "Escape")
    tmux.send_keys("demo", "Escape")
    tmux.wait_for("demo", lambda s: "Logs: shop/" not in s)
    tmux.send_keys("demo", "q")
    deadline = time.monotonic() + 15
    while tmux.alive("demo") and time.monotonic() < deadline:
        time.sleep(0.1)
    md = subprocess.run(
        [sys.executable, "-m", "cockpit", "export", "INC-LOGS", "--format", "md",
         "--journal", str(journal)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    evidence = md[md.index("## Evidence") :]
    assert f"pinned log line of shop/{pod} \\(checkout, previous\\) at " in evidence
    assert "java.lang.OutOfMemoryError: Java heap space" in evidence
    assert re.search(r"at \d\d:\d\d:\d\d", evidence)
