"""Who is at the keyboard: --operator, COCKPIT_OPERATOR, git user.name, else $USER@host.

Names follow the policy of cockpit/identifiers.py. A name taken from git is announced once
(issue 12 item 9): nobody should journal as someone they did not expect to be.
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
from pathlib import Path
from typing import NamedTuple

from cockpit.identifiers import operator_name, tidy_operator


def git_user_name() -> str | None:
    try:
        out = subprocess.run(
            ["git", "config", "--get", "user.name"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = out.stdout.strip()
    return name or None


def user_at_host() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = os.environ.get("USER", "unknown")
    return f"{user}@{socket.gethostname()}"


class Operator(NamedTuple):
    name: str
    source: str  # "--operator", "COCKPIT_OPERATOR", "git" or "user@host"


def find_operator(flag: str | None = None, *, use_git: bool = True) -> Operator:
    """The operator's name and where it came from. What the responder gave (--operator,
    COCKPIT_OPERATOR) must pass the policy (IdentifierError otherwise); what was found (git,
    $USER@host) is tidied."""
    given = ((flag, "--operator"), (os.environ.get("COCKPIT_OPERATOR"), "COCKPIT_OPERATOR"))
    for candidate, what in given:
        if candidate and candidate.strip():
            return Operator(operator_name(candidate, what=what), what)
    if use_git and (name := tidy_operator(git_user_name() or "")):
        return Operator(name, "git")
    return Operator(tidy_operator(user_at_host()) or "unknown", "user@host")


def resolve_operator(flag: str | None = None, *, use_git: bool = True) -> str:
    return find_operator(flag, use_git=use_git).name


def operator_notice(found: Operator, seen: Path) -> str | None:
    """The line announcing a name taken from git config, the first time that name is used
    (remembered in `seen`); None for a name the responder gave, or one announced before.
    If `seen` cannot be written the line is said every time rather than never."""
    if found.source != "git":
        return None
    try:
        if seen.read_text(encoding="utf-8") == found.name:
            return None
    except (OSError, UnicodeDecodeError):
        pass  # not announced yet (or unreadable: announce)
    try:
        seen.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        seen.write_text(found.name, encoding="utf-8")
    except OSError:
        pass
    return f"operator: {found.name} (from git config; set --operator or COCKPIT_OPERATOR)"
