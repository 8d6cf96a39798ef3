"""Default file locations (XDG via platformdirs), overridable by flags and environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_state_path


def default_journal() -> Path:
    env = os.environ.get("COCKPIT_JOURNAL")
    if env:
        return Path(env).expanduser()
    return user_state_path("cockpit") / "journal.sqlite"


def default_config() -> Path:
    env = os.environ.get("COCKPIT_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path("cockpit") / "config.toml"


def user_themes_dir() -> Path:
    return user_config_path("cockpit") / "themes"
