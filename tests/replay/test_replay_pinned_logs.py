"""Replay (issue 15, item 9): a pinned log line appears at its moment, not before, and its
timeline text names the pod, the container and the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.kinds import describe
from cockpit.model import Draft, format_ts
from cockpit.observations import ReplayModel

INC = "INC-20261128-1905"
T0 = 1_795_892_700.0


def ts(epoch: float) -> str:
    return format_ts(datetime.fromtimestamp(epoch, UTC))


async def test_pinned_line_is_in_the_frame_of_its_moment(tmp_path: Path) -> None:
    async with await Journal.open(tmp_path / "journal.sqlite") as journal:
        await journal.append(
            Draft(INC, "incident.declared", "alice", {"title": "checkout 5xx"}, {}, ts=ts(T0))
        )
        pinned = {
            "what": "log",
            "item": "shop/checkout-abc 2026-11-28T19:05:51.5Z",
            "namespace": "shop",
            "pod": "checkout-abc",
            "container": "checkout",
            "previous": True,
            "ts": "2026-11-28T19:05:51.5Z",
            "text": "java.lang.OutOfMemoryError: Java heap space",
        }
        await journal.append(Draft(INC, "evidence.pinned", "alice", pinned, {}, ts=ts(T0 + 60)))
        model = await ReplayModel.load(journal, INC)
    assert [e.kind for e in model.at(T0 + 59).events] == ["incident.declared"]
    last = model.at(T0 + 60).events[-1]
    assert last.kind == "evidence.pinned"
    assert describe(last.kind, last.data) == (
        "pinned log line of shop/checkout-abc (checkout, previous) at 19:05:51: "
        "java.lang.OutOfMemoryError: Java heap space"
    )
