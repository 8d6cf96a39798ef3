"""`?`: every key with what it does and what it journals."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cockpit.keymap import KEYMAP, display_key


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen DataTable { height: auto; max-height: 30; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]cockpit keys[/b]  (esc to close)")
            table: DataTable[Any] = DataTable(cursor_type="row", show_cursor=False)
            table.add_columns("Key", "Action", "Journal")
            for item in KEYMAP:
                table.add_row(display_key(item.key), item.description, item.journal)
            yield table
