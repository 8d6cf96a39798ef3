"""The live cockpit checkpoints the journal on the moments issue 14 names, in the background,
signed when it can be and unsigned (said once) when it cannot."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from cockpit.config import SigningConfig
from cockpit.incident import IncidentController
from cockpit.journal import checkpoints
from cockpit.session import Session

from .test_incident import INCIDENT, Recorder, started


class Told(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        self.notices.append(text)


def _controller(path: Path, signing: SigningConfig | None = None) -> IncidentController:
    session = Session(
        journal=None, journal_path=path, incident=INCIDENT, operator="alice", signing=signing
    )
    return IncidentController(session)


def _sizes(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        notes = [r[0] for r in conn.execute("SELECT note FROM checkpoints ORDER BY id")]
    finally:
        conn.close()
    return [checkpoints.parse(n).size for n in notes]


async def _settled(controller: IncidentController) -> None:
    assert controller.checkpointer is not None
    await controller.checkpointer.settle()


async def test_status_severity_handoff_and_session_end_are_checkpointed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    controller = _controller(path)
    await started(controller, Told())
    actions = controller.actions
    await controller.perform(actions.declare("checkout 5xx"))
    await controller.perform(actions.add_note("note", "looking"))
    await _settled(controller)
    assert _sizes(path) == []  # a declaration and a note are not among the moments
    status = await controller.perform(actions.set_status("identified"))
    await _settled(controller)
    severity = await controller.perform(actions.set_severity("SEV2"))
    await _settled(controller)
    handoff = await controller.perform(actions.handoff("carol"))
    await _settled(controller)
    assert status and severity and handoff
    assert _sizes(path) == [status.seq, severity.seq, handoff.seq]
    await controller.close()
    # session.ended is the journal's last event, and the last checkpoint covers it
    conn = sqlite3.connect(path)
    (last,) = conn.execute("SELECT max(seq) FROM events").fetchone()
    conn.close()
    assert _sizes(path)[-1] == last


async def test_every_hundredth_event_is_checkpointed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    controller = _controller(path)
    await started(controller, Told())
    last = None
    for i in range(205):
        last = await controller.perform(controller.actions.add_note("note", f"n{i}"))
    await _settled(controller)
    assert last is not None and last.seq > 200
    # one as the journal passed 100 and one as it passed 200 (each states the journal as it
    # is when it is written, in the background: the keys typed meanwhile are covered too)
    sizes = _sizes(path)
    assert len(sizes) == 2 and 100 <= sizes[0] < 200 <= sizes[1] <= last.seq
    await controller.close()


async def test_a_key_that_cannot_sign_is_said_once_and_nothing_waits(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    missing = SigningConfig(key=str(tmp_path / "nowhere.pub"))
    listener = Told()
    controller = _controller(path, missing)
    await started(controller, listener)
    for status in ("identified", "monitoring"):
        assert await controller.perform(controller.actions.set_status(status)) is not None
        await _settled(controller)
    assert len(_sizes(path)) == 2  # kept, unsigned
    assert listener.notices == [
        f"checkpoint stored unsigned: signing key {tmp_path / 'nowhere.pub'} not found"
    ]
    await controller.close()


async def test_signed_with_the_configured_key(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    path = tmp_path / "journal.sqlite"
    listener = Told()
    controller = _controller(path, SigningConfig(key=f"{key}.pub"))
    await started(controller, listener)
    await controller.perform(controller.actions.set_severity("SEV1"))
    await _settled(controller)
    await controller.close()
    conn = sqlite3.connect(path)
    notes = [checkpoints.parse(r[0]) for r in conn.execute("SELECT note FROM checkpoints")]
    conn.close()
    assert notes and all(n.signed for n in notes)
    assert notes[0].signatures[0].name == "alice"
    assert listener.notices == []
