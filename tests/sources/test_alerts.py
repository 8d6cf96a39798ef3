"""Alertmanager and Prometheus alert sources against httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cockpit.config import AlertmanagerConfig, PrometheusConfig
from cockpit.model import Alert
from cockpit.sources.alerts import (
    NO_ALERTMANAGER,
    AlertmanagerSource,
    PrometheusAlertsSource,
    make_alert_source,
)
from cockpit.sources.base import ActionError, Silencer, SourceError

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
AM = AlertmanagerConfig(url="http://am.test:9093/")
PROM = PrometheusConfig(url="http://prom.test:9090")


def am_alert(
    fp: str,
    state: str = "active",
    silenced: list[str] | None = None,
    inhibited: list[str] | None = None,
    **labels: str,
) -> dict[str, Any]:
    return {
        "fingerprint": fp,
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **labels},
        "annotations": {"summary": "5xx above 5%"},
        "startsAt": "2027-01-15T07:55:01.123456789Z",
        "endsAt": "2027-01-15T08:10:00Z",
        "status": {"state": state, "silencedBy": silenced or [], "inhibitedBy": inhibited or []},
    }


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


async def test_alerts_are_mapped_with_their_state() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json=[
                am_alert("a1", service="checkout"),
                am_alert("a2", "suppressed", silenced=["s-1"], service="cart"),
                am_alert("a3", "suppressed", inhibited=["a1"], service="search"),
            ],
        )

    src = AlertmanagerSource(AM, clock=lambda: NOW, transport=mock(handler))
    snap = await src.fetch()
    assert snap.source == "alertmanager" and snap.at == NOW
    by_fp = {a.fingerprint: a for a in snap.alerts or ()}
    assert by_fp["a1"].state == "firing"
    assert by_fp["a2"].state == "silenced" and by_fp["a2"].silenced_by == ("s-1",)
    assert by_fp["a3"].state == "inhibited"
    assert by_fp["a1"].name == "HighErrorRate" and by_fp["a1"].severity == "critical"
    assert by_fp["a1"].labels["service"] == "checkout"
    assert by_fp["a1"].summary == "5xx above 5%"
    assert by_fp["a1"].starts_at == "2027-01-15T07:55:01.123Z"
    assert snap.alerts is not None and snap.alerts[0].state == "firing"
    params = seen[0].url.params
    assert seen[0].url.path == "/api/v2/alerts"
    assert params["silenced"] == params["inhibited"] == params["active"] == "true"
    await src.close()


async def test_silence_posts_exact_matchers_and_returns_the_id() -> None:
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/api/v2/silences"
        posted.append(json.loads(request.content))
        return httpx.Response(200, json={"silenceID": "abc-123"})

    src = AlertmanagerSource(AM, clock=lambda: NOW, transport=mock(handler))
    assert isinstance(src, Silencer)
    alert = Alert(
        "a1",
        "HighErrorRate",
        "critical",
        "firing",
        {"alertname": "HighErrorRate", "service": "checkout"},
        {},
        "",
    )
    sid = await src.silence(alert, 3600, "alice via cockpit INC-1", "alice")
    assert sid == "abc-123"
    body = posted[0]
    assert body["matchers"] == [
        {"name": "alertname", "value": "HighErrorRate", "isRegex": False, "isEqual": True},
        {"name": "service", "value": "checkout", "isRegex": False, "isEqual": True},
    ]
    assert body["startsAt"] == "2027-01-15T08:00:00.000Z"
    assert body["endsAt"] == "2027-01-15T09:00:00.000Z"
    assert body["createdBy"] == "alice"
    assert body["comment"] == "alice via cockpit INC-1"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            b'"silence invalid: start time must be before end time"',
            "alertmanager refused the silence: silence invalid: start time must be before end time",
        ),
        (
            422,
            b'{"code":602,"message":"matchers in body is required"}',
            "alertmanager refused the silence: matchers in body is required",
        ),
        (
            502,
            b"<html>Bad Gateway</html>",
            "alertmanager refused the silence: unreachable (502 from proxy)",
        ),
    ],
)
async def test_refused_silence_is_one_clear_line(status: int, body: bytes, expected: str) -> None:
    ctype = "text/html" if body.startswith(b"<") else "application/json"
    src = AlertmanagerSource(
        AM,
        clock=lambda: NOW,
        transport=mock(
            lambda r: httpx.Response(status, content=body, headers={"content-type": ctype})
        ),
    )
    alert = Alert("a1", "X", "", "firing", {"alertname": "X"}, {}, "")
    with pytest.raises(ActionError) as info:
        await src.silence(alert, 60, "c", "a")
    assert str(info.value) == expected


async def test_expire_deletes_the_silence() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    src = AlertmanagerSource(AM, transport=mock(handler))
    await src.expire_silence("abc-123")
    assert seen[0].method == "DELETE"
    assert seen[0].url.path == "/api/v2/silence/abc-123"


async def test_unreachable_alertmanager_is_a_source_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    src = AlertmanagerSource(AM, transport=mock(handler))
    with pytest.raises(SourceError) as info:
        await src.fetch()
    assert str(info.value) == "alertmanager unreachable at http://am.test:9093: connection refused"
    await src.refresh()
    assert src.health.up is False and src.health.error == str(info.value)


async def test_silence_while_unreachable_is_an_action_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    src = AlertmanagerSource(AM, transport=mock(handler))
    alert = Alert("a1", "X", "", "firing", {"alertname": "X"}, {}, "")
    with pytest.raises(ActionError, match=r"alertmanager unreachable at http://am\.test:9093"):
        await src.silence(alert, 60, "c", "a")


async def test_credentials_refused_say_how_to_fix() -> None:
    src = AlertmanagerSource(AM, transport=mock(lambda r: httpx.Response(401, text="no")))
    with pytest.raises(SourceError, match=r"refused the credentials .*set bearer_token"):
        await src.fetch()


async def test_bearer_token_is_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    config = AlertmanagerConfig(url="http://am.test:9093", bearer_token="tok")
    await AlertmanagerSource(config, transport=mock(handler)).fetch()
    assert seen[0].headers["authorization"] == "Bearer tok"


async def test_prometheus_fallback_lists_firing_and_pending_but_cannot_silence() -> None:
    doc = {
        "status": "success",
        "data": {
            "alerts": [
                {
                    "labels": {"alertname": "Up", "severity": "warning"},
                    "annotations": {},
                    "state": "firing",
                    "activeAt": "2027-01-15T07:59:00.5Z",
                    "value": "1e+00",
                },
                {
                    "labels": {"alertname": "Slow"},
                    "annotations": {},
                    "state": "pending",
                    "activeAt": "2027-01-15T07:59:30Z",
                    "value": "1",
                },
                {"labels": {"alertname": "Old"}, "annotations": {}, "state": "inactive"},
            ]
        },
    }
    src = PrometheusAlertsSource(
        PROM, clock=lambda: NOW, transport=mock(lambda r: httpx.Response(200, json=doc))
    )
    snap = await src.fetch()
    assert src.name == "alerts" and snap.source == "alerts"
    assert [(a.name, a.state) for a in snap.alerts or ()] == [("Up", "firing"), ("Slow", "pending")]
    first = (snap.alerts or ())[0]
    assert first.starts_at == "2027-01-15T07:59:00.500Z"
    assert len(first.fingerprint) == 16
    with pytest.raises(ActionError) as info:
        await src.silence(first, 60, "c", "a")
    assert str(info.value) == NO_ALERTMANAGER


def test_factory_prefers_alertmanager() -> None:
    assert isinstance(make_alert_source(PROM, AM), AlertmanagerSource)
    assert isinstance(make_alert_source(PROM, None), PrometheusAlertsSource)
    assert make_alert_source(None, None) is None


async def test_alert_changes_come_from_the_tracker() -> None:
    replies = [[am_alert("a1")], []]
    src = AlertmanagerSource(
        AM, clock=lambda: NOW, transport=mock(lambda r: httpx.Response(200, json=replies.pop(0)))
    )
    changes: list[str] = []
    src.subscribe(on_change=lambda c: changes.append(c.kind))
    await src.refresh()
    await src.refresh()
    assert changes == ["system.alert.firing", "system.alert.resolved"]
