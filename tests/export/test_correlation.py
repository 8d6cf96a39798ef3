"""One suspect-deploy rule: the live alert row and the export name the same deploy, in the
same words, for the same alert and deploys (correlate.py decides for both)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cockpit.correlate import WINDOW_S, correlate
from cockpit.journal.postmortem import build
from cockpit.model import Alert, Deploy, Draft, Event, Snapshot, format_ts, parse_ts
from cockpit.sources.changes import ChangeTracker

INC = "INC-20261128-1905"
FIRED = "2026-11-28T19:30:00.000Z"
SHOP = {"alertname": "CheckoutErrors", "app": "checkout", "namespace": "shop"}


def before(seconds: float) -> str:
    return format_ts(parse_ts(FIRED) - timedelta(seconds=seconds))


def deploy(namespace: str, name: str, revision: int, seconds_before: float) -> Deploy:
    return Deploy(namespace, name, revision, f"{name}:1", f"{name}:2", before(seconds_before))


def alert(labels: dict[str, str]) -> Alert:
    return Alert("fp1", labels["alertname"], "critical", "firing", labels, {}, FIRED)


def live_row(a: Alert, deploys: tuple[Deploy, ...]) -> str | None:
    """What the alerts pane shows: the snapshot enriched with the kubernetes deploys."""
    (shown,) = correlate(Snapshot("alertmanager", 0.0, alerts=(a,)), deploys).alerts or ()
    return shown.correlated_deploy


def export(a: Alert, deploys: tuple[Deploy, ...]) -> str | None:
    """What the postmortem says when the journal holds the deploys and the alert as the
    cockpit journals them (the source had not correlated it when it fired)."""
    kube = ChangeTracker("kubernetes")
    kube.observe(Snapshot("kubernetes", 0.0, deploys=()))  # the baseline is not journaled
    seen = {f"deploy:{d.key}": d.created for d in deploys}
    drafts = [
        Draft(INC, c.kind, c.source, c.data, ts=seen[c.key])
        for c in kube.observe(Snapshot("kubernetes", 1.0, deploys=deploys))
    ]
    (fired,) = ChangeTracker("alertmanager").observe(Snapshot("alertmanager", 2.0, alerts=(a,)))
    assert "deploy" not in fired.data
    drafts.append(Draft(INC, fired.kind, fired.source, fired.data, ts=FIRED))
    drafts.sort(key=lambda d: d.ts)
    events = [
        Event(i, d.id, INC, i, d.ts, d.actor, d.kind, 1, d.data, {}, "", "")
        for i, d in enumerate(drafts, 1)
    ]
    correlations = build(events, charts=False).correlations
    assert all(c.by == "journal" for c in correlations)
    return correlations[0].deploy if correlations else None


CASES = {
    # the old export took the latest deploy of anything: "other/web rev 9, 2 min before"
    "another service deployed later": (
        SHOP,
        (deploy("shop", "checkout", 42, 600), deploy("other", "web", 9, 120)),
        "checkout rev 42, 10 min before",
    ),
    # the old export named a deploy the alert has nothing to do with
    "no deploy of the alert's service": (
        {"alertname": "PaymentsDown", "app": "payments", "namespace": "pay"},
        (deploy("shop", "checkout", 42, 300),),
        None,
    ),
    # the old export said "shop/checkout rev 42, 0 min before"
    "within the minute": (
        SHOP,
        (deploy("shop", "checkout", 42, 40),),
        "checkout rev 42, 40 s before",
    ),
    "same namespace only": (
        {"alertname": "ShopSlow", "namespace": "shop"},
        (deploy("shop", "cart", 7, 300),),
        "cart rev 7, 5 min before",
    ),
    "outside the window": (SHOP, (deploy("shop", "checkout", 42, WINDOW_S + 1),), None),
    "after the alert fired": (SHOP, (deploy("shop", "checkout", 43, -60),), None),
    "the latest of two matching": (
        SHOP,
        (deploy("shop", "checkout", 41, 900), deploy("shop", "checkout", 42, 300)),
        "checkout rev 42, 5 min before",
    ),
    "a tie goes to the first listed": (
        {"alertname": "ShopSlow", "namespace": "shop"},
        (deploy("shop", "cart", 7, 300), deploy("shop", "checkout", 42, 300)),
        "cart rev 7, 5 min before",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_live_row_and_export_name_the_same_suspect(case: str) -> None:
    labels, deploys, expected = CASES[case]
    a = alert(labels)
    assert live_row(a, deploys) == expected
    assert export(a, deploys) == expected


def test_the_export_keeps_what_the_source_said_when_it_fired() -> None:
    deploys = (deploy("shop", "checkout", 42, 180),)
    a = correlate(Snapshot("alertmanager", 0.0, alerts=(alert(SHOP),)), deploys).alerts[0]
    (fired,) = ChangeTracker("alertmanager").observe(Snapshot("alertmanager", 0.0, alerts=(a,)))
    event = Event(1, "id", INC, 1, FIRED, "alertmanager", fired.kind, 1, fired.data, {}, "", "")
    (c,) = build([event], charts=False).correlations
    assert (c.deploy, c.by) == (a.correlated_deploy, "source")
    assert c.deploy == "checkout rev 42, 3 min before"
