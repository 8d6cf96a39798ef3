"""ObservationRecorder: deduped, delta-encoded panels, bounded; ReplayModel reads it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.journal.postmortem import load_panels
from cockpit.journal.store import Journal
from cockpit.model import Alert, Deploy, Draft, K8sEvent, Panel, PanelSeries, PodHealth, Snapshot
from cockpit.observations import ObservationRecorder, ReplayModel, decode, encode

INC = "INC-20261128-1905"
T0 = 1_795_892_700.0
P5XX = Panel("5xx rate", "q1", "req/s", 1.0, 5.0)
PLAT = Panel("p99 latency", "q2", "s", 0.5, 1.0)


def ts(epoch: float) -> str:
    from datetime import UTC, datetime

    from cockpit.model import format_ts

    return format_ts(datetime.fromtimestamp(epoch, UTC))


def value(panel: Panel, t: float) -> float:
    return round((t - T0) / 100 + (1 if panel is P5XX else 0.1), 3)


def prom(at: float, *, step: float = 10.0, window: float = 900.0) -> Snapshot:
    """A Prometheus poll: each panel's full 15-minute window ending at `at`."""
    last = int(at // step) * step
    times = [last - k * step for k in range(int(window // step), -1, -1)]
    panels = tuple(PanelSeries(p, tuple((t, value(p, t)) for t in times)) for p in (P5XX, PLAT))
    return Snapshot("prometheus", at, panels=panels)


def alert(name: str, state: str = "firing") -> Alert:
    return Alert(
        fingerprint=f"fp-{name}",
        name=name,
        severity="critical",
        state=state,
        labels={"alertname": name, "service": "checkout"},
        annotations={"summary": f"{name} summary"},
        starts_at=ts(T0),
        silenced_by=("s1",) if state == "silenced" else (),
    )


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[Journal]:
    j = await Journal.open(tmp_path / "journal.sqlite")
    await j.append(
        Draft(
            incident=INC,
            kind="session.started",
            actor="alice",
            ts=ts(T0 - 1000),
            data={"mode": "demo"},
        )
    )
    yield j
    await j.close()


async def test_identical_snapshots_are_stored_once(journal: Journal) -> None:
    rec = ObservationRecorder(journal, INC)
    for k in range(5):
        await rec.record(Snapshot("alertmanager", T0 + k * 5, alerts=(alert("HighErrorRate"),)))
    await rec.record(
        Snapshot("alertmanager", T0 + 30, alerts=(alert("HighErrorRate", "silenced"),))
    )
    rows = await journal.observations(INC)
    assert [(r[2], r[3]) for r in rows] == [("alertmanager", "alerts")] * 2
    assert rec.rows == 2 and rec.skipped == 4
    body = decode(rows[1][5])
    assert body["alerts"][0]["state"] == "silenced"


async def test_panels_store_only_new_points(journal: Journal) -> None:
    rec = ObservationRecorder(journal, INC)
    polls = [T0 + k * 5 for k in range(13)]  # every 5 s for a minute, 10 s step
    for at in polls:
        await rec.record(prom(at))
    rows = await journal.observations(INC, kinds=["panels"])
    first = decode(rows[0][5])["panels"]
    assert [p["title"] for p in first] == ["5xx rate", "p99 latency"]
    assert len(first[0]["points"]) == 91  # the whole window once
    later = [decode(r[5])["panels"] for r in rows[1:]]
    assert later and all(len(p[0]["points"]) == 1 for p in later)  # then one point per step
    assert len(rows) == 7  # the polls between two steps added nothing: not stored
    # the postmortem export still reads the format and reconstructs every point
    series = {s.title: s for s in await load_panels(journal, INC)}
    assert len(series["5xx rate"].points) == 91 + 6


async def test_max_bytes_bounds_the_incident(
    journal: Journal, caplog: pytest.LogCaptureFixture
) -> None:
    rec = ObservationRecorder(journal, INC, max_bytes=4000)
    for k in range(200):
        await rec.record(prom(T0 + k * 10))
        await rec.record(Snapshot("alertmanager", T0 + k * 10, alerts=(alert(f"A{k}"),)))
    assert rec.full and rec.thinning
    assert await journal.observation_bytes(INC) <= 4000
    assert "recording for replay stopped" in caplog.text
    # a second recorder on the same incident (restart) knows the budget is spent
    again = ObservationRecorder(journal, INC, max_bytes=4000)
    await again.record(Snapshot("alertmanager", T0 + 9999, alerts=(alert("New"),)))
    assert await journal.observation_bytes(INC) <= 4000


async def test_thinning_keeps_panel_points(journal: Journal) -> None:
    rec = ObservationRecorder(journal, INC, max_bytes=10_000_000, thin_interval_s=60)
    rec.thinning = True  # as if past half the budget
    for k in range(0, 360, 5):  # six minutes of polls
        await rec.record(prom(T0 + k))
    rows = await journal.observations(INC, kinds=["panels"])
    assert len(rows) == 6  # once a minute
    series = {s.title: s for s in await load_panels(journal, INC)}
    assert len(series["5xx rate"].points) == 91 + 30  # no point lost


async def test_model_reconstructs_alerts_and_windows(journal: Journal) -> None:
    rec = ObservationRecorder(journal, INC)
    pods = (PodHealth("shop", "checkout-1", "Running", False, 7, "CrashLoopBackOff", "checkout"),)
    ev = K8sEvent("u1", "shop", "Warning", "BackOff", "Pod/checkout-1", "restarting", 3, ts(T0))
    dep = Deploy("shop", "checkout", 42, "img:v1", "img:v2", ts(T0 - 60), "bump")
    for k in range(0, 1200, 5):
        at = T0 + k
        await rec.record(prom(at))
        firing = (alert("HighErrorRate"),) if k >= 300 else ()
        await rec.record(Snapshot("alertmanager", at, alerts=firing))
        await rec.record(
            Snapshot("kubernetes", at, events=(ev,) if k >= 600 else (), pods=pods, deploys=(dep,))
        )
    model = await ReplayModel.load(journal, INC)
    for moment in (T0 + 100, T0 + 650, T0 + 1195):
        frame = model.at(moment)
        live = prom(moment)
        assert frame.panels == tuple(
            PanelSeries(
                Panel(s.panel.title, "", s.panel.unit, s.panel.warn, s.panel.crit), s.points
            )
            for s in live.panels or ()
        )
    early, late = model.at(T0 + 299), model.at(T0 + 300)
    assert early.alerts == () and late.alerts == (alert("HighErrorRate"),)
    assert model.at(T0 + 599).k8s_events == () and model.at(T0 + 600).k8s_events == (ev,)
    assert late.pods == pods and late.deploys == (dep,)
    assert model.at(T0 - 500).alerts is None  # before anything was recorded
    assert len(model.at(T0 - 500).events) == 1  # the journal entry before it


async def test_model_without_observations_uses_event_contexts(journal: Journal) -> None:
    context = {
        "firing": [{"alert": "HighErrorRate", "severity": "critical", "state": "firing"}],
        "metrics": {"5xx rate": 7.25},
    }
    await journal.append(
        Draft(INC, "severity.changed", "alice", {"severity": "SEV2"}, context, ts=ts(T0))
    )
    model = await ReplayModel.load(journal, INC)
    frame = model.at(T0 + 60)
    assert [a.name for a in frame.alerts or ()] == ["HighErrorRate"]
    assert frame.alerts_origin == "context" and frame.metrics_origin == "context"
    assert [(s.panel.title, s.latest) for s in frame.panels] == [("5xx rate", 7.25)]
    assert frame.state.severity == "SEV2"
    assert model.at(T0 - 10).state.severity is None


def test_decode_refuses_junk() -> None:
    assert decode(b"not zlib") is None
    digest, body = encode({"a": 1})
    assert decode(body) == {"a": 1} and len(digest) == 64
