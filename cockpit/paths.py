"""Default file locations (XDG via platformdirs), overridable by flags and environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_state_path


def journal_path(given: str | os.PathLike[str] | None, *, demo: bool = False) -> Path:
    """The journal a command works on: `--journal`, else $COCKPIT_JOURNAL, else the XDG state
    dir. The demo keeps its own file there, so practice never mixes with real incidents."""
    if given:
        return Path(given).expanduser()
    env = os.environ.get("COCKPIT_JOURNAL")
    if env:
        return Path(env).expanduser()
    name = "demo-journal.sqlite" if demo else "journal.sqlite"
    return user_state_path("cockpit") / name


def default_config() -> Path:
    env = os.environ.get("COCKPIT_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path("cockpit") / "config.toml"


def operator_seen_path() -> Path:
    """Where the operator name last announced as taken from git config is remembered."""
    return user_state_path("cockpit") / "operator-from-git"


def user_themes_dir() -> Path:
    return user_config_path("cockpit") / "themes"
