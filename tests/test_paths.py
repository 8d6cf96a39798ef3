"""Where the journal is: --journal, then COCKPIT_JOURNAL, then the XDG state dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.paths import journal_path


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("COCKPIT_JOURNAL", raising=False)


def test_the_option_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCKPIT_JOURNAL", str(tmp_path / "env.sqlite"))
    assert journal_path(str(tmp_path / "given.sqlite")) == tmp_path / "given.sqlite"
    assert journal_path(str(tmp_path / "given.sqlite"), demo=True) == tmp_path / "given.sqlite"


def test_then_the_environment_also_for_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCKPIT_JOURNAL", str(tmp_path / "env.sqlite"))
    assert journal_path(None) == tmp_path / "env.sqlite"
    assert journal_path(None, demo=True) == tmp_path / "env.sqlite"


def test_then_xdg_state_with_the_demo_apart(tmp_path: Path) -> None:
    assert journal_path(None) == tmp_path / "state" / "cockpit" / "journal.sqlite"
    assert journal_path(None, demo=True) == tmp_path / "state" / "cockpit" / "demo-journal.sqlite"


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert journal_path("~/j.sqlite") == tmp_path / "j.sqlite"
    monkeypatch.setenv("COCKPIT_JOURNAL", "~/e.sqlite")
    assert journal_path(None) == tmp_path / "e.sqlite"
