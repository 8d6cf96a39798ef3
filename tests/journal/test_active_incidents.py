"""Which incidents a plain `cockpit` offers to join (cockpit/journal/active.py), on a real file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.journal.active import active_incidents
from cockpit.journal.store import Journal
from cockpit.model import Draft, format_ts

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def _add(journal: Journal, incident: str, kind: str, actor: str, ago_min: float, **data):  # type: ignore[no-untyped-def]
    ts = format_ts(NOW - timedelta(minutes=ago_min))
    await journal.append(Draft(incident=incident, kind=kind, actor=actor, data=data, ts=ts))


async def test_active_means_in_session_or_unresolved_within_a_day(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    assert active_incidents(path, NOW) == []  # no file: nothing read, nothing offered
    journal = await Journal.open(path)
    try:
        # alice is in session on a declared SEV2, started 12 minutes ago
        await _add(journal, "INC-A", "session.started", "alice", 12, mode="live", session="s1")
        await _add(journal, "INC-A", "incident.declared", "alice", 11, title="checkout 5xx")
        await _add(journal, "INC-A", "severity.changed", "alice", 10, severity="SEV2")
        # resolved, nobody in session: not offered
        await _add(journal, "INC-R", "note.added", "bob", 30, type="note", text="x")
        await _add(journal, "INC-R", "status.changed", "bob", 20, status="resolved")
        # resolved, but carol still has it open: offered
        await _add(journal, "INC-S", "session.started", "carol", 50, mode="live", session="s3")
        await _add(journal, "INC-S", "status.changed", "carol", 40, status="resolved")
        # unresolved, quiet for two days: not offered
        await _add(journal, "INC-OLD", "note.added", "dan", 60 * 48, type="note", text="y")
        # unresolved, everyone left an hour ago: offered (nobody in session)
        await _add(journal, "INC-U", "session.started", "erin", 70, mode="live", session="s5")
        await _add(journal, "INC-U", "session.ended", "erin", 65, reason="quit", session="s5")
    finally:
        await journal.close()

    active = active_incidents(path, NOW)
    # the most recently active first
    assert [a.id for a in active] == ["INC-A", "INC-S", "INC-U"]
    assert active[0].line(NOW) == "INC-A SEV2 checkout 5xx (alice, 12 min)"
    assert active[1].line(NOW) == "INC-S SEV? (not declared) [resolved] (carol, 50 min)"
    assert active[2].line(NOW) == "INC-U SEV? (not declared) (erin, 70 min)"


def test_a_file_that_is_not_a_journal_offers_nothing(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"")
    assert active_incidents(path, NOW) == []
