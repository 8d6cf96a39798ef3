"""The incident controller without Textual: open, fold, tail, decide, journal faults.

No Pilot and no fixed sleeps: every wait is on a condition (an entry folded, a task done).
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.incident import IncidentController
from cockpit.journal.store import Journal
from cockpit.model import Draft, Event, SystemChange
from cockpit.session import Session

INCIDENT = "INC-20261202-0730-x1"
HELPER = Path(__file__).with_name("declare_proc.py")


class Recorder:
    """An IncidentListener that keeps what the UI would have been told."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.problems: list[str | None] = []
        self.failures: list[str] = []
        self.refreshes = 0

    def journal_event(self, event: Event) -> None:
        self.events.append(event)

    def state_changed(self) -> None:
        self.refreshes += 1

    def journal_problem(self, problem: str | None) -> None:
        self.problems.append(problem)

    def journal_failed(self, reason: str) -> None:
        self.failures.append(reason)


def controller_on(path: Path, operator: str = "alice") -> IncidentController:
    session = Session(journal=None, journal_path=path, incident=INCIDENT, operator=operator)
    return IncidentController(session)


def note(text: str, actor: str = "bob") -> Draft:
    return Draft(
        incident=INCIDENT, kind="note.added", actor=actor, data={"type": "note", "text": text}
    )


async def started(controller: IncidentController, listener: Recorder) -> None:
    """Start it as the app does, show the 'first frame', wait until its history is in."""
    controller.start(listener)
    controller.frame_shown()
    await controller.history_loaded.wait()
    await controller.session_start_done.wait()


async def test_the_journal_opens_only_after_the_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    controller = controller_on(path)
    controller.start(Recorder())
    # let every task run as far as it can without a frame
    for _ in range(20):
        await asyncio.sleep(0)
    assert not controller.journal_ready.is_set() and not path.exists()
    controller.frame_shown()
    await controller.journal_ready.wait()
    assert controller.is_open and path.exists()
    await controller.close()


async def test_history_and_other_processes_entries_are_folded(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    async with await Journal.open(path) as other:
        await other.append(note("before alice came"))
        await other.append(
            Draft(
                incident=INCIDENT, kind="severity.changed", actor="bob", data={"severity": "SEV3"}
            )
        )
        listener = Recorder()
        controller = controller_on(path)
        await started(controller, listener)
        assert controller.state.severity == "SEV3" and controller.state.notes == 1
        # another connection (as another cockpit process) declares: the tail folds it
        declared = await other.append(
            Draft(incident=INCIDENT, kind="incident.declared", actor="bob", data={"title": "5xx"})
        )
        await asyncio.wait_for(controller.wait_for_seq(declared.seq), 10)
        assert controller.state.declared and controller.state.title == "5xx"
        assert [e.kind for e in listener.events][-1] == "incident.declared"
        assert listener.refreshes >= 2  # after the history, after the tailed entry
        await controller.close()


async def test_a_stale_declare_is_retried_as_a_retitle(tmp_path: Path) -> None:
    """The defect: bob's cockpit had not seen alice's declare yet; his Enter must not
    journal a second incident.declared."""
    path = tmp_path / "journal.sqlite"
    bob = controller_on(path, operator="bob")
    bob.frame_shown()
    await bob.open()
    await bob.load_history()  # no tail: bob's state is stale until an append tells him
    bob.history_loaded.set()
    async with await Journal.open(path) as alice:
        await alice.append(
            Draft(incident=INCIDENT, kind="incident.declared", actor="alice", data={"title": "a"})
        )
    assert not bob.state.declared
    event = await bob.perform(bob.actions.declare("checkout 5xx"))
    assert event is not None and event.kind == "incident.retitled"
    kinds = [e.kind for e in await bob.journal.events(INCIDENT)]
    assert kinds == ["incident.declared", "incident.retitled"]
    assert bob.state.title == "checkout 5xx" and bob.state.version == 2
    await bob.journal.close()


async def test_handoff_operator_is_folded_from_the_journal(tmp_path: Path) -> None:
    listener = Recorder()
    controller = controller_on(tmp_path / "journal.sqlite")
    await started(controller, listener)
    actions = controller.actions
    await controller.perform(actions.handoff("carol"))
    assert controller.state.sessions[actions.session_id] == "carol"
    assert actions.operator == "carol"
    note_event = await controller.perform(actions.add_note("note", "carol types"))
    assert note_event is not None and note_event.actor == "carol"
    await controller.close()


async def test_system_changes_are_journaled_once_in_order(tmp_path: Path) -> None:
    listener = Recorder()
    controller = controller_on(tmp_path / "journal.sqlite")
    await started(controller, listener)
    firing = SystemChange("system.alert.firing", "alertmanager", {"alert": "A"}, key="fp1:firing")
    deploy = SystemChange("system.deploy", "kubernetes", {"deployment": "shop/co"}, key="co:42")
    for change in (firing, deploy, firing):  # the same change seen twice
        controller.observe(change)

    async def journaled() -> list[str]:
        while True:
            kinds = [e.kind for e in await controller.journal.events(INCIDENT)]
            if "system.deploy" in kinds:
                return kinds
            await asyncio.sleep(0.01)

    kinds = await asyncio.wait_for(journaled(), 10)
    assert kinds == ["session.started", "system.alert.firing", "system.deploy"]
    await controller.close()
    kinds = [e.kind for e in await events_in(tmp_path / "journal.sqlite")]
    assert kinds[-1] == "session.ended" and kinds.count("system.alert.firing") == 1


async def events_in(path: Path) -> list[Event]:
    async with await Journal.open(path, create=False) as journal:
        return await journal.events(INCIDENT)


async def test_write_failure_is_reported_and_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = Recorder()
    controller = controller_on(tmp_path / "journal.sqlite")
    await started(controller, listener)
    journal = controller.journal
    working = journal.append

    async def full_disk(*args: object, **kwargs: object) -> Event:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(journal, "append", full_disk)
    assert await controller.perform(controller.actions.add_note("note", "lost?")) is None
    assert listener.problems and "disk is full" in str(listener.problems[-1])
    assert controller.journal_problem is not None
    monkeypatch.setattr(journal, "append", working)
    event = await controller.perform(controller.actions.add_note("note", "typed again"))
    assert event is not None and listener.problems[-1] is None
    assert controller.journal_problem is None
    await controller.close()


async def test_a_journal_that_cannot_open_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not a database, it is a text file" * 100)
    listener = Recorder()
    controller = controller_on(path)
    controller.start(listener)
    controller.frame_shown()
    await controller.journal_ready.wait()
    assert len(listener.failures) == 1 and controller.journal_failure == listener.failures[0]
    assert not controller.is_open
    # an action after that is not recorded anywhere, and says nothing is open
    assert await controller.perform(controller.actions.add_note("note", "x")) is None
    await controller.close()
    assert path.read_bytes().startswith(b"this is not a database")


def test_two_processes_declaring_at_once_journal_one_declaration(tmp_path: Path) -> None:
    """Two real cockpit processes, both having folded the same (undeclared) incident, declare
    at the same moment: one incident.declared, one incident.retitled, never two declares."""
    path = tmp_path / "journal.sqlite"
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), "declare", str(path), INCIDENT, name, f"{name}'s title"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("alice", "bob")
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:  # both decided against the same version before either appends
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outcomes = [proc.communicate(timeout=30)[0].split() for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    assert sorted(kind for kind, _ in outcomes) == ["incident.declared", "incident.retitled"]
    # the retitle came from a refused (stale) append that was decided again
    assert dict(outcomes)["incident.retitled"] == "1"
    rows = sqlite3.connect(path).execute(
        "SELECT kind, version FROM events WHERE incident = ? ORDER BY seq", (INCIDENT,)
    )
    assert list(rows) == [("incident.declared", 1), ("incident.retitled", 2)]


class StepClock:
    """The session's clock, moved by hand: each observed change gets a known moment."""

    def __init__(self, value: float = 1_795_892_700.0) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


def _fail_writes(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    async def full_disk(*args: object, **kwargs: object) -> Event:
        raise sqlite3.OperationalError("database or disk is full")

    for name in ("append", "append_once", "append_many"):
        monkeypatch.setattr(journal, name, full_disk)


async def _changes_in(controller: IncidentController, count: int) -> list[Event]:
    """Wait (on the journal, bounded) until `count` system entries are in it; those."""

    async def rows() -> list[Event]:
        while True:
            found = [
                e for e in await controller.journal.events(INCIDENT) if e.kind.startswith("system.")
            ]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(rows(), 15)


async def test_changes_seen_while_the_journal_is_down_are_journaled_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16 (1): a full disk makes the changes wait, counted in the banner, and they are
    journaled in order, at the moment they were observed, once writes work again."""
    clock = StepClock()
    session = Session(
        journal=None,
        journal_path=tmp_path / "j.sqlite",
        incident=INCIDENT,
        operator="alice",
        clock=clock,
    )
    controller, listener = IncidentController(session), Recorder()
    await started(controller, listener)
    with monkeypatch.context() as broken:
        _fail_writes(controller.journal, broken)
        for n in range(3):
            clock.value += 10
            controller.observe(
                SystemChange("system.alert.firing", "alertmanager", {"alert": f"A{n}"}, f"k{n}")
            )

        async def banner_counts_three() -> None:
            while not any("3 observed changes held" in str(p) for p in listener.problems):
                await asyncio.sleep(0.01)

        await asyncio.wait_for(banner_counts_three(), 10)
    # the disk has room again: the retry journals them without any new change arriving
    rows = await _changes_in(controller, 3)
    assert [e.data["alert"] for e in rows] == ["A0", "A1", "A2"]
    assert [e.moment.timestamp() for e in rows] == [clock.value - 20, clock.value - 10, clock.value]

    async def queue_empty_and_banner_gone() -> None:
        # the rows can be read back a moment before the retry task pops the last one
        while not (listener.problems[-1] is None and len(controller.held) == 0):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(queue_empty_and_banner_gone(), 10)
    await controller.close()


async def test_more_changes_than_can_be_held_are_counted_and_the_count_journaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = Recorder()
    controller = controller_on(tmp_path / "j.sqlite")
    controller.held.limit = 2
    await started(controller, listener)
    with monkeypatch.context() as broken:
        _fail_writes(controller.journal, broken)
        for n in range(5):
            controller.observe(
                SystemChange("system.alert.firing", "alertmanager", {"alert": f"A{n}"}, f"k{n}")
            )

        async def three_lost() -> None:
            while controller.held.lost < 3:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(three_lost(), 10)
        assert "3 lost" in str(listener.problems[-1])
    rows = await _changes_in(controller, 3)
    assert [e.kind for e in rows] == ["system.alert.firing"] * 2 + ["system.changes.lost"]
    assert [e.data.get("alert") for e in rows[:2]] == ["A0", "A1"]
    assert rows[-1].data["count"] == 3 and rows[-1].actor == "cockpit"
    await controller.close()
