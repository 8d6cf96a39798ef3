"""Import benchmark: checking a 100k-event jsonl export (every line, the file's chain) and the
whole import into an empty journal, and what the read-side row check costs events().

Prints figures; not a test. Run: .venv/bin/python bench/import_file.py [COUNT]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from cockpit.journal.export import render
from cockpit.journal.importer import read_export
from cockpit.journal.store import Journal
from cockpit.model import Draft

INCIDENT = "INC-20261128-1905"


def _event(i: int) -> Draft:
    kinds = (
        ("note.added", {"type": "note", "text": f"checkout p99 is {i} ms after rev 42"}),
        ("system.alert.firing", {"alert": "HighErrorRate", "summary": "5xx", "key": f"k{i}"}),
        ("severity.changed", {"severity": "SEV2"}),
        ("view.focus", {"pane": "deploys"}),
    )
    kind, data = kinds[i % len(kinds)]
    context = {"alerts": ["HighErrorRate"], "selection": "deploys"}
    return Draft(incident=INCIDENT, kind=kind, actor="alice", data=data, context=context)


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst, out = Path(tmp, "src.sqlite"), Path(tmp, "dst.sqlite"), Path(tmp, "e.jsonl")
        async with await Journal.open(src) as journal:
            for first in range(0, count, 2000):
                await journal.append_many(
                    [_event(i) for i in range(first, min(count, first + 2000))]
                )
            out.write_text(await render(journal, INCIDENT, "jsonl"), encoding="utf-8")
            start = time.perf_counter()
            events = await journal.events(INCIDENT)
            read = time.perf_counter() - start
        size = out.stat().st_size
        start = time.perf_counter()
        export = read_export(out)
        checked = time.perf_counter() - start
        assert not export.chain_problems and len(export.lines) == count
        start = time.perf_counter()
        async with await Journal.open(dst) as journal:
            await journal.append_many([line.draft for line in export.lines], strict_ids=True)
        appended = time.perf_counter() - start
    print(f"{count} events, export {size / 1e6:.1f} MB")
    print(f"  events() of the incident (every row checked): {read:.2f} s ({len(events)} events)")
    print(f"  read_export (every line and the chain checked): {checked:.2f} s")
    print(f"  append_many of all lines (one transaction):    {appended:.2f} s")
    print(f"  import total (check + append):                 {checked + appended:.2f} s")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
