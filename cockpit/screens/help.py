"""Key tables: `?` in the live cockpit (every key, what it does and journals) and in replay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cockpit.keymap import KEYMAP, LOG_KEYS, NAVIGATION_KEYS, PROMPT_KEYS, display_key


class KeysScreen(ModalScreen[None]):
    """A titled table of keys; escape, q or ? closes it."""

    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > Vertical { max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1; }
    KeysScreen DataTable { height: auto; max-height: 30; }
    /* more rows than a small terminal has: the whole height, the table scrolls (arrows) */
    KeysScreen.-tall > Vertical { height: 100%; }
    KeysScreen.-tall DataTable { height: 1fr; max-height: 100%; }
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str | Text]],
    ) -> None:
        super().__init__()
        self.title_markup = title
        self.columns = columns
        self.rows = rows

    def compose(self) -> ComposeResult:
        widths = fit_columns(self.columns, self.rows, self.app.size.width - BOX_CHROME)
        with Vertical() as box:
            box.styles.width = sum(w + 2 * CELL_PAD for w in widths) + BOX_CHROME
            yield Static(self.title_markup)
            table: DataTable[Any] = DataTable(cursor_type="row", show_cursor=False)
            for name, width in zip(self.columns, widths, strict=True):
                table.add_column(name, width=width)
            for row in self.rows:
                # auto height: a text longer than its column wraps instead of being cut
                table.add_row(*row, height=None)
            yield table


CELL_PAD = 1  # DataTable's padding on each side of a cell
BOX_CHROME = 2 + 2 + 2  # the box's border, its padding, the table's vertical scrollbar
MIN_WRAPPED = 24  # a wrapped column keeps at least this many cells


def fit_columns(
    columns: Sequence[str], rows: Sequence[Sequence[str | Text]], room: int
) -> list[int]:
    """Each column's width: its longest cell when all fit in `room`; otherwise the widest
    columns give up width (their text wraps) until the table fits, none below MIN_WRAPPED."""
    widths = [len(name) for name in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(
                widths[i], Text(cell).cell_len if isinstance(cell, str) else cell.cell_len
            )
    room -= 2 * CELL_PAD * len(widths)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= MIN_WRAPPED:
            break  # a terminal this narrow: the table scrolls sideways
        widths[widest] -= 1
    return widths


def section(title: str, keys: Sequence[tuple[str, str]], columns: int) -> list[list[str | Text]]:
    """A titled group of (key, what) rows for a keys table of `columns` columns."""
    pad = [""] * (columns - 2)
    rows: list[list[str | Text]] = [["", Text(title, style="bold"), *pad]]
    rows += [[key, what, *pad] for key, what in keys]
    return rows


class HelpScreen(KeysScreen):
    def __init__(self) -> None:
        rows: list[list[str | Text]] = [
            [display_key(k.key), k.description, k.journal] for k in KEYMAP
        ]
        rows += [["", "", ""], *section("Moving around", NAVIGATION_KEYS, 3)]
        rows += [["", "", ""], *section("In the note prompt (n, m)", PROMPT_KEYS, 3)]
        rows += [["", "", ""], *section("In the log view (l)", log_key_rows(), 3)]
        super().__init__("[b]cockpit keys[/b]  (esc to close)", ("Key", "Action", "Journal"), rows)
        self.add_class("-tall")


def log_key_rows() -> list[tuple[str, str]]:
    return [(k.display, k.description + (f" ({k.journal})" if k.journal else "")) for k in LOG_KEYS]


class LogHelpScreen(KeysScreen):
    """`?` in the log view: its own keys (n, N and p mean something else there)."""

    def __init__(self) -> None:
        rows: list[list[str | Text]] = [[k.display, k.description, k.journal] for k in LOG_KEYS]
        rows += [["", "", ""], *section("Moving around", LOG_NAVIGATION, 3)]
        super().__init__("[b]log view keys[/b]  (esc to close)", ("Key", "Action", "Journal"), rows)


LOG_NAVIGATION: tuple[tuple[str, str], ...] = (
    ("↑ / ↓", "select a line (stops following)"),
    ("PgUp / PgDn", "a page up / down"),
    ("Home / End", "oldest line / newest, following again"),
)
