"""Local journal <-> team store, on real files and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit.journal.postgres import PostgresJournal
from cockpit.journal.sync import TeamSync
from cockpit.model import Draft
from tests.journal.contract import INC, firing, note
from tests.team.proxy import Proxy

Opener = Callable[[str], Any]


def via(proxy: Proxy, url: str) -> str:
    port = url.split("@127.0.0.1:", 1)[1].split("/", 1)[0]
    return url.replace(f"127.0.0.1:{port}", f"127.0.0.1:{proxy.port}")


async def team_rows(url: str) -> list[Any]:
    async with await PostgresJournal.open(url) as team:
        return await team.events()


async def test_each_cockpit_gets_the_others_events_with_their_ids(
    team_url: str, locals_: Callable[[str], Any]
) -> None:
    a, b = await locals_("a"), await locals_("b")
    sa, sb = TeamSync(a, team_url), TeamSync(b, team_url)
    try:
        mine = await a.append(note("from a"))
        theirs = await b.append(Draft(INC, "note.added", "bob", {"type": "note", "text": "from b"}))
        await sa.sync_once()
        await sb.sync_once()
        await sa.sync_once()
        for j in (a, b):
            got = {(e.id, e.ts, e.actor, e.data["text"]) for e in await j.events(INC)}
            assert got == {
                (mine.id, mine.ts, "alice", "from a"),
                (theirs.id, theirs.ts, "bob", "from b"),
            }
            assert (await j.verify()).ok
        team = await team_rows(team_url)
        assert sorted(e.id for e in team) == sorted([mine.id, theirs.id])
        # again and again: nothing duplicated anywhere
        for _ in range(2):
            await sa.sync_once()
            await sb.sync_once()
        assert len(await team_rows(team_url)) == 2
        assert len(await a.events()) == len(await b.events()) == 2
        assert sa.status.online and sa.status.queued == 0
    finally:
        await sa.close()
        await sb.close()


async def test_a_system_change_is_recorded_once_for_the_team(
    team_url: str, locals_: Callable[[str], Any]
) -> None:
    a, b = await locals_("a"), await locals_("b")
    sa, sb = TeamSync(a, team_url), TeamSync(b, team_url)
    try:
        await a.append_once(firing("fire:HighErrorRate@t1"))
        await b.append_once(firing("fire:HighErrorRate@t1"))  # b saw it too
        await sa.sync_once()
        await sb.sync_once()
        await sa.sync_once()
        team = await team_rows(team_url)
        assert [e.kind for e in team] == ["system.alert.firing"]
        for j in (a, b):
            assert [e.kind for e in await j.events()] == ["system.alert.firing"]
    finally:
        await sa.close()
        await sb.close()


async def test_offline_queues_and_pushes_in_order_when_back(
    pg: Any, team_url: str, locals_: Callable[[str], Any]
) -> None:
    proxy = Proxy(pg.port)
    proxy.up()
    url = via(proxy, team_url)
    a = await locals_("a")
    sync = TeamSync(a, url, poll=0.1)
    task = asyncio.create_task(sync.run())
    try:
        await a.append(note("before"))
        await _until(lambda: sync.status.online and sync.status.queued == 0)
        proxy.down()
        typed = [await a.append(note(f"offline {i}")) for i in range(5)]
        await _until(lambda: not sync.status.online and sync.status.queued == 5)
        assert sync.status.bar().startswith("team: offline, 5 queued (since ")
        proxy.up()
        await _until(lambda: sync.status.online and sync.status.queued == 0, timeout=15)
        team = await team_rows(team_url)
        assert [e.data["text"] for e in team] == ["before"] + [f"offline {i}" for i in range(5)]
        assert [e.ts for e in team[1:]] == [e.ts for e in typed]  # when it happened, kept
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sync.close()
        proxy.down()


async def test_a_lost_cursor_resends_without_duplicates(
    team_url: str, locals_: Callable[[str], Any], tmp_path: Path
) -> None:
    a = await locals_("a")
    sync = TeamSync(a, team_url)
    await a.append(note("one"))
    await sync.sync_once()
    await sync.close()
    (tmp_path / "a.sqlite-team").unlink()  # as after a crash before the cursor was written
    again = TeamSync(a, team_url)
    try:
        await a.append(note("two"))
        await again.sync_once()
        assert [e.data["text"] for e in await team_rows(team_url)] == ["one", "two"]
        assert len(await a.events()) == 2
    finally:
        await again.close()


async def _until(check: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


async def test_a_stop_lets_the_round_in_flight_finish(
    team_url: str, locals_: Callable[[str], Any]
) -> None:
    """Quitting mid-push ends the push's transaction, not cancels inside it (psycopg's
    rollback on the busy connection failed and said so on the terminal)."""
    a = await locals_("a")
    sa = TeamSync(a, team_url)
    team = await sa.connect()
    pushing, release = asyncio.Event(), asyncio.Event()
    real_push = team.push

    async def slow_push(drafts: Any, **kw: Any) -> Any:
        pushing.set()
        await release.wait()
        return await real_push(drafts, **kw)

    team.push = slow_push  # type: ignore[method-assign]
    await a.append(note("typed just before quitting"))
    runner = asyncio.create_task(sa.run())
    try:
        await asyncio.wait_for(pushing.wait(), 10)
        sa.stop_soon()
        release.set()
        await asyncio.wait_for(runner, 10)  # run() returns: nothing was cancelled
        assert not runner.cancelled()
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await sa.close()
    assert [e.data["text"] for e in await team_rows(team_url)] == ["typed just before quitting"]
