"""Who is at the keyboard: --operator, COCKPIT_OPERATOR, git user.name, else $USER@host.

Names follow the policy of cockpit/identifiers.py.
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess

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


def resolve_operator(flag: str | None = None, *, use_git: bool = True) -> str:
    """The operator's name. What the responder gave (--operator, COCKPIT_OPERATOR) must pass
    the policy (IdentifierError otherwise); what was found (git, $USER@host) is tidied."""
    given = ((flag, "--operator"), (os.environ.get("COCKPIT_OPERATOR"), "COCKPIT_OPERATOR"))
    for candidate, what in given:
        if candidate and candidate.strip():
            return operator_name(candidate, what=what)
    if use_git and (name := tidy_operator(git_user_name() or "")):
        return name
    return tidy_operator(user_at_host()) or "unknown"
