"""Helper run as a separate OS process by the controller tests (not a test module).

declare PATH INCIDENT OPERATOR TITLE
    open PATH through an IncidentController, fold the incident's history (no tail: this
    process learns of others' entries only when an append is refused), print "ready",
    wait for "go" on stdin, declare TITLE, print the kind that was journaled and how many
    times the append was refused as stale ("incident.retitled 1").
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from cockpit.incident import IncidentController
from cockpit.journal.errors import VersionConflict
from cockpit.session import Session


async def declare(path: str, incident: str, operator: str, title: str) -> None:
    session = Session(journal=None, journal_path=Path(path), incident=incident, operator=operator)
    controller = IncidentController(session)
    controller.frame_shown()
    await controller.open()
    await controller.load_history()
    controller.history_loaded.set()
    refused = 0
    journal = controller.journal
    append = journal.append

    async def counting_append(*args: object, **kwargs: object) -> object:
        nonlocal refused
        try:
            return await append(*args, **kwargs)  # type: ignore[arg-type]
        except VersionConflict:
            refused += 1
            raise

    journal.append = counting_append  # type: ignore[method-assign]
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # both processes race from here
    event = await controller.perform(controller.actions.declare(title))
    assert event is not None
    print(event.kind, refused, flush=True)
    await journal.close()


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    assert mode == "declare", mode
    asyncio.run(declare(*args))
