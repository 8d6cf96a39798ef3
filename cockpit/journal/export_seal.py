"""An export's signature: a checkpoint of the export's own chain, so "signed by alice" covers
every line of it (issue 14 items 2 and 4).

The journal checkpoint an export embeds (manifest `data.checkpoint`) states the journal it
came from, but one incident's lines are not on a path to that journal's head (the rows of
other incidents lie between), so its signature says nothing about them: an edited line with
its export chain recomputed would still carry it. The export is therefore sealed with a
second note of the same form (checkpoints.py), signed by the same key:

    cockpit-export/INC-20261128-1905      origin: the incident
    48                                    size: the events in the file
    <base64 of the manifest's eventhash>  root: chains every line and the manifest's data
    time 2026-12-02T01:22:10.123Z

It sits in the manifest's `signature` attribute, which the eventhash leaves out
(cloudevents.UNHASHED) for that reason; anyone can check it with `ssh-keygen -Y verify`.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from cockpit.journal.checkpoints import (
    EXPORT_PREFIX,
    CheckpointError,
    SigningUnavailable,
    make,
    parse,
    sign,
    verify_signature,
)
from cockpit.journal.jcs import canonicalize

if TYPE_CHECKING:
    from cockpit.journal.checkpointing import Signing
    from cockpit.journal.cloudevents import Export
    from cockpit.journal.selfverify import ExportCheck

UNCHECKED = "signature not checked: no allowed_signers (use --allowed-signers F)"


def _manifest(text: str) -> tuple[str, dict[str, Any]]:
    """(the text before the manifest line, the manifest object): the last line."""
    before, _, last = text.rstrip("\n").rpartition("\n")
    return (before + "\n" if before else ""), json.loads(last)


async def seal(export: Export, incident: str, signing: Signing) -> Export:
    """The export with its manifest signed; when the key cannot sign now, unsigned, with
    `unsigned` saying why (signing never blocks an action)."""
    if not signing.key:
        return export, None
    before, manifest = _manifest(export.text)
    if not (incident.isprintable() and incident.split() == [incident]):
        why = f"export left unsigned: incident id {incident!r} cannot be an origin line"
        return export._replace(unsigned=why)
    note = make(
        incident, int(manifest["data"]["events"]), manifest["eventhash"], prefix=EXPORT_PREFIX
    )
    try:
        note = await asyncio.to_thread(
            sign, note, signing.key, name=signing.name, allowed_signers=signing.allowed_signers
        )
    except SigningUnavailable as exc:
        return export._replace(unsigned=f"export left unsigned: {exc}")
    manifest["signature"] = note.text()
    line = canonicalize(manifest).decode("utf-8") + "\n"
    return export._replace(text=before + line)


def check_seal(check: ExportCheck, allowed_signers: str | None) -> tuple[bool, str]:
    """(good, "signed by ..." or the problem) for a file whose chain verified. Blocking: it
    runs ssh-keygen once per signature."""
    manifest = check.manifest or {}
    text = manifest.get("_signature")
    where = f"line {manifest.get('_line')}"
    if text is None:
        return True, "unsigned"
    if not isinstance(text, str):
        return False, f"{where}: the signature is not a text"
    try:
        note = parse(text)
    except CheckpointError as exc:
        return False, f"{where}: the signature cannot be read: {exc}"
    if (note.origin, note.size, note.head) != (
        EXPORT_PREFIX + check.incident,
        check.events,
        manifest.get("_eventhash"),
    ):
        return False, (
            f"{where}: the signature is not of this export (it states {note.origin},"
            f" {note.size} events ending at {note.head[:16]}...): lines changed after signing"
        )
    if not note.signatures:
        return True, "unsigned"
    checks = [verify_signature(note, s, allowed_signers) for s in note.signatures]
    for c in checks:
        if not c.ok:
            return False, f"{where}: signature of {c.who()}"
    names = ", ".join(f"{c.name} ({c.key_type} {c.fingerprint})" for c in checks)
    if allowed_signers:
        return True, f"signed by {names}"
    return True, f"signed by {names}, {UNCHECKED}"
