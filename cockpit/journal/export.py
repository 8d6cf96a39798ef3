"""Export an incident: dispatch to a renderer by format.

jsonl (CloudEvents, for tooling and `cockpit import`) is written by cloudevents.py from the
stored rows; md and html are the postmortem, gathered once by postmortem.py and laid out by
export_md.py / export_html.py, with the same CloudEvents lines embedded at the end (zlib,
base64) so that `cockpit verify FILE` checks them too. to_jsonl / jsonl_from_rows write the
format of cockpits before CloudEvents (still imported; the import tests build files with it).
Shared formatting lives in format.py, so the renderers never import this module.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from cockpit.journal.cloudevents import Export
from cockpit.journal.gcpause import gc_paused
from cockpit.model import Event

if TYPE_CHECKING:
    from cockpit.journal.arrival import TeamRecord
    from cockpit.journal.checkpointing import Signing
    from cockpit.journal.checkpoints import Checkpoint
    from cockpit.journal.ports import JournalPort
    from cockpit.journal.receipts import Receipt

FORMATS = ("md", "jsonl", "html")


def to_jsonl(events: Iterable[Event]) -> str:
    """One JSON object per line with every column; `cockpit import` reads it back."""
    return "".join(
        json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
    )


# json.dumps(..., ensure_ascii=False) escapes strings with exactly this (the C one if built)
_json_str = json.encoder.encode_basestring


def jsonl_from_rows(rows: Iterable[Sequence[Any]]) -> str:
    """to_jsonl of stored rows (raw_rows(): rows.CheckedRow), byte for byte, not decoded.

    The keys are StoredRow's fields in order, as in Event.as_dict. data and context are
    stored as canonical JSON (sorted keys, compact, ensure_ascii=False), which is what
    json.dumps re-emits for the parsed payload, so the stored text is embedded as is. A row
    that does not fit that shape (a type or invalid JSON no cockpit writes) takes the slow
    path, which behaves as before, errors included.
    """
    from cockpit.journal.rows import event_from_row  # here: keeps this module's imports light

    out: list[str] = []
    append = out.append
    for row in rows:
        seq, id_, incident, version, ts, actor, kind, schema, data, context, prev, hsh, ok = row
        if ok and type(seq) is int and type(version) is int and type(schema) is int:
            try:
                append(
                    f'{{"seq":{seq},"id":{_json_str(id_)},"incident":{_json_str(incident)},'
                    f'"version":{version},"ts":{_json_str(ts)},"actor":{_json_str(actor)},'
                    f'"kind":{_json_str(kind)},"schema":{schema},"data":{data},'
                    f'"context":{context},"prev_hash":{_json_str(prev)},'
                    f'"hash":{_json_str(hsh)}}}\n'
                )
                continue
            except TypeError:  # a non-text value in a text column
                pass
        append(to_jsonl([event_from_row(row[:-1], upcast=False)]))
    return "".join(out)


def with_recorded_by(text: str, receipts: dict[str, Receipt]) -> str:
    """jsonl lines of a team incident, each with the team store's receipt of its row: the
    database role that inserted it, when, and its place in the team chain (arrival order)."""
    out = []
    for line in text.splitlines():
        obj = json.loads(line)
        if (r := receipts.get(obj.get("id"))) is not None:
            line = (
                f'{line[:-1]},"recordedby":{_json_str(r.recorded_by)},'
                f'"recordedat":{_json_str(r.recorded_at)},"recordedseq":{r.seq}}}'
            )
        out.append(line + "\n")
    return "".join(out)


async def team_record(journal: JournalPort, incident: str) -> TeamRecord | None:
    """The team store's receipts of an incident: read from the store itself, or from the
    side file a synced local journal keeps (receipts.py); None for a journal that never
    synced with a team store."""
    from cockpit.journal.arrival import TeamRecord
    from cockpit.journal.receipts import ReceiptReader, side_file_of

    direct = getattr(journal, "receipts", None)
    if direct is not None:
        return TeamRecord(await direct(incident))
    path = getattr(journal, "path", None)
    if not isinstance(path, Path):
        return None
    reader = ReceiptReader(side_file_of(path), incident)
    if not reader.exists:
        return None
    return TeamRecord(await asyncio.to_thread(reader.read_new))


def to_markdown(
    events: list[Event],
    *,
    head: tuple[int, str] | None = None,
    team: TeamRecord | None = None,
) -> str:
    """The postmortem document (postmortem.py gathers it, export_md.py lays it out)."""
    # imported when used: the app imports this module on its first frame
    from cockpit.journal.export_md import render_markdown
    from cockpit.journal.postmortem import build
    from cockpit.plaintext import clean

    # the markdown has no charts: skip gathering their markers and series; read with `cat`
    # too, so no control character from the journal may reach the reader's terminal
    pm = build(events, head=head, charts=False)
    if team is not None:
        from cockpit.journal.postmortem_team import with_team

        pm = with_team(pm, team)
    markdown = render_markdown(pm)
    return clean(markdown, limit=None, multiline=True)


def to_html(
    events: list[Event],
    *,
    head: tuple[int, str] | None = None,
    panels: Any = (),
    team: TeamRecord | None = None,
) -> str:
    """One self-contained html file: the postmortem plus an SVG chart per metric panel."""
    from cockpit.journal.export_html import render_html
    from cockpit.journal.postmortem import build

    pm = build(events, head=head, panels=panels)
    if team is not None:
        from cockpit.journal.postmortem_team import with_team

        pm = with_team(pm, team)
    return render_html(pm)


async def render(journal: JournalPort, incident: str, fmt: str) -> str:
    """Render one incident of an open journal in `fmt` (one of FORMATS)."""
    return (await render_export(journal, incident, fmt)).text


async def render_export(
    journal: JournalPort,
    incident: str,
    fmt: str,
    *,
    redact_notes: bool = False,
    checkpoint: Checkpoint | None = None,
    signing: Signing | None = None,
) -> Export:
    """The export and, with redact_notes, the salts of the notes it commits to. With a
    checkpoint (written just before), the export states that journal head and embeds it;
    with a signing key, its manifest is signed (export_seal.py; `unsigned` says why not)."""
    with gc_paused():
        return await _render(journal, incident, fmt, redact_notes, checkpoint, signing)


async def _render(
    journal: JournalPort,
    incident: str,
    fmt: str,
    redact_notes: bool,
    checkpoint: Checkpoint | None = None,
    signing: Signing | None = None,
) -> Export:
    from cockpit.journal.cloudevents import cloudevents

    # raw payloads, not upcast: an import must reproduce the very rows that were hashed
    head = (checkpoint.size, checkpoint.head) if checkpoint else await journal.head()
    note, signer = None, None
    if checkpoint is not None:
        note = checkpoint.text()
        signer = ", ".join(s.name for s in checkpoint.signatures) or None
    rows = await journal.raw_rows(incident)
    lines = cloudevents(
        rows,
        incident,
        head,
        redact_notes=redact_notes,
        checkpoint=note,
        signer=signer,
    )
    if signing is not None and signing.key:
        from cockpit.journal.export_seal import seal

        lines = await seal(lines, incident, signing)
    team = await team_record(journal, incident)
    if fmt == "jsonl":
        if team:  # a team incident: who inserted each row, when, in which order
            lines = lines._replace(text=with_recorded_by(lines.text, team.by_id))
        return lines
    # zlib lets go of the GIL: the block is packed on another core while the document is laid
    # out here (a third of a 100k-event html export otherwise)
    packing = asyncio.ensure_future(asyncio.to_thread(export_block, lines.text))
    try:
        events = _events_of(rows, getattr(journal, "path", "the journal"))
        if redact_notes:
            events = [_without_note_text(e) for e in events]
        if fmt == "html":
            from cockpit.journal.postmortem import load_panels

            panels = await load_panels(journal, incident)
            html = to_html(events, head=head, panels=panels, team=team)
            return lines._replace(text=embed_html(html, await packing))
        markdown = to_markdown(events, head=head, team=team)
        return lines._replace(text=embed_md(markdown, await packing))
    finally:
        if not packing.done():
            await asyncio.wait([packing])  # a failure above: the thread is not left behind


REDACTED_TEXT = "(note text redacted: committed by hash in the export block)"


def _events_of(rows: Sequence[Sequence[Any]], where: object) -> list[Event]:
    """The events of the rows just read for the export block (what journal.events would
    read again, and decode the same way)."""
    from cockpit.journal.errors import JournalDamaged
    from cockpit.journal.rows import events_from_rows

    try:
        return events_from_rows(r[:12] for r in rows)  # type: ignore[misc]
    except (json.JSONDecodeError, UnicodeError, TypeError, RecursionError) as exc:
        raise JournalDamaged(
            f"journal {where} is damaged (a stored event cannot be decoded: {exc}): "
            "cockpit verify names the row"
        ) from None


def _without_note_text(event: Event) -> Event:
    from cockpit.journal.cloudevents import NOTE_KINDS

    if event.kind in NOTE_KINDS and "text" in event.data:
        return msgspec.structs.replace(event, data={**event.data, "text": REDACTED_TEXT})
    return event


def export_block(jsonl: str) -> str:
    """The lines of the CloudEvents export as md and html embed them: zlib, then base64 in
    lines of 76 ("\n" between them, none after the last). Opaque, but safe anywhere (no
    markup, no control character, no backtick), and a long note costs a fraction of its
    size instead of doubling the document."""
    import base64
    import zlib

    # encodebytes: MIME base64, lines of 76, cut in C (a million slices in Python was 0.3 s)
    return base64.encodebytes(zlib.compress(jsonl.encode("utf-8"), 1)).decode("ascii").rstrip()


def embed_md(md: str, block: str) -> str:
    """The block (export_block's text) before the closing journal-head line, in a fenced
    code block."""
    from cockpit.journal.selfverify import MD_BEGIN, MD_END

    intro = (
        "Machine-readable copy of this timeline (CloudEvents JSON lines, zlib, base64);"
        " `cockpit verify FILE` checks it without the journal."
    )
    at = md.rfind("\n---\n")
    head, tail = (md[: at + 1], md[at:]) if at >= 0 else (md, "")
    # one join: each "+" of a 50 MB document copied all of it once more
    return "".join([head, "\n", intro, "\n\n", MD_BEGIN, "\n", block, "\n", MD_END, "\n", tail])


def embed_html(html: str, block: str) -> str:
    """The block (export_block's text) in a hidden pre before </body>."""
    from cockpit.journal.selfverify import HTML_BEGIN, HTML_END

    at = html.rfind("</body>")
    at = len(html) if at < 0 else at
    # one join: each "+" of a 50 MB document copied all of it once more
    return "".join([html[:at], HTML_BEGIN, "\n", block, "\n", HTML_END, "\n", html[at:]])
