"""Checkpoint benchmark: what one checkpoint costs, and what the append path sees of it.

Run: .venv/bin/python bench/checkpoints.py [--events N] [--rounds N]
Prints figures; not a test. On a journal of N events:
- write_checkpoint, unsigned and signed with an ed25519 key file (ssh-keygen -Y sign);
- the latency of one durable append alone, and while a checkpoint is written beside it
  (the live cockpit writes one in the background right after a status change);
- cockpit verify's checkpoint check per signed checkpoint (ssh-keygen -Y verify).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit.journal.checkpointing import Signing, check_checkpoints, write_checkpoint
from cockpit.journal.store import Journal
from cockpit.model import Draft

INCIDENT = "INC-20261202-bench"


def _note(i: int) -> Draft:
    return Draft(
        incident=INCIDENT, kind="note.added", actor="alice", data={"type": "note", "text": f"n{i}"}
    )


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1e3:6.2f} ms  p99 {p99 * 1e3:6.2f} ms"


async def bench(folder: Path, events: int, rounds: int) -> None:
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = folder / "allowed_signers"
    allowed.write_text("alice " + " ".join((folder / "id_ed25519.pub").read_text().split()[:2]))
    signing = Signing(str(key) + ".pub", None, "alice")
    async with await Journal.open(folder / "journal.sqlite") as journal:
        for start in range(0, events, 10_000):
            await journal.append_many(_note(i) for i in range(start, min(events, start + 10_000)))

        unsigned, signed, alone, beside = [], [], [], []
        for i in range(rounds):
            t = time.perf_counter()
            await write_checkpoint(journal, None)
            unsigned.append(time.perf_counter() - t)
            t = time.perf_counter()
            await write_checkpoint(journal, signing)
            signed.append(time.perf_counter() - t)
            t = time.perf_counter()
            await journal.append(_note(-i))
            alone.append(time.perf_counter() - t)
            background = asyncio.ensure_future(write_checkpoint(journal, signing))
            await asyncio.sleep(0)  # the checkpoint has started, as after a status change
            t = time.perf_counter()
            await journal.append(_note(-i))
            beside.append(time.perf_counter() - t)
            await background
        print(f"journal of {events} events, {rounds} rounds:")
        print(f"  write_checkpoint unsigned:          {_ms(unsigned)}")
        print(f"  write_checkpoint signed (key file): {_ms(signed)}")
        print(f"  one append alone:                   {_ms(alone)}")
        print(f"  one append beside a checkpoint:     {_ms(beside)}")

        state = await journal.checkpoint_state()
        assert state is not None
        notes = [(f"#{n}", t) for n, t in enumerate(await journal.kept_checkpoints(), 1)]
        signed_notes = [n for n in notes if "\u2014 " in n[1]]

        async def hash_at(seq: int) -> str | None:
            return await journal.hash_at(seq)

        t = time.perf_counter()
        findings = await check_checkpoints(state[0], state[1], hash_at, signed_notes, str(allowed))
        took = time.perf_counter() - t
        assert all(f.ok for f in findings), findings
        print(
            f"  verify: {len(signed_notes)} signed checkpoints checked in {took:.2f} s "
            f"({took / len(signed_notes) * 1e3:.1f} ms each, ssh-keygen -Y verify)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-checkpoints-") as tmp:
        asyncio.run(bench(Path(tmp), args.events, args.rounds))


if __name__ == "__main__":
    main()
