"""Input edges of the command line: one line and exit 2, never a spin or a traceback."""

from __future__ import annotations

import pytest

from .conftest import RunCli


@pytest.mark.parametrize("speed", ["inf", "nan", "-1", "0", "1e9"])
def test_demo_speed_must_be_finite_and_bounded(run_cli: RunCli, speed: str) -> None:
    """Issue 16 (9): `--speed inf` spun at full CPU and ignored q and signals; nan was a
    traceback. Each is one line and exit 2, before any screen."""
    result = run_cli("demo", "--speed", speed)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--speed must be a number above 0" in result.stderr
    assert result.stdout == ""
