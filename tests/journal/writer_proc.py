"""Helper run as a separate OS process by the journal tests (not a test module).

Modes:
  bulk PATH NAME COUNT   wait for "go" on stdin, open PATH, append COUNT notes alternating
                         between incident INC-SHARED and INC-NAME, print "done"
  stream PATH NAME       open PATH, print "ready", append forever; print each id once
                         append() returned (the test kills this process with SIGKILL)
  on-go PATH NAME        open PATH, print "ready", append one note per "go" line on stdin
                         and print its id; exit on EOF
"""

from __future__ import annotations

import asyncio
import sys

from cockpit.journal.store import Journal
from cockpit.model import Draft


def note(incident: str, actor: str, text: str) -> Draft:
    return Draft(
        incident=incident, kind="note.added", actor=actor, data={"type": "note", "text": text}
    )


async def bulk(path: str, name: str, count: int) -> None:
    await asyncio.to_thread(sys.stdin.readline)  # start barrier: both processes race from here
    async with await Journal.open(path) as journal:
        for i in range(count):
            incident = "INC-SHARED" if i % 2 == 0 else f"INC-{name}"
            await journal.append(note(incident, name, f"{name} {i}"))
    print("done", flush=True)


async def stream(path: str, name: str) -> None:
    async with await Journal.open(path) as journal:
        print("ready", flush=True)
        i = 0
        while True:
            event = await journal.append(note(f"INC-{name}", name, f"{name} {i}"))
            # one write per line: a SIGKILL can never leave a half-reported id
            sys.stdout.write(event.id + "\n")
            sys.stdout.flush()
            i += 1


async def on_go(path: str, name: str) -> None:
    async with await Journal.open(path) as journal:
        print("ready", flush=True)
        i = 0
        while await asyncio.to_thread(sys.stdin.readline):
            event = await journal.append(note(f"INC-{name}", name, f"{name} {i}"))
            print(event.id, flush=True)
            i += 1


def main() -> None:
    mode, path, name, *rest = sys.argv[1:]
    if mode == "bulk":
        asyncio.run(bulk(path, name, int(rest[0])))
    elif mode == "stream":
        asyncio.run(stream(path, name))
    elif mode == "on-go":
        asyncio.run(on_go(path, name))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
