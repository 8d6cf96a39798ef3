"""Silences against a real Alertmanager (issue 12, item 3): a comment and a dropped label as
the API stores them, a duplicate refused, extend and expire sent to the API and journaled, a
silence that fails (Alertmanager down) journaled as failed with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from servers import Stack, free_port, http_json
from test_alertmanager_live import wait_for_alert

from cockpit.actions import ActionRefused, Actions
from cockpit.config import AlertmanagerConfig
from cockpit.journal.store import Journal
from cockpit.model import Alert, parse_ts
from cockpit.sources.alerts import AlertmanagerSource

pytestmark = pytest.mark.integration


@pytest.fixture
async def journal(tmp_path) -> AsyncIterator[Journal]:  # type: ignore[no-untyped-def]
    async with await Journal.open(tmp_path / "j.sqlite") as opened:
        yield opened


async def firing(src: AlertmanagerSource) -> Alert:
    return await wait_for_alert(src, lambda a: a.state == "firing")


def stored(url: str, silence_id: str) -> dict:  # type: ignore[type-arg]
    return http_json(f"{url}/api/v2/silence/{silence_id}")  # type: ignore[no-any-return]


async def test_silence_extend_expire_and_no_duplicate(stack: Stack, journal: Journal) -> None:
    am = stack.alertmanager
    src = AlertmanagerSource(AlertmanagerConfig(url=am.url, timeout=5))
    actions = Actions(journal, incident="INC-AM", operator="alice", silencer=src)
    try:
        alert = await firing(src)
        comment = f"{actions.silence_comment()}: checkout 5xx, rollback in progress"
        assert comment.startswith("INC-AM alice via cockpit")
        event = await actions.silence(alert, "30m", comment, drop={"team"})
        silence_id = event.data["silence_id"]
        try:
            # what the API stored: the comment, the author, every label but the dropped one
            api = stored(am.url, silence_id)
            assert api["comment"] == comment and api["createdBy"] == "alice"
            assert api["status"]["state"] == "active"
            matchers = {
                (m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in api["matchers"]
            }
            expected = {(k, v, False, True) for k, v in alert.labels.items() if k != "team"}
            assert matchers == expected and "team" in alert.labels
            assert event.data["matchers"] == {k: v for k, v in alert.labels.items() if k != "team"}
            ends = parse_ts(api["endsAt"]).timestamp()
            assert abs(ends - parse_ts(event.data["ends_at"]).timestamp()) < 2

            silenced = await wait_for_alert(src, lambda a: a.state == "silenced", timeout=10)
            assert silenced.silenced_by == (silence_id,)
            assert (
                silenced.silence_ends
                and abs(parse_ts(silenced.silence_ends).timestamp() - ends) < 1
            )

            # a second silence of the same alert is refused: extend the one in force instead
            with pytest.raises(ActionRefused, match=rf"already silenced by {silence_id}.*extend"):
                await actions.silence(silenced, "1h")
            assert [
                s["id"]
                for s in http_json(f"{am.url}/api/v2/silences")
                if s["status"]["state"] == "active"
            ] == [silence_id]

            extended = await actions.extend_silence(silenced, "1h")
            api = stored(am.url, extended.data["silence_id"])
            assert api["status"]["state"] == "active"
            new_ends = parse_ts(api["endsAt"]).timestamp()
            assert abs(new_ends - (ends + 3600)) < 2
            assert api["comment"] == comment
            silence_id = extended.data["silence_id"]

            expired = await actions.expire_silence(silenced)
            assert expired.data["silence_id"] == silence_id
            assert stored(am.url, silence_id)["status"]["state"] == "expired"
            await wait_for_alert(src, lambda a: a.state == "firing", timeout=10)
        finally:
            # the stack is shared by the session: leave the alert firing for the next test
            if stored(am.url, silence_id)["status"]["state"] != "expired":
                await src.expire_silence(silence_id)
        kinds = [e.kind for e in await journal.events("INC-AM")]
        assert kinds == ["alert.silenced", "alert.silence.extended", "alert.silence.expired"]
    finally:
        await src.close()


async def test_a_failed_silence_is_journaled_with_the_reason(
    stack: Stack, journal: Journal
) -> None:
    probe = AlertmanagerSource(AlertmanagerConfig(url=stack.alertmanager.url, timeout=5))
    try:
        alert = await firing(probe)
    finally:
        await probe.close()
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there: Alertmanager is down
    src = AlertmanagerSource(AlertmanagerConfig(url=down, timeout=2))
    actions = Actions(journal, incident="INC-DOWN", operator="bob", silencer=src)
    try:
        with pytest.raises(ActionRefused, match="alertmanager"):
            await actions.silence(alert, "1h")
    finally:
        await src.close()
    (failed,) = await journal.events("INC-DOWN")
    assert failed.kind == "alert.silence.failed"
    assert failed.actor == "bob"
    assert failed.data["alert"] == "CockpitTestHigh" and failed.data["action"] == "create"
    assert down.removeprefix("http://") in failed.data["error"]
