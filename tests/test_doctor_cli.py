"""`cockpit doctor` with no source configured: a configuration error (exit 2), one clear line,
in the same words as the live run."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.doctor import nothing_to_check
from cockpit.sources.factory import no_source_message

from .conftest import RunCli

SOURCE_ENV = ("PROMETHEUS_URL", "ALERTMANAGER_URL", "KUBECONFIG")


@pytest.fixture
def empty_config(tmp_path: Path, env: dict[str, str]) -> Path:
    for name in SOURCE_ENV:
        env.pop(name, None)
    path = tmp_path / "cockpit.toml"
    path.write_text('theme = "cockpit-dark"\n')
    return path


def test_the_message_says_what_where_and_how(empty_config: Path) -> None:
    config = load_config(empty_config, env={})
    message = no_source_message(config)
    assert message.startswith("no source configured: ")
    for fix in ("[prometheus] url", "[alertmanager] url", "[kubernetes]", str(empty_config)):
        assert fix in message
    assert "PROMETHEUS_URL / ALERTMANAGER_URL / KUBECONFIG" in message
    assert nothing_to_check(config) == message
    assert nothing_to_check(load_config(empty_config, env={"PROMETHEUS_URL": "http://p"})) is None


def test_doctor_without_a_source_is_a_configuration_error(
    run_cli: RunCli, empty_config: Path
) -> None:
    result = run_cli("doctor", "--config", str(empty_config))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [f"cockpit: {no_source_message(load_config(empty_config, env={}))}"]
