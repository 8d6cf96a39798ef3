"""[team] url / COCKPIT_TEAM_URL, and URLs shown without their password."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, load_config
from cockpit.journal.pgurl import is_pg_url, masked


def test_team_url_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[team]\nurl = "postgresql://cockpit:pw@db/incidents"\n')
    config = load_config(path, env={})
    assert config.team is not None and config.team.url == "postgresql://cockpit:pw@db/incidents"
    assert "pw" not in repr(config)  # a config in a log or traceback leaks nothing
    env = {"COCKPIT_TEAM_URL": "postgresql://other@db2/x"}
    assert load_config(path, env=env).team.url == "postgresql://other@db2/x"  # type: ignore[union-attr]


def test_a_team_url_that_is_not_postgresql_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('theme = "cockpit-dark"\n[team]\nurl = "mysql://db/x"\n')
    with pytest.raises(ConfigError, match=r"c\.toml:3: team\.url must be a postgresql:// URL"):
        load_config(path, env={})
    path.write_text('[team]\nuri = "postgresql://db/x"\n')
    with pytest.raises(ConfigError, match="uri"):
        load_config(path, env={})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://cockpit:s3cr%40t@db:5432/x", "postgresql://cockpit:***@db:5432/x"),
        ("postgres://cockpit@db/x", "postgres://cockpit@db/x"),
        (
            "postgresql://db/x?user=c&password=hunter2&sslmode=verify-full",
            "postgresql://db/x?user=c&password=***&sslmode=verify-full",
        ),
    ],
)
def test_masked(url: str, shown: str) -> None:
    assert is_pg_url(url)
    assert masked(url) == shown
    # also inside a message that quotes it (libpq does)
    assert masked(f'bad URI: "{url}"') == f'bad URI: "{shown}"'


def test_a_libpq_message_quoting_the_url_is_masked(run_cli: object) -> None:
    done = run_cli("verify", "--journal", "postgresql://u:hunter22@[bad/x")  # type: ignore[operator]
    assert done.returncode == 2 and "hunter22" not in done.stderr and "***" in done.stderr
