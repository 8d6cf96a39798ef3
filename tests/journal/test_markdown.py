"""The markdown export: the postmortem's timeline, safe against hostile note text."""

from __future__ import annotations

from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import RunCli

INC = "INC-20261128-1905"
HOSTILE = "a | b `rm -rf` <script>alert(1)</script> \\| c\n| fake | row | here |"


def _cells(line: str) -> int:
    """Number of cells of a markdown table row: unescaped pipes minus one."""
    pipes, escaped = 0, False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            pipes += 1
    return pipes - 1


async def _incident(path: Path) -> tuple[int, str]:
    def d(ts: str, kind: str, actor: str, **data: str) -> Draft:
        return Draft(INC, kind, actor, dict(data), ts=f"2026-11-28T{ts}.000Z")

    async with await Journal.open(path) as journal:
        for draft in (
            d("19:05:00", "system.alert.firing", "prometheus", alert="HighErrorRate"),
            d("19:06:00", "session.started", "alice"),
            d("19:07:00", "incident.declared", "alice", title="checkout 5xx"),
            d("19:08:00", "severity.changed", "alice", severity="SEV2"),
            d("19:09:00", "role.assigned", "alice", role="commander", operator="alice"),
            d("19:10:00", "note.added", "bob", type="hypothesis", text="bad deploy rev 42"),
            d("19:11:00", "system.deploy", "kubernetes", deployment="checkout", summary="rev 42"),
            d("19:12:00", "note.added", "bob", type="finding", text="errors began at rev 42"),
            d("19:13:00", "note.added", "alice", type="decision", text="roll back checkout"),
            d("19:13:30", "view.focus", "alice", pane="deploys"),
            d("19:14:00", "remediation.succeeded", "alice", action="rollback", target="checkout"),
            d("19:15:00", "note.added", "carol", type="note", text=HOSTILE),
            d("19:20:00", "status.changed", "alice", status="resolved"),
        ):
            await journal.append(draft)
        return await journal.head()


def _section(md: str, heading: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start:end] if line.strip()]


async def test_markdown_export(db_path: Path, run_cli: RunCli) -> None:
    head = await _incident(db_path)
    result = run_cli("export", INC, "--journal", str(db_path), "--format", "md")
    assert result.returncode == 0, result.stderr
    md = result.stdout
    assert md.startswith(f"# {INC}: checkout 5xx\n")

    summary = dict(
        (parts[1].strip(), parts[2].strip())
        for parts in (line.split("|") for line in md.split("## Timeline")[0].splitlines())
        if len(parts) == 4
    )
    assert summary["Severity"] == "SEV2"
    assert summary["Status"] == "resolved"
    assert summary["Commander"] == "alice"
    assert summary["Operators"] == "alice, bob, carol"
    assert summary["Duration"] == "15m 00s"
    # no alert was acknowledged: declaring is not acknowledging (issue 12 item 2)
    assert summary["Time to acknowledge"] == "—"
    assert summary["Time to detect"] == "1m 00s"  # the alert fired 19:05, alice came 19:06
    assert summary["Time to mitigate"] == "9m 00s"

    timeline = _section(md, "## Timeline")
    assert timeline[0] == "| Time (UTC) | Actor | What |"
    body = timeline[2:]
    assert len(body) == 12  # every event but the view.* one
    assert body[0].startswith("| 19:05:00 | prometheus |")
    assert body[-1] == "| 19:20:00 | alice | status set to resolved |"
    assert not any("deploys" in line for line in body)  # view.focus hidden

    assert _section(md, "## Decisions") == ["- 19:13:00 alice: roll back checkout"]
    assert _section(md, "## Hypotheses") == ["- 19:10:00 bob: bad deploy rev 42"]
    assert _section(md, "## Findings") == ["- 19:12:00 bob: errors began at rev 42"]
    assert len(_section(md, "## Notes")) == 1
    order = [md.index(h) for h in ("## Decisions", "## Hypotheses", "## Findings", "## Notes")]
    assert order == sorted(order)

    system = _section(md, "## System changes")
    assert system[0].startswith("- 19:05:00 alert HighErrorRate firing")
    assert system[1].startswith("- 19:11:00 deploy checkout rev 42")
    assert system[-2:-1] == ["---"]  # the footer rule follows the last section
    assert md.rstrip().endswith(f"Journal head: seq {head[0]}, sha256 `{head[1]}`")


async def test_hostile_note_cannot_break_the_table(db_path: Path, run_cli: RunCli) -> None:
    await _incident(db_path)
    md = run_cli("export", "--journal", str(db_path), "--format", "md").stdout
    assert "<script>" not in md
    table_rows = [line for line in md.splitlines() if line.startswith("|")]
    summary_rows = table_rows[: table_rows.index("| Time (UTC) | Actor | What |")]
    timeline_rows = table_rows[len(summary_rows) :]
    assert all(_cells(line) == 2 for line in summary_rows), summary_rows
    assert all(_cells(line) == 3 for line in timeline_rows), timeline_rows
    (hostile,) = [line for line in timeline_rows if "script" in line]
    assert hostile.startswith("| 19:15:00 | carol | note: a \\| b \\`rm -rf\\` \\<script\\>")
    # the unescaped backtick would open a code span: none may survive
    assert "`" not in hostile.replace("\\`", "")
