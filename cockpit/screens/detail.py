"""`enter`: the full text of the selected item, every field, scrollable."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cockpit.text import inert

DETAIL_LIMIT = 2_000_000  # the full text of a 1 MB event message still fits


def describe_item(item: Any) -> str:
    """Every field of a model object, pretty-printed; strings in full."""
    if isinstance(item, msgspec.Struct):
        data = msgspec.structs.asdict(item)
    elif hasattr(item, "as_dict"):
        data = item.as_dict()
    else:
        return str(item)
    lines = []
    for key, value in data.items():
        if isinstance(value, dict | list | tuple):
            value = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


class DetailScreen(ModalScreen[None]):
    BINDINGS = [("escape,q,enter", "dismiss", "Close")]
    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll { width: 90%; height: 80%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, title: str, item: Any) -> None:
        super().__init__()
        self.title_text = title
        self.item = item

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(inert(self.title_text, limit=100, style="bold"))
            yield Static(inert(describe_item(self.item), limit=DETAIL_LIMIT, multiline=True))
