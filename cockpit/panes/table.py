"""A pane holding one DataTable whose rows are synced in place by key.

Each tick only changed cells are updated, new rows added and gone rows removed; the table is
re-sorted only when the order of keys changed. That keeps a busy incident cheap to render
and keeps the operator's cursor on the row they selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class Ordered:
    """A cell that renders like its text and carries the row's position for sorting."""

    __slots__ = ("order", "text")

    def __init__(self, text: Text, order: int) -> None:
        self.text = text
        self.order = order

    def __rich__(self) -> RenderableType:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ordered) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text.plain)


class TablePane(Vertical):
    """Base for the live panes: a titled, focusable table synced by row key."""

    # (label, width): fixed widths, wide last columns clipped by the pane; auto widths
    # left stale cells on the cursor row when rows grew after the first render
    COLUMNS: Sequence[tuple[str, int | None]] = ()
    DEFAULT_CSS = """
    TablePane { border: round $panel-lighten-2; height: 1fr; }
    TablePane:focus-within { border: round $accent; }
    TablePane > DataTable { height: 1fr; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 0; }
    """

    def __init__(self, title: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = title
        self.items: dict[str, Any] = {}  # row key -> the model object shown in that row
        self._keys: list[str] = []
        self._rows: Sequence[tuple[str, Any, Sequence[Text]]] = ()
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=False)
        for label, width in self.COLUMNS:
            table.add_column(label, key=label, width=width)
        yield table

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(DataTable)

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self.sync(self._rows)

    def sync(self, rows: Sequence[tuple[str, Any, Sequence[Text]]]) -> None:
        """Show exactly `rows` (key, model object, cells) in this order, updating in place."""
        self._rows = rows
        if self.filter_text:
            rows = [
                row
                for row in rows
                if self.filter_text in " ".join(cell.plain for cell in row[2]).lower()
            ]
        table = self.table
        labels = [label for label, _ in self.COLUMNS]
        wanted = {key for key, _, _ in rows}
        for key in [k for k in self._keys if k not in wanted]:
            table.remove_row(key)
            self.items.pop(key, None)
        existing = set(self._keys) & wanted
        for order, (key, item, cells) in enumerate(rows):
            first = Ordered(cells[0], order)
            values: list[Any] = [first, *cells[1:]]
            if key in existing:
                current = table.get_row(key)
                for label, old, new in zip(labels, current, values, strict=True):
                    if old != new or (label == labels[0] and old.order != order):
                        table.update_cell(key, label, new, update_width=True)
            else:
                table.add_row(*values, key=key)
            self.items[key] = item
        new_keys = [key for key, _, _ in rows]
        if new_keys != self._current_order():
            table.sort(labels[0], key=lambda cell: cell.order)
        self._keys = new_keys

    def _current_order(self) -> list[str]:
        table = self.table
        return [
            str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)
        ]

    def selected(self) -> Any | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key: RowKey = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        except Exception:  # cursor outside the rows after a removal
            return None
        return self.items.get(str(key.value))
