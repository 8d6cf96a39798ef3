"""Pinned log lines in the exports (issue 15, item 5): in the timeline and in an "Evidence"
section with pod, container and time; inert; a secret in the line is redacted in the
journal file and so in every export."""

from __future__ import annotations

import json
from pathlib import Path

from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import INC, RunCli, ts

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
OOM = 'Exception in thread "http-nio-8080-exec-7" java.lang.OutOfMemoryError: Java heap space'


async def write(path: Path) -> None:
    async with await Journal.open(path) as journal:
        await journal.append_many(
            [
                Draft(
                    INC,
                    "incident.declared",
                    "alice",
                    {"title": "checkout 5xx"},
                    {},
                    ts=ts("19:05:00"),
                ),
                Draft(
                    INC,
                    "evidence.pinned",
                    "alice",
                    {
                        "what": "log",
                        "item": "shop/checkout-7d9f-abcde 2026-11-28T19:04:51.123456789Z",
                        "namespace": "shop",
                        "pod": "checkout-7d9f-abcde",
                        "container": "checkout",
                        "previous": True,
                        "ts": "2026-11-28T19:04:51.123456789Z",
                        "text": f"{OOM}\n\tat PriceCache.put <b>x</b> | y\nauth token={TOKEN}",
                        "lines": 3,
                    },
                    {},
                    ts=ts("19:06:00"),
                ),
            ]
        )


def export(path: Path, run_cli: RunCli, fmt: str) -> str:
    done = run_cli("export", INC, "--journal", str(path), "--format", fmt)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_markdown_has_the_pinned_line_in_timeline_and_evidence(
    db_path: Path, run_cli: RunCli
) -> None:
    await write(db_path)
    md = export(db_path, run_cli, "md")
    timeline = md[md.index("## Timeline") :]
    assert (
        "pinned log line of shop/checkout-7d9f-abcde \\(checkout, previous\\) at 19:04:51"
        in timeline
    )
    evidence = md[md.index("## Evidence") :]
    assert "checkout-7d9f-abcde" in evidence and "19:04:51" in evidence
    assert "java.lang.OutOfMemoryError: Java heap space" in evidence
    assert "<b>" not in md and "\n| y" not in md
    assert TOKEN not in md


async def test_html_and_jsonl_hold_it_too_and_no_secret(db_path: Path, run_cli: RunCli) -> None:
    await write(db_path)
    html = export(db_path, run_cli, "html")
    assert '<section id="evidence">' in html and "OutOfMemoryError" in html
    assert "<b>x</b>" not in html and TOKEN not in html
    jsonl = export(db_path, run_cli, "jsonl")
    pinned = [json.loads(x) for x in jsonl.splitlines() if "evidence.pinned" in x]
    assert pinned and TOKEN not in jsonl
    assert TOKEN.encode() not in db_path.read_bytes()
