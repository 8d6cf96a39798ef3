"""Exports are written whole or not at all, under a name that stays in its folder (issue 16, 7)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.files import safe_filename, write_atomic

from .conftest import RunCli
from .tui.harness import demo_app, refresh_sources, wait_for_row


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("INC-20261202-0931-ab12", "INC-20261202-0931-ab12"),
        ("INC-../../etc/passwd", "INC-.._.._etc_passwd"),
        ("/abs/path", "_abs_path"),
        ("..", "incident"),
        (".hidden", "hidden"),
        ("INC-\x1b]0;pwned\x07-x", "INC-_0_pwned_-x"),
        ("", "incident"),
    ],
)
def test_safe_filename_stays_in_its_folder(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
    assert "/" not in safe_filename(name) and not safe_filename(name).startswith(".")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real, tiny filesystem (tmpfs) that the test can fill: root only (CI runs as root)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(mount: Path) -> None:
    with open(mount / "filler", "wb", buffering=0) as out, pytest.raises(OSError):
        while True:
            out.write(b"\0" * 65536)


def test_a_full_disk_leaves_the_previous_file_whole(full_disk: Path) -> None:
    target = full_disk / "INC.md"
    target.write_text("# the previous export\n", encoding="utf-8")
    _fill(full_disk)
    with pytest.raises(OSError):
        write_atomic(target, "# a newer, longer export\n" * 20_000)
    assert target.read_text(encoding="utf-8") == "# the previous export\n"
    assert sorted(p.name for p in full_disk.iterdir()) == ["INC.md", "filler"]  # no leftovers


def test_cli_export_to_a_full_disk_is_one_line_and_keeps_the_old_file(
    run_cli: RunCli, full_disk: Path
) -> None:
    assert run_cli("note", "checkout 5xx after the deploy").returncode == 0
    target = full_disk / "INC.md"
    target.write_text("# the previous export\n", encoding="utf-8")
    _fill(full_disk)
    result = run_cli("export", "--format", "md", "-o", str(target))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr and "nothing was changed" in result.stderr
    assert target.read_text(encoding="utf-8") == "# the previous export\n"


async def test_tui_export_stays_in_the_current_folder_whatever_the_incident_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    app, _ = demo_app(tmp_path / "journal.sqlite", incident="INC-../../escaped")
    async with app.run_test(size=(160, 48)) as pilot:
        await refresh_sources(app)
        await pilot.press("e", "1")  # md
        export = await wait_for_row(pilot, "export.created")
    written = Path(export.data["path"])
    assert written == here / "INC-.._.._escaped.md"
    assert written.read_text(encoding="utf-8").startswith("# INC-../../escaped")
    assert not (tmp_path / "escaped.md").exists()
