"""A titled pane of fixed-width columns whose rows are synced in place by key.

Each update only re-renders rows whose cells changed; the cursor stays on the row (key) the
operator selected, wherever the row moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from cockpit.panes.render import age_since
from cockpit.panes.rowlist import RowList
from cockpit.text import inert

CELL_PAD = " "  # one space either side of every cell


class TablePane(RowList):
    """Base for the live panes: a titled, focusable list of rows synced by row key.

    The pane is the list itself (a bordered RowList), not a box around one: each widget on
    the first frame costs its style passes, layout and a render of its whole area.
    """

    # (label, width): fixed widths, so a changing value never shifts the columns
    COLUMNS: Sequence[tuple[str, int]] = ()
    # the column of an age ("Since", "Age") that the 1 s tick refreshes: see refresh_ages
    AGE_COLUMN: int | None = None
    DEFAULT_CSS = """
    TablePane { border: round $panel-lighten-2; }
    TablePane.-active { border: round $accent; }
    """

    def __init__(self, title: str, **kwargs: Any) -> None:
        columns = join_cells([Text(label) for label, _ in self.COLUMNS], self.COLUMNS)
        super().__init__(columns=columns, **kwargs)
        self.border_title = title
        self.title_base = title  # "1 Alerts": what a filtered title starts with
        self.heading = title  # the title without a filter: "3 Kubernetes (2 warnings)"
        self._title_key = (False, title)
        self.items: dict[str, Any] = {}  # row key -> the model object shown in that row
        self._rows: Sequence[tuple[str, Any, Sequence[Text]]] = ()
        self.filter_text = ""

    # -- title ---------------------------------------------------------------------------------

    def title_text(self) -> str:
        """The title while no filter is on (`heading`, or a pane's own)."""
        return self.heading

    def title_warning(self) -> str | None:
        """What the title must still say while a filter is on (a source down)."""
        return None

    def refresh_title(self) -> None:
        """The title, or with a filter on, what it hides: '1 Alerts /checkout (1 of 3)'."""
        if self.filter_text:
            counts = f"({len(self.items)} of {len(self._rows)})"
            # typed text: shown as text, never parsed as markup
            title = f"{self.title_base} /{self.filter_text} {counts}"
            warning = self.title_warning()
            if warning:  # a filter never hides that the pane's source is down
                title += f" · {warning}"
            self._set_title(inert(title, limit=160))
        else:
            self._set_title(self.title_text())

    def _set_title(self, title: str | Text) -> None:
        # setting border_title repaints the whole pane, even to the same text: only on change
        key = (isinstance(title, Text), str(title))
        if key != self._title_key:
            self._title_key = key
            self.border_title = title

    # -- rows ----------------------------------------------------------------------------------

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
        self.refresh_title()  # counts of a filter, or the pane's own heading

    def age_moment(self, item: Any) -> str:
        """The UTC ISO moment the AGE_COLUMN of `item`'s row counts from."""
        raise NotImplementedError

    def refresh_ages(self, now: float) -> None:
        """Move the age cells to `now` (every second): only rows whose age text changed are
        re-rendered and repainted, the rest of the pane is left as it is."""
        column = self.AGE_COLUMN
        if column is None or not self._rows:
            return
        rows = list(self._rows)
        changed: dict[str, Text] = {}  # row key -> its new line
        for i, (key, item, cells) in enumerate(rows):
            shown = age_since(self.age_moment(item), now)
            if cells[column].plain != shown:
                cells = [*cells[:column], Text(shown), *cells[column + 1 :]]
                rows[i] = (key, item, cells)
                changed[key] = join_cells(cells, self.COLUMNS)
        if not changed:
            return
        if self.filter_text:  # an age may move a row in or out of the filter
            self.sync(rows)
            return
        self._rows = rows
        self.replace_lines(changed)  # only these lines are rebuilt and repainted

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
