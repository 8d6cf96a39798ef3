"""The postmortem model: amended notes, correlations, series and their fallbacks."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from cockpit.journal import postmortem
from cockpit.journal.postmortem import Evidence, Series, build, decode_panels, load_panels
from cockpit.journal.store import Journal
from cockpit.model import Draft, Event

from .conftest import INC, epoch, script, ts


def _events(drafts: list[Draft]) -> list[Event]:
    return [
        Event(i + 1, d.id, d.incident, i + 1, d.ts, d.actor, d.kind, 1, d.data, d.context, "", "")
        for i, d in enumerate(drafts)
    ]


def test_amendments_chain_and_the_latest_wins() -> None:
    s = script()
    (hypothesis,) = [d for d in s.drafts if d.data.get("type") == "hypothesis"]
    (first,) = [d for d in s.drafts if d.kind == "note.amended"]
    # amending the amendment still amends the note; a dangling amendment is kept as is
    s.add("19:17:00", "note.amended", "carol", amends=first.id, text="rev 42 leaked connections")
    s.add("19:18:00", "note.amended", "carol", amends="no-such-id", text="orphan")
    pm = build(_events(s.drafts))
    (note,) = pm.notes_of("hypothesis")
    assert note.event.id == hypothesis.id
    assert (note.text, note.original, note.amended) == (
        "rev 42 leaked connections",
        "the cache is cold",
        True,
    )
    whats = {e.event.ts: e.what for e in pm.entries}
    assert whats[ts("19:18:00")] == "amended note no-such-id: orphan"


def test_cyclic_amendments_do_not_hang() -> None:
    s = script()
    a = Draft(INC, "note.amended", "x", {"amends": "b", "text": "1"}, id="a", ts=ts("19:19:00"))
    b = Draft(INC, "note.amended", "x", {"amends": "a", "text": "2"}, id="b", ts=ts("19:19:01"))
    pm = build(_events([*s.drafts, a, b]))
    assert len(pm.entries) == len(s.drafts) + 1  # minus the view.focus, plus two


def test_correlation_by_time_when_the_source_gave_none() -> None:
    s = script()
    s.add("19:30:00", "system.deploy", "kubernetes", deployment="shop/cart", revision=7)
    labels = {"app": "cart", "namespace": "shop"}
    s.add(
        "19:41:00",
        "system.alert.firing",
        "alertmanager",
        alert="CartSlow",
        severity="warning",
        labels=labels,
    )
    # correlate.py's rule: a deploy is a suspect only for an alert naming it or its namespace
    s.add("19:42:00", "system.alert.firing", "alertmanager", alert="NoLabels")
    s.add("23:00:00", "system.alert.firing", "alertmanager", alert="Unrelated", labels=labels)
    pm = build(_events(s.drafts))
    assert [(c.alert, c.deploy, c.by) for c in pm.correlations] == [
        ("HighErrorRate", "checkout rev 42, 3 min before", "source"),
        ("CartSlow", "cart rev 7, 11 min before", "journal"),
    ]
    assert [d.line() for d in pm.deploys] == [
        "shop/checkout rev 42: checkout:1.41 -> checkout:1.42",
        "shop/cart rev 7",
    ]


def test_evidence_is_compact_and_defensive() -> None:
    ctx = {
        "firing": [{"alert": f"A{i}", "severity": "warning"} for i in range(6)] + ["junk"],
        "metrics": {"errors": 1234.5, "up": True, "lat": 0.01234},
    }
    line = Evidence.from_context(ctx).line()
    assert line == (
        "firing: A0 (warning), A1 (warning), A2 (warning), A3 (warning) +2 more; "
        "errors 1,234, up no data, lat 0.0123"
    )
    assert Evidence.from_context("garbage").empty
    assert Evidence.from_context({"firing": []}).line() == "no alert firing"


def test_series_prefer_observations_and_clip_to_the_window() -> None:
    s = script()
    observed = Series(
        "5xx rate",
        "req/s",
        1.0,
        5.0,
        ((epoch("10:00:00"), 9.0), (epoch("19:05:00"), 6.5), (epoch("19:06:00"), None)),
    )
    pm = build(_events(s.drafts), panels=[observed])
    errors, latency = pm.series
    assert errors.origin == "observations" and errors.points == observed.points[1:]
    assert latency.origin == "context" and latency.title == "p99 latency"
    assert (latency.points[0][0], latency.points[-1][0]) == (epoch("19:00:00"), epoch("19:20:00"))
    assert pm.window == (epoch("19:00:00"), epoch("19:20:00"))
    kinds = [m.kind for m in pm.markers]
    assert kinds.count("deploy") == 1 and kinds.count("action") == 11
    numbers = [e.marker for e in pm.entries if e.marker]
    assert numbers == list(range(1, 12))


def test_decode_panels_tolerates_junk() -> None:
    assert decode_panels(b"not zlib, not json") == []
    assert decode_panels(zlib.compress(b"[1, 2]")) == []
    body = {"panels": [{"title": "x", "points": [[1, "NaN"], [2, 3], "bad", [None, 1]]}, 5]}
    (series,) = decode_panels(json.dumps(body).encode())  # uncompressed is accepted too
    assert series.points == ((1.0, None), (2.0, 3.0))  # a non-number is a gap


def test_decode_panels_refuses_a_decompression_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postmortem, "MAX_OBSERVATION_BYTES", 1000)
    big = {"panels": [{"title": "x", "points": [[i, 1.0] for i in range(1000)]}]}
    assert decode_panels(zlib.compress(json.dumps(big).encode())) == []


async def test_load_panels_merges_rows_and_skips_garbage(tmp_path: Path) -> None:
    def body(points: list[list[float]], unit: str) -> bytes:
        return zlib.compress(
            json.dumps({"panels": [{"title": "x", "unit": unit, "points": points}]}).encode()
        )

    async with await Journal.open(tmp_path / "j.sqlite") as journal:
        for i, blob in enumerate(
            (body([[1, 1.0], [2, 2.0]], "s"), b"\x78\x9c garbage", body([[2, 5.0], [3, 3.0]], "ms"))
        ):
            await journal.add_observation(INC, ts(f"19:0{i}:00"), "prometheus", "panels", "d", blob)
        (merged,) = await load_panels(journal, INC)
        assert await load_panels(journal, "INC-OTHER") == []
    assert merged.points == ((1.0, 1.0), (2.0, 5.0), (3.0, 3.0))  # later rows win
    assert merged.unit == "ms"
