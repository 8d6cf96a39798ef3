"""A private tmux server for terminal tests: start programs, type, read the screen."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing: .ci/run must apt-get install tmux")
        pytest.skip("tmux is not installed (apt-get install tmux)")
    return path


class Tmux:
    def __init__(self) -> None:
        self.socket = f"cockpit-test-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )
        return out.stdout

    def new_session(self, name: str, command: str, width: int = 160, height: int = 48) -> None:
        # the pane stays when its program ends, so a crash leaves its last words on the
        # screen a failing wait shows (a vanished session would show nothing). The window
        # keeps its size: with no client attached, tmux's default `window-size latest` may
        # recalculate it to `default-size` (80x24) when the server's sessions change, and a
        # test written for 160 columns then meets the narrow layout (seen in CI)
        self.run(
            "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command,
            ";", "set-option", "-t", name, "remain-on-exit", "on",
            ";", "set-option", "-w", "-t", name, "window-size", "manual",
        )  # fmt: skip

    def send_keys(self, target: str, *keys: str) -> None:
        self.run("send-keys", "-t", target, *keys)

    def type(self, target: str, text: str) -> None:
        self.run("send-keys", "-t", target, "-l", text)

    def screen(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target, check=False)

    def wait_for(self, target: str, predicate: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(target)
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting on the {target} screen; it shows:\n{text}")

    def alive(self, target: str) -> bool:
        """The session's program is still running (its pane may outlive it, see above)."""
        out = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "-t", target, "#{pane_dead}"],
            capture_output=True,
            text=True,
        )
        return out.returncode == 0 and out.stdout.strip() == "0"

    def kill(self) -> None:
        """Stop the server; a program that ignored its hang-up is killed, not leaked."""
        out = subprocess.run(
            ["tmux", "-L", self.socket, "list-panes", "-a", "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
        )
        pids = [d for p in out.stdout.split() for d in descendants(int(p))]
        started = {pid: start_time(pid) for pid in pids}
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        reap(started, timeout=15)


def descendants(pid: int) -> list[int]:
    """pid and every process below it (the pane may run the program under a shell)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot): with the pid, who it is. A pid
    alone may be reused by an unrelated process once the first one has exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command name


def reap(started: dict[int, str | None], timeout: float = 5.0) -> None:
    """Wait for the processes to exit (after their hang-up), SIGKILL the stragglers, and
    only them: a pid now held by another process (another test's cockpit) is left alone."""

    def still_there() -> list[int]:
        return [p for p, t in started.items() if t is not None and start_time(p) == t]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not still_there():
            return
        time.sleep(0.01)
    for pid in still_there():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
