"""A titled pane of fixed-width columns whose rows are synced in place by key.

Each update only re-renders rows whose cells changed; the cursor stays on the row (key) the
operator selected, wherever the row moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from cockpit.panes.rowlist import RowList

CELL_PAD = " "  # one space either side of every cell


class TablePane(RowList):
    """Base for the live panes: a titled, focusable list of rows synced by row key.

    The pane is the list itself (a bordered RowList), not a box around one: each widget on
    the first frame costs its style passes, layout and a render of its whole area.
    """

    # (label, width): fixed widths, so a changing value never shifts the columns
    COLUMNS: Sequence[tuple[str, int]] = ()
    DEFAULT_CSS = """
    TablePane { border: round $panel-lighten-2; }
    TablePane.-active { border: round $accent; }
    """

    def __init__(self, title: str, **kwargs: Any) -> None:
        columns = join_cells([Text(label) for label, _ in self.COLUMNS], self.COLUMNS)
        super().__init__(columns=columns, **kwargs)
        self.border_title = title
        self.items: dict[str, Any] = {}  # row key -> the model object shown in that row
        self._rows: Sequence[tuple[str, Any, Sequence[Text]]] = ()
        self.filter_text = ""

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
        self.items = {key: item for key, item, _ in rows}
        self.sync_lines([(key, join_cells(cells, self.COLUMNS)) for key, _, cells in rows])

    def selected(self) -> Any | None:
        if not 0 <= self.cursor < len(self.keys):
            return None
        return self.items.get(str(self.keys[self.cursor]))


def join_cells(cells: Sequence[Text], columns: Sequence[tuple[str, int]]) -> Text:
    """One row line: each cell cut or padded to its column's width; the last one not padded."""
    line = Text(no_wrap=True, overflow="ellipsis")
    last = len(columns) - 1
    for i, (cell, (_, width)) in enumerate(zip(cells, columns, strict=True)):
        cell = cell.copy()
        cell.truncate(width, overflow="ellipsis", pad=i < last)
        line.append(CELL_PAD)
        line.append_text(cell)
        if i < last:
            line.append(CELL_PAD)
    return line
