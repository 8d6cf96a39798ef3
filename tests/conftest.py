"""Fixtures shared by every test folder: an isolated environment, a CLI runner and a private
tmux server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import Tmux, require_tmux

REPO = Path(__file__).resolve().parents[1]

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment in which nothing can touch the real home or state dirs."""
    home = tmp_path / "home"
    home.mkdir()
    values = {
        "HOME": str(home),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "COCKPIT_OPERATOR": "alice",
        "PYTHONPATH": str(REPO),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ("COCKPIT_JOURNAL", "COCKPIT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return dict(os.environ)


@pytest.fixture
def run_cli(env: dict[str, str], tmp_path: Path) -> RunCli:
    """Run `python -m cockpit ARGS` as a real process, as a responder would."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cockpit", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    """A tmux server of the test's own (tests/e2e/tmux.py), killed at the end."""
    require_tmux()
    server = Tmux()
    try:
        yield server
    finally:
        server.kill()
