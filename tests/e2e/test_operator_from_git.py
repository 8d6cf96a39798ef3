"""The first start with a name from `git config user.name` says so, once (issue 12 item 9)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from .test_demo_in_tmux import cockpit_cmd
from .test_pairing import wait_gone
from .tmux import Tmux

pytestmark = pytest.mark.e2e

NOTICE = "operator: Jane Doe (from git config; set --operator or COCKPIT_OPERATOR)"


def test_a_git_name_is_announced_on_the_first_start_only(tmux: Tmux, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_STATE_HOME": str(home / "state")}
    env |= {"XDG_CONFIG_HOME": str(home / "config"), "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "config", "--global", "user.name", "Jane Doe"], check=True, env=env)
    prefix = "env -u COCKPIT_OPERATOR -u GIT_CONFIG_GLOBAL " + " ".join(
        f"{k}={shlex.quote(v)}" for k, v in env.items()
    )
    journal = tmp_path / "journal.sqlite"
    for run in ("first", "second"):
        cmd = cockpit_cmd("demo", "--seed", "3", "--journal", str(journal))
        tmux.new_session(run, f"cd {shlex.quote(str(home))} && {prefix} {cmd}")
        screen = tmux.wait_for(run, lambda s: "joined the incident" in s)
        if run == "first":
            # the toast wraps the line: its start, and how to set another name
            screen = tmux.wait_for(run, lambda s: NOTICE[:36] in s and "COCKPIT_OPERATOR)" in s)
            assert "Jane" in screen.splitlines()[0]  # the status bar names her (maybe cut)
        else:
            assert "from git config" not in screen  # said once, not every start
        tmux.send_keys(run, "q")
        wait_gone(tmux, run)
