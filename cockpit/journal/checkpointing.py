"""When checkpoints are written, and how `cockpit verify` checks them against a journal.

The text form, signing and signature checks are cockpit/journal/checkpoints.py; this module
joins them to a Journal: write one now (signed off the event loop), and find truncation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.journal.checkpoints import (
    ORIGIN_PREFIX,
    Checkpoint,
    CheckpointError,
    SignatureCheck,
    SigningUnavailable,
    make,
    parse,
    sign,
    verify_signature,
)

if TYPE_CHECKING:
    from cockpit.journal.ports import CheckpointLog as Journal

EVERY = 100  # a checkpoint whenever the journal's size reaches a multiple of this
# an event of one of these kinds is followed by a checkpoint (issue 14 item 1)
KINDS = frozenset(
    {"status.changed", "severity.changed", "operator.handoff", "export.created", "session.ended"}
)


@dataclass(frozen=True, slots=True)
class Signing:
    """[signing] in the config, and whose name a signature carries when allowed_signers
    does not say (the operator's)."""

    key: str | None = None
    allowed_signers: str | None = None
    name: str = "unknown"


def due(kinds: Iterable[str], first_seq: int, last_seq: int) -> bool:
    """Do appended events (seq first..last, of these kinds) call for a checkpoint?"""
    if any(k in KINDS for k in kinds):
        return True
    return last_seq // EVERY > (first_seq - 1) // EVERY


async def write_checkpoint(
    journal: Journal, signing: Signing | None
) -> tuple[Checkpoint | None, str | None]:
    """Checkpoint the journal as it is now: (the checkpoint, why it is unsigned if signing
    was asked for but could not be done). Signing runs in a thread; it never blocks."""
    state = await journal.checkpoint_state()
    if state is None:
        return None, None  # nothing to state yet
    checkpoint = make(*state)
    problem = None
    if signing is not None and signing.key:
        try:
            checkpoint = await asyncio.to_thread(
                sign,
                checkpoint,
                signing.key,
                name=signing.name,
                allowed_signers=signing.allowed_signers,
            )
        except SigningUnavailable as exc:
            problem = f"checkpoint stored unsigned: {exc}"
    await journal.keep_checkpoint(checkpoint.size, checkpoint.text())
    return checkpoint, problem


class Checkpointer:
    """The live cockpit's: after an append that calls for one, a checkpoint is written in
    the background (one at a time; requests while one is being signed fold into one more).
    `on_unsigned` is told, once per run, why checkpoints go unsigned."""

    def __init__(
        self,
        journal: Journal,
        signing: Signing | None,
        on_unsigned: Callable[[str], None] | None = None,
    ) -> None:
        self.journal = journal
        self.signing = signing
        self.on_unsigned = on_unsigned
        self.told = False
        self.written = 0
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def appended(self, kinds: Iterable[str], first_seq: int, last_seq: int) -> None:
        if due(kinds, first_seq, last_seq):
            self.request()

    def request(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            await self.write_now()
            if not self._again:
                return

    async def write_now(self) -> Checkpoint | None:
        # a checkpoint is evidence on the side: a failure to write one never stops anything
        try:
            checkpoint, problem = await write_checkpoint(self.journal, self.signing)
        except Exception:  # journal closed or not writable: the next one retries
            return None
        self.written += 1
        if problem is not None and not self.told:
            self.told = True
            if self.on_unsigned is not None:
                self.on_unsigned(problem)
        return checkpoint

    async def settle(self) -> None:
        """Wait for a checkpoint being written (session end, tests)."""
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task


# -- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    line: str


def _signed_by(checks: list[SignatureCheck]) -> str:
    if not checks:
        return "unsigned"
    return "signed by " + ", ".join(c.who() for c in checks)


def _who(checks: list[SignatureCheck]) -> str:
    # short form inside a failure line: the names only, as the message reads
    if not checks:
        return "unsigned"
    return "signed by " + ", ".join(c.name for c in checks)


async def check_checkpoints(
    journal_id: str | None,
    count: int,
    hash_at: Callable[[int], Awaitable[str | None]],
    checkpoints: list[tuple[str, str]],
    allowed_signers: str | None,
) -> list[Finding]:
    """Check each (where, note text) against a journal whose chain holds `count` events:
    one Finding per problem, then one summary line for those that hold."""
    findings: list[Finding] = []
    held: list[tuple[Checkpoint, list[SignatureCheck]]] = []
    for where, text in checkpoints:
        try:
            checkpoint = parse(text)
        except CheckpointError as exc:
            findings.append(Finding(False, f"checkpoint {where} cannot be read: {exc}"))
            continue
        checks = [
            await asyncio.to_thread(verify_signature, checkpoint, s, allowed_signers)
            for s in checkpoint.signatures
        ]
        label = f"checkpoint of {checkpoint.when()} ({_who(checks)})"
        bad = False
        for c in checks:
            if not c.ok:
                findings.append(Finding(False, f"{label} {where}: {c.who()}"))
                bad = True
        if journal_id is not None and checkpoint.origin != ORIGIN_PREFIX + journal_id:
            findings.append(
                Finding(
                    False,
                    f"{label} {where} is of another journal ({checkpoint.origin}); this one is "
                    f"cockpit-journal/{journal_id}",
                )
            )
            continue
        if checkpoint.size > count:
            findings.append(
                Finding(
                    False,
                    f"journal truncated: {label} covers {checkpoint.size} events, "
                    f"the journal has {count} ({where})",
                )
            )
            continue
        ours = await hash_at(checkpoint.size) if checkpoint.size else None
        if checkpoint.size and ours != checkpoint.head:
            findings.append(
                Finding(
                    False,
                    f"journal rewritten: {label} covers {checkpoint.size} events ending at "
                    f"{checkpoint.head}, not on the chain (event {checkpoint.size} is {ours};"
                    f" {where})",
                )
            )
            continue
        if not bad:
            held.append((checkpoint, checks))
    if held:
        latest, checks = max(held, key=lambda h: h[0].size)
        signed = sum(1 for c, _ in held if c.signed)
        findings.append(
            Finding(
                True,
                f"ok: {len(held)} checkpoints on the chain ({signed} signed); the latest, of "
                f"{latest.when()}, covers {latest.size} events, {_signed_by(checks)}",
            )
        )
    return findings
