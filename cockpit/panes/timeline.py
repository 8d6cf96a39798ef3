"""The incident's journal, live, newest at the bottom: exactly what was recorded."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from cockpit.journal.events import is_system, is_view
from cockpit.journal.export import describe
from cockpit.model import Event
from cockpit.text import inert

MAX_ROWS = 5000  # older rows leave the screen, never the journal


class TimelinePane(Vertical):
    DEFAULT_CSS = """
    TimelinePane { border: round $panel-lighten-2; height: 1fr; }
    TimelinePane:focus-within { border: round $accent; }
    TimelinePane > DataTable { height: 1fr; scrollbar-size-horizontal: 0; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(id="timeline", classes="pane", **kwargs)
        self.border_title = "5 Timeline"
        self.events: list[Event] = []
        self.show_views = False
        self.dropped = 0

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row")
        table.add_column("#", key="seq", width=5)
        table.add_column("UTC", key="ts", width=8)
        table.add_column("Actor", key="actor", width=14)
        table.add_column("What", key="what")
        yield table

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(DataTable)

    def add(self, event: Event) -> None:
        self.events.append(event)
        if len(self.events) > MAX_ROWS:
            self.events.pop(0)
            self.dropped += 1
        if is_view(event.kind) and not self.show_views:
            return
        table = self.table
        at_bottom = table.row_count == 0 or table.cursor_row >= table.row_count - 1
        table.add_row(*row_cells(event), key=str(event.seq))
        if table.row_count > MAX_ROWS:
            first = table.coordinate_to_cell_key((0, 0)).row_key
            table.remove_row(first)
        if at_bottom:
            table.move_cursor(row=table.row_count - 1, animate=False)

    def reset(self, events: list[Event]) -> None:
        """Show exactly `events` (replay seeking backwards), the newest selected."""
        self.events = events[-MAX_ROWS:]
        self.dropped = len(events) - len(self.events)
        self.table.clear()
        for event in self.events:
            if self.show_views or not is_view(event.kind):
                self.table.add_row(*row_cells(event), key=str(event.seq))
        self.table.move_cursor(row=self.table.row_count - 1, animate=False)

    def toggle_views(self) -> bool:
        self.show_views = not self.show_views
        self.table.clear()
        for event in self.events:
            if self.show_views or not is_view(event.kind):
                self.table.add_row(*row_cells(event), key=str(event.seq))
        self.table.move_cursor(row=self.table.row_count - 1, animate=False)
        return self.show_views

    def selected(self) -> Event | None:
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((e for e in reversed(self.events) if str(e.seq) == key), None)


def row_cells(event: Event) -> list[Text]:
    system = is_system(event.kind)
    style = "dim" if system or is_view(event.kind) else ""
    what = inert(describe(event), limit=300, style=style)
    if event.data.get("_redacted"):
        what.append(" [secrets redacted]", style="italic dim")
    return [
        Text(str(event.seq), style="dim"),
        Text(event.ts[11:19]),
        inert(event.actor, limit=30, style="dim" if system else "bold"),
        what,
    ]
