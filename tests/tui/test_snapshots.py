"""SVG snapshots of the seeded demo at a frozen moment: 80x24 and 160x48, two themes.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import demo_app, refresh_sources


async def _fill(pilot) -> None:  # type: ignore[no-untyped-def]
    await refresh_sources(pilot.app)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()  # column widths settle on the next idle


@pytest.mark.parametrize("theme", ["cockpit-dark", "colour-blind"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_demo_snapshot(snap_compare, tmp_path: Path, theme: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, _ = demo_app(tmp_path / "journal.sqlite", elapsed=75.0, theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_fill)
