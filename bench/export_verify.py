"""Export + sign + verify benchmark (issue 14, items 2 and 4-7): a 100k-event incident
exported as CloudEvents jsonl (per-incident JCS chain), verified on its own, redacted, signed
with a fresh ssh-keygen ed25519 key and verified against an allowed_signers file, and read
back by the importer; the html export with its embedded block, verified too. Target: <= 3 s
each.

Prints figures; not a test. Run: .venv/bin/python bench/export_verify.py [COUNT]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cockpit.journal.checkpointing import Signing
from cockpit.journal.export import render_export
from cockpit.journal.export_seal import check_seal
from cockpit.journal.importer import read_export
from cockpit.journal.selfverify import verify_file
from cockpit.journal.store import Journal
from cockpit.model import Draft

INCIDENT = "INC-20261128-1905"
OTHER = "INC-20261128-1906"


def _event(i: int) -> Draft:
    kinds = (
        ("note.added", {"type": "note", "text": f"checkout p99 is {i} ms after rev 42."}),
        ("system.alert.firing", {"alert": "HighErrorRate", "summary": "5xx", "key": f"k{i}"}),
        ("severity.changed", {"severity": "SEV2"}),
        ("view.focus", {"pane": "deploys"}),
    )
    kind, data = kinds[i % len(kinds)]
    context = {"alerts": ["HighErrorRate"], "metrics": {"p99": 0.25 + i % 7}, "selection": "x"}
    # one row in 50 belongs to another incident: the journal's chain interleaves them
    incident = OTHER if i % 50 == 49 else INCIDENT
    return Draft(incident=incident, kind=kind, actor="alice", data=data, context=context)


def _figure(start: float, cpu: float) -> str:
    """Wall time, and this process's CPU time (all its threads): on a loaded machine the
    CPU figure moves less than the wall one."""
    return f"{time.perf_counter() - start:6.2f} s (cpu {time.process_time() - cpu:5.2f} s)"


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    print(f"  {label:<52} {_figure(start, cpu)}")
    return result


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "src.sqlite")
        async with await Journal.open(src) as journal:
            total = count + count // 49
            for first in range(0, total, 2000):
                await journal.append_many(
                    [_event(i) for i in range(first, min(total, first + 2000))]
                )
            print(f"{count} events of {INCIDENT} (in a journal of {total})")
            key = Path(tmp, "key")
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
            allowed = Path(tmp, "allowed_signers")
            allowed.write_text("alice " + " ".join(Path(f"{key}.pub").read_text().split()[:2]))
            signing = Signing(f"{key}.pub", None, "alice")
            runs = (
                ("jsonl", False, None),
                ("jsonl", True, None),
                ("jsonl", False, signing),
                ("html", False, None),
            )
            for fmt, redact, sign in runs:
                start, cpu = time.perf_counter(), time.process_time()
                result = await render_export(
                    journal, INCIDENT, fmt, redact_notes=redact, signing=sign
                )
                took = _figure(start, cpu)
                assert sign is None or not result.unsigned, result.unsigned
                tag = f"{'-redacted' if redact else ''}{'-signed' if sign else ''}"
                out = Path(tmp, f"e{tag}.{fmt}")
                out.write_text(result.text, encoding="utf-8")
                name = f"export --format {fmt}{' --redact-notes' if redact else ''}"
                name += " (signed)" if sign else ""
                size = out.stat().st_size / 1e6
                print(f"  {name + f' ({size:.1f} MB)':<52} {took}")

                def verify(o: Path = out, signed: bool = sign is not None) -> Any:
                    check = verify_file(o)[1]
                    good, who = check_seal(check, str(allowed) if signed else None)
                    assert good and (not signed or who.startswith("signed by alice")), who
                    return check

                label = f"verify {out.name}{' --allowed-signers F' if sign else ''}"
                check = _timed(label, verify)
                assert check.ok and check.events == count, check.problems[:3]
        export = _timed(
            "import's read_export of e.jsonl (check only)",
            lambda: read_export(Path(tmp, "e.jsonl")),
        )
        assert not export.chain_problems and len(export.lines) == count


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
