"""Who is at the keyboard is never a surprise (issue 12 item 9): a name taken from
`git config user.name` is announced once, with how to set another."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cockpit.identity import find_operator, operator_notice

NOTICE = "operator: Jane Doe (from git config; set --operator or COCKPIT_OPERATOR)"


@pytest.fixture
def git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose git config names Jane Doe, and nothing from the real one."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.delenv("COCKPIT_OPERATOR", raising=False)
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "config", "--global", "user.name", "Jane Doe"], check=True)
    return tmp_path


def test_the_lookup_order(git_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_operator("alice") == ("alice", "--operator")
    monkeypatch.setenv("COCKPIT_OPERATOR", "bob")
    assert find_operator(None) == ("bob", "COCKPIT_OPERATOR")
    assert find_operator("alice") == ("alice", "--operator")  # the flag wins
    monkeypatch.delenv("COCKPIT_OPERATOR")
    assert find_operator(None) == ("Jane Doe", "git")
    name, source = find_operator(None, use_git=False)
    assert source == "user@host" and "@" in name


def test_a_git_name_is_announced_once(git_home: Path) -> None:
    seen = git_home / "state" / "operator-from-git"
    found = find_operator(None)
    assert operator_notice(found, seen) == NOTICE
    assert operator_notice(found, seen) is None  # said once
    # another git name is news again
    subprocess.run(["git", "config", "--global", "user.name", "John Roe"], check=True)
    assert operator_notice(find_operator(None), seen) == NOTICE.replace("Jane Doe", "John Roe")


def test_a_given_name_is_not_announced(git_home: Path) -> None:
    seen = git_home / "state" / "operator-from-git"
    assert operator_notice(find_operator("alice"), seen) is None
    assert not seen.exists()


def test_an_unwritable_state_dir_still_announces(git_home: Path) -> None:
    blocker = git_home / "file"
    blocker.write_text("")
    # the state dir cannot be made (a file is in the way): say it, every time, never fail
    assert operator_notice(find_operator(None), blocker / "operator-from-git") == NOTICE
