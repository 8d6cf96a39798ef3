"""The join-or-new chooser a plain `cockpit` shows when the journal has active incidents.

A tiny Textual app run before the cockpit (issue 12 item 1): joining someone's incident is
always an explicit choice, never a side effect of starting in the same minute. It returns
the incident to join, NEW for a new incident, or None when the operator quits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.journal.active import ActiveIncident
from cockpit.text import inert

NEW = "\0new"  # not a valid incident id: cannot be mistaken for one


class ChooserApp(App[str | None]):
    CSS = """
    Screen { align: center middle; }
    #box { width: 100; max-width: 100%; height: auto; border: round $accent; padding: 0 1; }
    #title { padding: 0 0 1 0; }
    OptionList { height: auto; max-height: 14; border: none; }
    #keys { color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("n", "new", "new incident"),
        Binding("q,escape", "quit_chooser", "quit"),
        *(Binding(str(i), f"join({i - 1})", show=False) for i in range(1, 10)),
    ]

    def __init__(
        self,
        incidents: list[ActiveIncident],
        journal: str,
        *,
        themes: dict[str, Any] | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.incidents = incidents
        self.journal = journal
        for t in (themes or {}).values():
            self.register_theme(t)
        if theme and theme in (themes or {}):
            self.theme = theme

    def compose(self) -> ComposeResult:
        now = datetime.now(UTC)
        title = Text("Active incidents in ", style="bold")
        title.append_text(inert(self.journal, limit=60))
        options = [
            Option(inert(f"{i}  join {inc.line(now)}", limit=96), id=inc.id)
            for i, inc in enumerate(self.incidents, 1)
        ]
        options.append(Option(Text("n  start a new incident"), id=NEW))
        with Vertical(id="box"):
            yield Static(title, id="title")
            yield OptionList(*options, id="choices")
            yield Static("enter or 1-9 join · n new incident · q quit", id="keys")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(event.option.id)

    def action_join(self, index: int) -> None:
        if index < len(self.incidents):
            self.exit(self.incidents[index].id)

    def action_new(self) -> None:
        self.exit(NEW)

    def action_quit_chooser(self) -> None:
        self.exit(None)
