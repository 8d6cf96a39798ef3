"""Alert sources against a real Prometheus -> Alertmanager chain: list, silence, expire."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from servers import Stack, http_json

from cockpit.config import AlertmanagerConfig, PrometheusConfig
from cockpit.model import Alert, Snapshot
from cockpit.sources.alerts import NO_ALERTMANAGER, AlertmanagerSource, PrometheusAlertsSource
from cockpit.sources.base import ActionError, Source

pytestmark = pytest.mark.integration

ALERT = "CockpitTestHigh"


async def wait_for_alert(
    src: Source, check: Callable[[Alert], bool], timeout: float = 40.0
) -> Alert:
    deadline = time.monotonic() + timeout
    last: Snapshot | None = None
    while time.monotonic() < deadline:
        last = await src.fetch()
        for alert in last.alerts or ():
            if alert.name == ALERT and check(alert):
                return alert
        await asyncio.sleep(0.5)
    raise AssertionError(f"{ALERT} not as expected within {timeout:.0f}s: {last}")


async def test_alert_is_listed_silenced_and_unsilenced(stack: Stack) -> None:
    am = stack.alertmanager
    src = AlertmanagerSource(AlertmanagerConfig(url=am.url, timeout=5))
    try:
        alert = await wait_for_alert(src, lambda a: a.state == "firing")
        assert alert.severity == "critical"
        assert alert.labels["team"] == "sre"
        assert alert.summary == "cockpit test value is 10"
        assert len(alert.fingerprint) == 16 and alert.starts_at.endswith("Z")

        silence_id = await src.silence(alert, 600, "alice via cockpit INC-TEST", "alice")
        silences = http_json(f"{am.url}/api/v2/silences")
        (silence,) = [s for s in silences if s["id"] == silence_id]
        assert silence["status"]["state"] == "active"
        assert silence["createdBy"] == "alice"
        assert silence["comment"] == "alice via cockpit INC-TEST"
        matchers = {
            (m["name"], m["value"], m["isRegex"], m.get("isEqual", True))
            for m in silence["matchers"]
        }
        assert matchers == {(k, v, False, True) for k, v in alert.labels.items()}

        silenced = await wait_for_alert(src, lambda a: a.state == "silenced", timeout=10)
        assert silenced.fingerprint == alert.fingerprint
        assert silenced.silenced_by == (silence_id,)

        await src.expire_silence(silence_id)
        expired = http_json(f"{am.url}/api/v2/silence/{silence_id}")
        assert expired["status"]["state"] == "expired"
        await wait_for_alert(src, lambda a: a.state == "firing", timeout=10)

        with pytest.raises(ActionError, match=r"^alertmanager refused to expire silence"):
            await src.expire_silence("00000000-0000-0000-0000-000000000000")
    finally:
        await src.close()


async def test_prometheus_fallback_lists_the_alert_but_cannot_silence(stack: Stack) -> None:
    src = PrometheusAlertsSource(PrometheusConfig(url=stack.prometheus.url, timeout=5))
    try:
        alert = await wait_for_alert(src, lambda a: a.state == "firing")
        assert alert.labels["severity"] == "critical"
        with pytest.raises(ActionError) as info:
            await src.silence(alert, 60, "alice via cockpit INC-TEST", "alice")
        assert str(info.value) == NO_ALERTMANAGER
    finally:
        await src.close()
