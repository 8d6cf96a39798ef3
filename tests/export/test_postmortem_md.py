"""`cockpit export --format md`: the postmortem document, from a scripted incident."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import HOSTILE, INC, RunCli, write_incident


def _section(md: str, heading: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start:end] if line.strip()]


def _cells(line: str) -> int:
    """Cells of a markdown table row: unescaped pipes minus one."""
    pipes, escaped = 0, False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            pipes += 1
    return pipes - 1


def _table(lines: list[str]) -> dict[str, str]:
    rows = [line.split("|") for line in lines if line.startswith("|")]
    skip = {"", "---"}
    return {r[1].strip(): r[2].strip() for r in rows if len(r) == 4 and r[1].strip() not in skip}


def _export(db_path: Path, run_cli: RunCli, *args: str) -> str:
    result = run_cli("export", INC, "--journal", str(db_path), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_postmortem_sections_in_order(db_path: Path, run_cli: RunCli) -> None:
    head = await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    assert md.startswith(f"# {INC}: checkout 5xx\n")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Key timings",
        "## Deploy-to-alert correlations",
        "## Alerts",
        "## Timeline",
        "## Decisions",
        "## Hypotheses",
        "## Findings",
        "## Notes",
        "## System changes",
    ]
    summary = _table(md.split("## Key timings")[0].splitlines())
    assert summary == {
        "Severity": "SEV2",
        "Status": "resolved",
        # the alert carries no startsAt here: the impact starts when it was seen firing
        "Impact started": "2026-11-28T19:05:00.000Z",
        "First session": "2026-11-28T19:00:00.000Z",
        "Declared": "2026-11-28T19:07:00.000Z",
        "End": "2026-11-28T19:20:00.000Z",
        "Duration": "15m 00s",  # impact start to resolution
        "Commander": "alice",
        "Operators": "alice, bob, carol",
    }
    lines = md.rstrip().splitlines()
    assert lines[-3:] == ["---", "", f"Journal head: seq {head[0]}, sha256 `{head[1]}`"]


async def test_key_timings(db_path: Path, run_cli: RunCli) -> None:
    await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    timings = _section(md, "## Key timings")
    # each from the impact start, 19:05 (issue 12 item 4); alice was on it before: 0s
    assert _table(timings) == {
        "Time to detect": "0s",
        "Time to declare": "2m 00s",
        "Time to acknowledge": "—",  # no alert was acknowledged; declaring is not that
        "Time to mitigate": "9m 30s",  # the rollback succeeded at 19:14:30
        "Time to resolve": "15m 00s",
    }
    milestones = [line for line in timings if line.startswith("- ")]
    assert milestones[0].startswith("- 19:05:00 impact started by alertmanager: alert High")
    assert "- 19:14:30 mitigated (+9m 30s) by alice: rollback of shop/checkout succeeded" in (
        milestones
    )
    assert milestones[-1] == "- 19:20:00 resolved (+15m 00s) by alice: status set to resolved"


async def test_deploy_to_alert_correlation(db_path: Path, run_cli: RunCli) -> None:
    await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    section = _section(md, "## Deploy-to-alert correlations")
    assert section[0] == (
        "- 19:05:00 alert HighErrorRate \\(critical\\) fired; "
        "suspect deploy: checkout rev 42, 3 min before"
    )
    deploys = section[section.index("### Deploys") + 1 :]
    assert deploys == ["- 19:02:00 shop/checkout rev 42: checkout:1.41 -\\> checkout:1.42"]


async def test_timeline_shows_evidence_of_each_operator_action(
    db_path: Path, run_cli: RunCli
) -> None:
    await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    timeline = _section(md, "## Timeline")
    assert timeline[0] == "| Time (UTC) | Actor | What |"
    rows = {line.split("|")[1].strip(): line for line in timeline[2:]}
    assert "19:13:30" not in rows  # view.* breadcrumbs stay out
    rollback = rows["19:14:00"]
    assert rollback == (
        "| 19:14:00 | alice | requested rollback of shop/checkout — evidence: firing: "
        "HighErrorRate \\(critical\\); 5xx rate 7.6, p99 latency 1.4 |"
    )
    assert rows["19:20:00"].endswith("evidence: no alert firing; 5xx rate 0.1, p99 latency 0.2 |")
    # system changes carry no evidence: they are the evidence
    assert (
        rows["19:05:00"] == "| 19:05:00 | alertmanager | alert HighErrorRate firing 5xx above 5% |"
    )
    assert "evidence" not in rows["19:02:00"]


async def test_amended_note_shows_current_text(db_path: Path, run_cli: RunCli) -> None:
    await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    assert _section(md, "## Hypotheses") == ["- 19:10:00 bob: bad deploy rev 42 (amended)"]
    assert "the cache is cold" not in "\n".join(_section(md, "## Hypotheses"))
    rows = {line.split("|")[1].strip(): line for line in _section(md, "## Timeline")[2:]}
    assert rows["19:10:00"].startswith("| 19:10:00 | bob | hypothesis: bad deploy rev 42 (amended)")
    assert rows["19:12:00"].startswith(
        "| 19:12:00 | bob | amended the hypothesis of 19:10:00: bad deploy rev 42 "
        "\\(was: the cache is cold\\)"
    )
    assert _section(md, "## Findings") == ["- 19:11:00 bob: errors began with rev 42"]
    assert _section(md, "## Decisions") == ["- 19:13:00 alice: roll back checkout"]


async def test_jsonl_keeps_original_and_amendment(db_path: Path, run_cli: RunCli) -> None:
    await write_incident(db_path)
    out = _export(db_path, run_cli, "--format", "jsonl")
    events = [json.loads(line) for line in out.splitlines()]
    (original,) = [e for e in events if e["data"].get("type") == "hypothesis"]
    (amendment,) = [e for e in events if e["type"] == "io.cockpit.note.amended"]
    assert original["data"] == {"type": "hypothesis", "text": "the cache is cold"}
    assert amendment["data"] == {"amends": original["id"], "text": "bad deploy rev 42"}


async def test_hostile_text_keeps_every_table_row_intact(db_path: Path, run_cli: RunCli) -> None:
    await write_incident(db_path)
    md = _export(db_path, run_cli, "--format", "md")
    assert not re.search(r"(?<!\\)[<>]", md)  # no unescaped angle bracket: no html at all
    tables: list[list[str]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    widths = [{_cells(line) for line in table} for table in tables if table]
    assert widths == [{2}, {2}, {3}]  # summary, key timings, timeline
    (hostile,) = [line for line in tables[2] if "script" in line]
    assert hostile.startswith("| 19:15:00 | carol | note: x \\| y \\`rm -rf /\\` \\<script\\>")
    assert "`" not in hostile.replace("\\`", "")
    (note,) = _section(md, "## Notes")
    assert "\n" not in note and "`" not in note.replace("\\`", "")
    assert HOSTILE.splitlines()[1] not in md  # the fake row is not a row
