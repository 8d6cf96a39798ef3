"""`cockpit replay` errors: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.cli import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("COCKPIT_JOURNAL", raising=False)


def test_no_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.sqlite"
    assert main(["replay", "--journal", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cockpit: no journal at") and "\n" not in err
    assert not missing.exists()  # replay never creates a journal


def test_unknown_incident_lists_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "j.sqlite"
    assert main(["note", "hello", "--journal", str(path), "--incident", "INC-1"]) == 0
    capsys.readouterr()
    assert main(["replay", "INC-2", "--journal", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"cockpit: no incident 'INC-2' in {path} (known: INC-1)"


def test_unknown_theme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "j.sqlite"
    assert main(["note", "hello", "--journal", str(path)]) == 0
    assert main(["replay", "--journal", str(path), "--theme", "nope"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
