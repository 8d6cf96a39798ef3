"""Who is at the keyboard: --operator, COCKPIT_OPERATOR, git user.name, else $USER@host."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess


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
    for candidate in (flag, os.environ.get("COCKPIT_OPERATOR")):
        if candidate and candidate.strip():
            return candidate.strip()
    if use_git and (name := git_user_name()):
        return name
    return user_at_host()
