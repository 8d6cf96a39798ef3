"""A scripted incident for the postmortem exports: every kind of entry a postmortem shows."""

from __future__ import annotations

import json
import subprocess
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cockpit.journal.store import Journal
from cockpit.model import Draft, parse_ts

INC = "INC-20261128-1905"
DAY = "2026-11-28"
HOSTILE = (
    "x | y `rm -rf /` <script>alert('pwn')</script> <img src=x onerror=alert(1)> & \\| z"
    "\n| a | b | c |"
)
ERRORS = "5xx rate"
LATENCY = "p99 latency"

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the root conftest's run_cli


def ts(clock: str) -> str:
    return f"{DAY}T{clock}.000Z"


def epoch(clock: str) -> float:
    return parse_ts(ts(clock)).timestamp()


def context(errors: float | None, latency: float | None, *alerts: str) -> dict[str, Any]:
    """What the live cockpit stores with an event: firing alerts and panel values."""
    return {
        "firing": [{"alert": a, "severity": "critical", "state": "firing"} for a in alerts],
        "metrics": {ERRORS: errors, LATENCY: latency},
        "selected": {"pane": "deploys", "item": "checkout rev 42"},
    }


def panels_body(points: list[tuple[str, float | None]]) -> bytes:
    """An observations row body as the live cockpit records it (zlib JSON, kind "panels")."""
    body = {
        "panels": [
            {
                "title": ERRORS,
                "unit": "req/s",
                "warn": 1.0,
                "crit": 5.0,
                "points": [[epoch(clock), value] for clock, value in points],
            }
        ]
    }
    return zlib.compress(json.dumps(body).encode())


class Script:
    """The incident's events, appended in order; ids of notes kept for amendments."""

    def __init__(self) -> None:
        self.drafts: list[Draft] = []

    def add(
        self,
        clock: str,
        kind: str,
        actor: str,
        ctx: dict[str, Any] | None = None,
        **data: Any,
    ) -> Draft:
        draft = Draft(INC, kind, actor, data, ctx or {}, ts=ts(clock))
        self.drafts.append(draft)
        return draft


def script() -> Script:
    s = Script()
    firing = ("HighErrorRate",)
    s.add("19:00:00", "session.started", "alice", context(0.1, 0.2), mode="live")
    s.add(
        "19:02:00",
        "system.deploy",
        "kubernetes",
        context(0.1, 0.2),
        deployment="shop/checkout",
        revision=42,
        image_from="checkout:1.41",
        image_to="checkout:1.42",
        summary="rev 42: checkout:1.41 -> checkout:1.42",
    )
    s.add(
        "19:05:00",
        "system.alert.firing",
        "alertmanager",
        context(6.5, 0.9, *firing),
        alert="HighErrorRate",
        severity="critical",
        summary="5xx above 5%",
        deploy="checkout rev 42, 3 min before",
    )
    s.add(
        "19:07:00", "incident.declared", "alice", context(7.2, 1.1, *firing), title="checkout 5xx"
    )
    s.add("19:08:00", "severity.changed", "alice", context(7.4, 1.2, *firing), severity="SEV2")
    s.add(
        "19:09:00",
        "role.assigned",
        "alice",
        context(7.1, 1.2, *firing),
        role="commander",
        operator="alice",
    )
    hypothesis = s.add(
        "19:10:00",
        "note.added",
        "bob",
        context(7.0, 1.3, *firing),
        type="hypothesis",
        text="the cache is cold",
    )
    s.add(
        "19:11:00",
        "note.added",
        "bob",
        context(7.3, 1.3, *firing),
        type="finding",
        text="errors began with rev 42",
    )
    s.add(
        "19:12:00",
        "note.amended",
        "bob",
        context(7.3, 1.3, *firing),
        amends=hypothesis.id,
        text="bad deploy rev 42",
    )
    s.add(
        "19:13:00",
        "note.added",
        "alice",
        context(7.5, 1.4, *firing),
        type="decision",
        text="roll back checkout",
    )
    s.add("19:13:30", "view.focus", "alice", context(7.5, 1.4, *firing), pane="deploys")
    s.add(
        "19:14:00",
        "remediation.requested",
        "alice",
        context(7.6, 1.4, *firing),
        action="rollback",
        target="shop/checkout",
        revision=42,
    )
    s.add(
        "19:14:30",
        "remediation.succeeded",
        "alice",
        context(3.0, 0.8, *firing),
        action="rollback",
        target="shop/checkout",
        revision=42,
    )
    s.add("19:15:00", "note.added", "carol", context(0.9, 0.4), type="note", text=HOSTILE)
    s.add(
        "19:16:00",
        "system.alert.resolved",
        "alertmanager",
        context(0.2, 0.3),
        alert="HighErrorRate",
    )
    s.add("19:20:00", "status.changed", "alice", context(0.1, 0.2), status="resolved")
    return s


async def write_incident(path: Path, *, observations: bool = True) -> tuple[int, str]:
    """Append the scripted incident (and, optionally, sampled metric points); return the head."""
    async with await Journal.open(path) as journal:
        await journal.append_many(script().drafts)
        if observations:
            samples = [(f"19:{m:02d}:00", v) for m, v in ((0, 0.1), (3, 0.4), (5, 6.5))]
            samples += [("19:06:00", None), ("19:07:00", None)]  # a scrape gap
            samples += [(f"19:{m:02d}:00", v) for m, v in ((8, 7.4), (12, 7.3), (14, 7.6))]
            samples += [(f"19:{m:02d}:00", v) for m, v in ((16, 0.2), (18, 0.1), (20, 0.1))]
            rows = [samples[:6], samples[4:]]  # overlapping snapshots, as a poller writes them
            for i, chunk in enumerate(rows):
                await journal.add_observation(
                    INC, ts(f"19:1{i}:00"), "prometheus", "panels", f"d{i}", panels_body(chunk)
                )
        return await journal.head()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


def utc(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%H:%M:%S")
