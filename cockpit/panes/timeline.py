"""The incident's journal, live, newest at the bottom: exactly what was recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from cockpit.kinds import describe, is_system, is_view
from cockpit.model import Event
from cockpit.panes.rowlist import RowList
from cockpit.text import inert

MAX_ROWS = 5000  # older rows leave the screen, never the journal
ACTOR_WIDTH = 14
LATE_MARK = "late"  # README "Team journal": arrived in the team store after later events


class TimelinePane(RowList):
    """The journal as rows (a bordered RowList: the pane is the list)."""

    DEFAULT_CSS = """
    TimelinePane { border: round $panel-lighten-2; }
    TimelinePane.-active { border: round $accent; }
    """

    def __init__(self, **kwargs: Any) -> None:
        columns = Text(f"{'#':>6} {'UTC':<8} {'Actor':<{ACTOR_WIDTH}} What")
        super().__init__(columns=columns, id="timeline", classes="pane", **kwargs)
        self.border_title = "5 Timeline"
        self.events: list[Event] = []  # every event received, view.* included
        self.shown: list[Event] = []  # the events behind the rows, in row order
        self.show_views = False
        self.dropped = 0
        self.numbers: dict[str, int] = {}  # note id -> its row number (#42), for amendments
        self.late: set[str] = set()  # ids that reached the team store after later events

    def _visible(self, event: Event) -> bool:
        return self.show_views or not is_view(event.kind)

    def add(self, event: Event) -> None:
        self.events.append(event)
        self._number(event)
        if len(self.events) > MAX_ROWS:
            gone = self.events.pop(0)
            self.dropped += 1
            if self.shown and self.shown[0] is gone:
                self.shown.pop(0)
                self.drop_first()
        if self._visible(event):
            self.shown.append(event)
            self.append(row_text(event, self.numbers, late=event.id in self.late))

    def reset(self, events: list[Event], earlier: Sequence[Event] = ()) -> None:
        """Show exactly `events` (replay seeking backwards), the newest selected; `earlier`:
        the entries before them, so an amendment still names its note by number."""
        self.events = events[-MAX_ROWS:]
        self.dropped = len(events) - len(self.events)
        self.numbers = {}
        for event in (*earlier, *events):
            self._number(event)
        self._rebuild()

    def toggle_views(self) -> bool:
        self.show_views = not self.show_views
        self._rebuild()
        return self.show_views

    def _rebuild(self) -> None:
        self.shown = [e for e in self.events if self._visible(e)]
        self.set_rows([row_text(e, self.numbers, late=e.id in self.late) for e in self.shown])

    def mark_late(self, late: set[str]) -> None:
        """Mark the rows of events that arrived late in the team store (and unmark those
        no longer late); only rows whose mark changed are repainted."""
        changed = late ^ self.late
        self.late = set(late)
        if not changed:
            return
        self.replace_lines(
            {
                self.keys[i]: row_text(e, self.numbers, late=e.id in late)
                for i, e in enumerate(self.shown)
                if e.id in changed and i < len(self.keys)
            }
        )

    def _number(self, event: Event) -> None:
        if event.kind == "note.added":
            self.numbers[event.id] = event.seq

    def selected(self) -> Event | None:
        index = self.cursor
        return self.shown[index] if 0 <= index < len(self.shown) else None


def row_text(event: Event, numbers: dict[str, int] | None = None, *, late: bool = False) -> Text:
    """One timeline row: seq, time, actor, what; untrusted parts inert, a multi-line note on
    one row with its line breaks marked (⏎). `numbers`: note ids -> their row numbers.
    `late`: it reached the team store after events that happened later (a dim mark)."""
    system = is_system(event.kind)
    dim = "dim" if system or is_view(event.kind) else ""
    row = Text(f"{event.seq:>6} ", style="dim")
    row.append(f"{event.ts[11:19]:<8} ")
    actor = inert(event.actor, limit=ACTOR_WIDTH, style="dim" if system else "bold")
    actor.truncate(ACTOR_WIDTH, overflow="ellipsis", pad=True)
    row.append_text(actor)
    row.append(" ")
    row.append_text(inert(what(event, numbers or {}), limit=300, style=dim))
    if event.data.get("_redacted"):
        row.append(" [secrets redacted]", style="italic dim")
    if late:
        row.append(f" {LATE_MARK}", style="dim")
    return row


def what(event: Event, numbers: dict[str, int]) -> str:
    """The row's text: an amendment names the note it corrects by its row number, as the
    operator sees it in this column, never by its id."""
    if event.kind != "note.amended":
        return describe(event.kind, event.data)
    number = numbers.get(str(event.data.get("amends", "")))
    target = f"note #{number}" if number is not None else "an earlier note"
    text = describe(event.kind, {**event.data, "amends": ""}).partition(": ")[2]
    return f"amended {target}: {text}"
