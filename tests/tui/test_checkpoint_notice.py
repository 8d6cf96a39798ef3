"""A signing key that cannot sign is said once on screen; the action is journaled anyway."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from cockpit.config import SigningConfig

from .harness import demo_app, refresh_sources, wait_for, wait_for_row, wait_for_text
from .screen import screen_text


def _checkpoints(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0])
    finally:
        conn.close()


async def test_unsigned_checkpoints_are_said_once(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite"
    app, _ = demo_app(journal_path)
    app.session.signing = SigningConfig(key=str(tmp_path / "gone.pub"))
    said: list[str] = []
    notify = app.notify

    def noted(message: str, **kw: Any) -> None:
        said.append(message)
        notify(message, **kw)

    app.notify = noted  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await refresh_sources(app)
        await pilot.press("s", "2")
        await wait_for_row(pilot, "severity.changed")
        await wait_for_text(pilot, "checkpoint stored unsigned", flat=True)
        await wait_for(pilot, lambda: _checkpoints(journal_path) == 1, what="1 checkpoint")
        await pilot.press("t", "2")
        await wait_for_row(pilot, "status.changed")
        await wait_for(pilot, lambda: _checkpoints(journal_path) == 2, what="2 checkpoints")
        await pilot.pause()
        unsigned = [m for m in said if "checkpoint stored unsigned" in m]
        assert unsigned == [
            f"checkpoint stored unsigned: signing key {tmp_path}/gone.pub not found"
        ]
        assert "identified" in screen_text(app)
