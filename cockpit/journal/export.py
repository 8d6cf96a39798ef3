"""Export an incident: dispatch to a renderer by format.

jsonl (for tooling and `cockpit import`) is written here from the stored rows; md and html are
the postmortem, gathered once by postmortem.py and laid out by export_md.py / export_html.py.
Shared formatting lives in format.py, so the renderers never import this module.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cockpit.model import Event

if TYPE_CHECKING:
    from cockpit.journal.ports import JournalPort

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


def with_recorded_by(text: str, recorded: dict[str, tuple[str, str]]) -> str:
    """jsonl lines of a team store, each with the database role that inserted it and when:
    the authenticated identity next to the self-declared actor."""
    out = []
    for line in text.splitlines():
        obj = json.loads(line)
        if (by := recorded.get(obj.get("id"))) is not None:
            line = (
                line[:-1] + f',"recorded_by":{_json_str(by[0])},"recorded_at":{_json_str(by[1])}}}'
            )
        out.append(line + "\n")
    return "".join(out)


def to_markdown(events: list[Event], *, head: tuple[int, str] | None = None) -> str:
    """The postmortem document (postmortem.py gathers it, export_md.py lays it out)."""
    # imported when used: the app imports this module on its first frame
    from cockpit.journal.export_md import render_markdown
    from cockpit.journal.postmortem import build
    from cockpit.plaintext import clean

    # the markdown has no charts: skip gathering their markers and series; read with `cat`
    # too, so no control character from the journal may reach the reader's terminal
    markdown = render_markdown(build(events, head=head, charts=False))
    return clean(markdown, limit=None, multiline=True)


def to_html(events: list[Event], *, head: tuple[int, str] | None = None, panels: Any = ()) -> str:
    """One self-contained html file: the postmortem plus an SVG chart per metric panel."""
    from cockpit.journal.export_html import render_html
    from cockpit.journal.postmortem import build

    return render_html(build(events, head=head, panels=panels))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while an export builds its objects.

    An export allocates a few objects per event and keeps them all alive until it returns, so
    every collection rescans the growing heap and finds nothing: at 100k events that was a
    third of the markdown export. Reference counting still frees everything as usual.
    """
    if not gc.isenabled():  # someone else paused it: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def render(journal: JournalPort, incident: str, fmt: str) -> str:
    """Render one incident of an open journal in `fmt` (one of FORMATS)."""
    with _gc_paused():
        return await _render(journal, incident, fmt)


async def _render(journal: JournalPort, incident: str, fmt: str) -> str:
    if fmt == "jsonl":
        # raw payloads, not upcast: an import must reproduce the very rows that were hashed
        text = jsonl_from_rows(await journal.raw_rows(incident))
        recorded = getattr(journal, "recorded_by", None)
        if recorded is not None:
            text = with_recorded_by(text, await recorded(incident))
        return text
    events = await journal.events(incident)
    if fmt == "html":
        from cockpit.journal.postmortem import load_panels

        panels = await load_panels(journal, incident)
        return to_html(events, head=await journal.head(), panels=panels)
    return to_markdown(events, head=await journal.head())
