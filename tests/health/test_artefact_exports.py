"""A resolution flagged as a possible artefact reads so in the md and html exports (issue 11
item 3), written through the real journal and the `cockpit export` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft
from tests.conftest import RunCli

INC = "INC-20261128-1905"
SAID = "alert HighErrorRate resolved while prometheus was down — may be an artefact"


async def test_md_and_html_exports_flag_the_resolution(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "j.sqlite"
    journal = await Journal.open(path)
    try:
        for kind, actor, data, at in (
            ("system.alert.firing", "alertmanager", {"alert": "HighErrorRate"}, "19:05:00"),
            ("system.source.down", "prometheus", {"source": "prometheus"}, "19:07:00"),
            (
                "system.alert.resolved",
                "alertmanager",
                {"alert": "HighErrorRate", "artefact": "while prometheus was down"},
                "19:07:30",
            ),
        ):
            await journal.append(Draft(INC, kind, actor, data, ts=f"2026-11-28T{at}.000Z"))
    finally:
        await journal.close()
    for fmt in ("md", "html"):
        out = run_cli("export", INC, "--journal", str(path), "--format", fmt)
        assert out.returncode == 0, out.stderr
        assert SAID in out.stdout, (fmt, out.stdout[-2000:])


@pytest.mark.parametrize("fmt", ["md"])
async def test_an_unflagged_resolution_reads_as_before(
    fmt: str, tmp_path: Path, run_cli: RunCli
) -> None:
    path = tmp_path / "j.sqlite"
    journal = await Journal.open(path)
    try:
        await journal.append(
            Draft(INC, "system.alert.resolved", "alertmanager", {"alert": "HighErrorRate"})
        )
    finally:
        await journal.close()
    out = run_cli("export", INC, "--journal", str(path), "--format", fmt)
    assert "alert HighErrorRate resolved" in out.stdout
    assert "artefact" not in out.stdout
