"""The replay frame of the action that silenced an alert shows it silenced after the action
(issue 12 item 5), before the next alerts poll says so, and expired again after `X`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Alert, Draft, Snapshot, format_ts
from cockpit.observations import ObservationRecorder, ReplayModel

INC = "INC-20261128-1905"
T0 = 1_795_892_700.0


def ts(epoch: float) -> str:
    return format_ts(datetime.fromtimestamp(epoch, UTC))


def alert(name: str) -> Alert:
    labels = {"alertname": name, "service": "checkout"}
    return Alert(f"fp-{name}", name, "critical", "firing", labels, {}, ts(T0))


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[Journal]:
    async with await Journal.open(tmp_path / "journal.sqlite") as opened:
        yield opened


async def test_frame_of_the_silence_shows_the_alert_silenced(journal: Journal) -> None:
    rec = ObservationRecorder(journal, INC)
    firing = alert("HighErrorRate")
    for k in range(0, 120, 30):  # polls every 30 s: the alert fires throughout
        await rec.record(Snapshot("alertmanager", T0 + k, alerts=(firing,)))
    silenced = {
        "alert": "HighErrorRate",
        "fingerprint": firing.fingerprint,
        "duration": "1h",
        "silence_id": "s-123",
        "ends_at": ts(T0 + 40 + 3600),
    }
    await journal.append(Draft(INC, "alert.silenced", "alice", silenced, {}, ts=ts(T0 + 40)))
    expired = {"silence_id": "s-123", "alert": "HighErrorRate", "fingerprint": firing.fingerprint}
    await journal.append(Draft(INC, "alert.silence.expired", "alice", expired, {}, ts=ts(T0 + 80)))
    model = await ReplayModel.load(journal, INC)

    before = model.at(T0 + 39)
    assert [a.state for a in before.alerts or ()] == ["firing"]
    (shown,) = model.at(T0 + 40).alerts or ()  # the silence's own frame, poll of T0+30
    assert shown.state == "silenced" and shown.silenced_by == ("s-123",)
    assert shown.silence_ends == silenced["ends_at"]
    assert [a.state for a in model.at(T0 + 70).alerts or ()] == ["silenced"]
    assert [a.state for a in model.at(T0 + 80).alerts or ()] == ["firing"]  # X expired it
