"""md and html exports of an incident whose alerts started before anyone opened a cockpit
(issue 12 items 2 and 4): impact start, TTD and TTA come from the right events."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import RunCli

INC = "INC-20261202-110512-k3f9"


def _at(clock: str) -> str:
    return f"2026-12-02T{clock}.000Z"


async def _write(path: Path) -> None:
    firing = "system.alert.firing"
    drafts = [
        # the cockpit opens at 11:05:12; both alerts had been firing for a while already
        Draft(INC, "session.started", "alice", {"mode": "live", "session": "s1"},
              ts=_at("11:05:12")),
        Draft(INC, firing, "alertmanager", {
            "alert": "HighErrorRate", "fingerprint": "f1", "severity": "critical",
            "starts_at": "2026-12-02T10:58:00.000Z", "key": "fire:f1",
        }, ts=_at("11:05:14")),
        Draft(INC, firing, "alertmanager", {
            "alert": "HighLatency", "fingerprint": "f2", "severity": "warning",
            "starts_at": "2026-12-02T10:55:30.000Z", "key": "fire:f2",
        }, ts=_at("11:05:14")),
        Draft(INC, "note.added", "alice", {"type": "note", "text": "looking"}, ts=_at("11:06:00")),
        Draft(INC, "incident.declared", "alice", {"title": "checkout 5xx"}, ts=_at("11:07:00")),
        Draft(INC, "operator.handoff", "alice",
              {"to": "bob", "from": "alice", "session": "s1"}, ts=_at("11:08:00")),
        Draft(INC, "alert.acknowledged", "bob",
              {"alert": "HighErrorRate", "fingerprint": "f1"}, ts=_at("11:09:30")),
        Draft(INC, "session.started", "carol", {"mode": "read-only", "session": "s2"},
              ts=_at("11:10:00")),
        Draft(INC, "session.viewer.joined", "cockpit", {"user": "dave", "tty": "/dev/pts/3"},
              ts=_at("11:11:00")),
        Draft(INC, "status.changed", "bob", {"status": "monitoring"}, ts=_at("11:20:30")),
        Draft(INC, "status.changed", "bob", {"status": "resolved"}, ts=_at("11:35:30")),
    ]  # fmt: skip
    async with await Journal.open(path) as journal:
        await journal.append_many(drafts)


def _rows(md: str) -> dict[str, str]:
    rows = [line.split("|") for line in md.splitlines() if line.startswith("| ")]
    return {r[1].strip(): r[2].strip() for r in rows if len(r) == 4}


EXPECTED = {
    "Impact started": "2026-12-02T10:55:30.000Z",  # HighLatency's startsAt, the earliest
    "First session": "2026-12-02T11:05:12.000Z",
    "Declared": "2026-12-02T11:07:00.000Z",
    "Duration": "40m 00s",
    "Time to detect": "9m 42s",  # 10:55:30 -> alice's cockpit at 11:05:12
    "Time to declare": "11m 30s",
    "Time to acknowledge": "14m 00s",  # bob's ack at 11:09:30, not the note or the declare
    "Time to mitigate": "25m 00s",
    "Time to resolve": "40m 00s",
    # acted, handed the keyboard, watched read-only, attached to the tmux session
    "Operators": "alice, bob, carol, dave",
}


async def test_markdown_timings_from_the_right_events(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "journal.sqlite"
    await _write(path)
    out = run_cli("export", INC, "--journal", str(path), "--format", "md")
    assert out.returncode == 0, out.stderr
    rows = _rows(out.stdout)
    assert {k: rows.get(k) for k in EXPECTED} == EXPECTED
    milestones = [line for line in out.stdout.splitlines() if line.startswith("- 1")]
    assert milestones[:4] == [
        "- 10:55:30 impact started by alertmanager: alert HighLatency firing",
        "- 11:05:12 detected (+9m 42s) by alice: joined the incident",
        "- 11:07:00 declared (+11m 30s) by alice: declared incident: checkout 5xx",
        "- 11:09:30 acknowledged (+14m 00s) by bob: acknowledged alert HighErrorRate",
    ]


async def test_html_timings_from_the_right_events(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "journal.sqlite"
    await _write(path)
    out = run_cli("export", INC, "--journal", str(path), "--format", "html")
    assert out.returncode == 0, out.stderr
    cells = dict(re.findall(r"<th>([^<]+)</th><td>([^<]*)</td>", out.stdout))
    found = {k: html_lib.unescape(cells.get(k, "")) for k in EXPECTED}
    assert found == EXPECTED
