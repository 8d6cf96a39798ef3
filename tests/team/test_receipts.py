"""Team receipts: each event's team seq, inserting role and arrival, learned by the sync and
shown by the exports (real PostgreSQL, real journal files, real Chromium for the html)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cockpit.journal.export import render_export
from cockpit.journal.format import md_text
from cockpit.journal.postgres import PostgresJournal
from cockpit.journal.sync import TeamSync
from cockpit.model import Draft
from tests.journal.contract import INC
from tests.team import pgcluster
from tests.team.proxy import Proxy
from tests.team.test_sync import via


def note_at(text: str, ts: str, actor: str = "alice") -> Draft:
    return Draft(INC, "note.added", actor, {"type": "note", "text": text}, ts=ts)


def side_receipts(journal: Path) -> dict[str, tuple[Any, ...]]:
    """The receipts table of a journal's side file, read as any SQLite client would."""
    with sqlite3.connect(journal.with_name(journal.name + "-team")) as conn:
        rows = conn.execute("SELECT id, seq, recorded_by, recorded_at, incident FROM receipts")
        return {r[0]: tuple(r[1:]) for r in rows}


async def test_receipts_are_stored_on_push_and_on_pull(
    team_url: str, locals_: Callable[[str], Any], admin_sql: Callable[..., Any]
) -> None:
    a, b = await locals_("a"), await locals_("b")
    sa, sb = TeamSync(a, team_url), TeamSync(b, team_url)
    try:
        mine = await a.append(note_at("from a", "2026-11-28T19:05:00.000Z"))
        await sa.sync_once()  # pushed
        theirs = await b.append(note_at("from b", "2026-11-28T19:05:01.000Z", "bob"))
        await sb.sync_once()
        await sa.sync_once()  # pulled
    finally:
        await sa.close()
        await sb.close()
    team = {
        i: (seq, by, at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", INC)
        for i, seq, by, at in admin_sql("SELECT id, seq, recorded_by, recorded_at FROM events")
    }
    assert set(team) == {mine.id, theirs.id}
    for name in ("a", "b"):
        # both machines hold the team store's word on both events: its own and the other's
        assert side_receipts(Path(a.path).with_name(f"{name}.sqlite")) == team
    assert team[mine.id][:2] == (1, pgcluster.COCKPIT_ROLE)
    assert team[theirs.id][:2] == (2, pgcluster.COCKPIT_ROLE)
    # the local chain is untouched: the receipts are beside it, not in it
    assert (await a.verify()).ok and (await b.verify()).ok
    assert [e.seq for e in await a.events(INC)] == [1, 2]


async def test_an_event_typed_offline_is_shown_arriving_out_of_order(
    pg: pgcluster.Cluster, team_url: str, locals_: Callable[[str], Any]
) -> None:
    proxy = Proxy(pg.port)  # alice's way to the team store: down while she types
    a, b = await locals_("a"), await locals_("b")
    sa, sb = TeamSync(a, via(proxy, team_url)), TeamSync(b, team_url)
    try:
        await b.append(note_at("bob starts", "2026-11-28T01:10:00.000Z", "bob"))
        await sb.sync_once()
        typed = await a.append(note_at("typed offline", "2026-11-28T01:12:03.000Z"))
        with pytest.raises(Exception, match="unreachable"):
            await sa.sync_once()
        for minute in range(13, 16):  # bob goes on, online
            await b.append(note_at(f"bob {minute}", f"2026-11-28T01:{minute}:00.000Z", "bob"))
        await sb.sync_once()
        before = (await render_export(a, INC, "md")).text
        assert "Not yet in the team store: 1 entry" in before
        assert "01:12:03 alice: note: typed offline" in before
        proxy.up()
        await sa.sync_once()
        await sb.sync_once()
    finally:
        await sa.close()
        await sb.close()
        proxy.down()
    at = side_receipts(Path(a.path))[typed.id][2]
    arrived = f"{at[:10]} {at[11:19]}"  # another day than it happened: the date is said
    line = f"happened 01:12:03, reached the team store {arrived}, after 3 later events"
    # the same story from alice's file, bob's file and the team store itself
    async with await PostgresJournal.open(team_url) as team:
        for journal in (a, b, team):
            md = (await render_export(journal, INC, "md")).text
            assert "## Team record" in md
            row = next(x for x in md.splitlines() if "typed offline" in x and x.startswith("|"))
            assert f"**late:** {line}" in row
            assert f"01:12:03 alice: note: typed offline — {line}" in md
            assert "Arrived out of order \\(reached the team store after events that" in md
            assert "Not yet in the team store: none" in md
            # on time: bob's events carry no mark
            assert not any("late" in x for x in md.splitlines() if "bob 1" in x)
            jsonl = (await render_export(journal, INC, "jsonl")).text
            seqs = {
                json.loads(x)["data"].get("text"): json.loads(x).get("recordedseq")
                for x in jsonl.splitlines()
                if "recordedseq" in x
            }
            assert seqs == {
                "bob starts": 1,
                "bob 13": 2,
                "bob 14": 3,
                "bob 15": 4,
                "typed offline": 5,
            }


@pytest.fixture
def bob_role(pg: pgcluster.Cluster) -> tuple[str, str]:
    """A responder's own login role, a member of the cockpit role (README: one role each)."""
    name, password = f"bob_{uuid.uuid4().hex[:8]}", "pw-" + uuid.uuid4().hex[:12]
    pg.psql_admin(
        f"CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {pgcluster.COCKPIT_ROLE}"
    )
    return name, password


async def test_an_event_inserted_by_another_role_says_so(
    pg: pgcluster.Cluster,
    team_db: str,
    team_url: str,
    bob_role: tuple[str, str],
    locals_: Callable[[str], Any],
    tmp_path: Path,
) -> None:
    role, password = bob_role
    bob_url = pg.url(team_db, user=role, password=password)
    a, b = await locals_("a"), await locals_("b")
    sb = TeamSync(b, bob_url)
    try:
        # bob's machine journals a note that claims to be alice's, and one of his own
        await b.append(note_at("I restarted the primary", "2026-11-28T01:00:00.000Z", "alice"))
        await b.append(note_at("looking at the replica", "2026-11-28T01:00:05.000Z", role))
        await sb.sync_once()
    finally:
        await sb.close()
    sa = TeamSync(a, team_url)
    try:
        await sa.sync_once()
    finally:
        await sa.close()
    async with await PostgresJournal.open(team_url) as team:
        for journal in (a, team):
            md = (await render_export(journal, INC, "md")).text
            claimed = next(x for x in md.splitlines() if "| note: I restarted" in x)
            assert f"| alice **(inserted by role {md_text(role)})** |" in claimed
            own = next(x for x in md.splitlines() if "| note: looking at" in x)
            assert "inserted by role" not in own  # his own role names him: no mark
            assert "does not name alice" in md
            html = (await render_export(journal, INC, "html")).text
            assert f'alice <span class="role">inserted by role {role}</span>' in html
            assert '<section id="team">' in html
    page = tmp_path / "team.html"
    page.write_text(html)
    from tests.export.test_html_chromium import _console, _screenshot

    log = _screenshot(page, tmp_path / "team.png", tmp_path / "profile")
    assert _console(log) == []


def test_a_side_file_from_before_receipts_reads_the_team_store_again(tmp_path: Path) -> None:
    from cockpit.journal.sync import SyncState

    url = "postgresql://cockpit@db/incidents"
    side = tmp_path / "j.sqlite-team"
    state = SyncState(side, url)
    state.pushed(7)
    state.pulled(5, "h5", 9)
    state._conn.execute("DROP TABLE receipts")  # as a cockpit before receipts left it
    state.close()
    again = SyncState(side, url)
    try:
        cursors = again.read()
        # the pull starts over to learn every row's receipt; nothing is pushed twice
        assert (cursors["pulled"], cursors["pushed"]) == (0, 7)
    finally:
        again.close()
    third = SyncState(side, url)
    third.pulled(3, "h3", 9)
    third.close()
    fourth = SyncState(side, url)  # the table is there now: the cursor is kept
    try:
        assert fourth.read()["pulled"] == 3
    finally:
        fourth.close()
