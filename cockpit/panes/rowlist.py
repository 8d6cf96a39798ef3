"""A scrolling list of one-line rows with a cursor, each row rendered once and cached.

The timeline gains a row many times a second during a busy incident. A DataTable re-renders
every visible cell whenever a row is added (its caches are keyed on an update counter), which
made each new entry cost a full repaint of the pane. Here a row is rendered to a Strip once
per width; scrolling and appending only pick cached strips.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "select", show=False),
    ]
    COMPONENT_CLASSES = {"rowlist--cursor"}
    DEFAULT_CSS = """
    RowList { height: 1fr; scrollbar-size-horizontal: 0; }
    RowList > .rowlist--cursor { background: $panel-lighten-1; }
    RowList:focus > .rowlist--cursor { background: $accent 40%; }
    """

    class Selected(Message):
        """Enter on a row: the app opens its detail."""

        def __init__(self, row_list: RowList, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[Text] = []
        self.cursor = -1
        self._strips: dict[tuple[int, int, bool, bool], Strip] = {}
        self._first_id = 0  # rows dropped from the top shift indexes; ids keep caches valid

    # -- content -----------------------------------------------------------------------------

    def append(self, row: Text) -> None:
        follow = self.cursor >= len(self.rows) - 1
        self.rows.append(row)
        self._resize()
        if follow:
            self.move_to(len(self.rows) - 1)

    def drop_first(self) -> None:
        if self.rows:
            self.rows.pop(0)
            self._first_id += 1
            self.cursor = max(0, self.cursor - 1)
            self._resize()
            self.refresh()

    def set_rows(self, rows: list[Text]) -> None:
        self.rows = list(rows)
        self._strips.clear()
        self._first_id = 0
        self._resize()
        self.move_to(len(self.rows) - 1)
        self.refresh()

    def _resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))

    # -- cursor ------------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if not self.rows:
            self.cursor = -1
            return
        old = self.cursor
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._keep_cursor_visible()
        for line in (old, self.cursor):
            self.refresh_line(line - int(self.scroll_y))

    def _keep_cursor_visible(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return  # not laid out yet: on_resize scrolls once the height is known
        top = int(self.scroll_y)
        if self.cursor < top:
            target = self.cursor
        elif self.cursor >= top + height:
            target = self.cursor - height + 1
        else:
            return
        # the new virtual size may not be laid out yet: scroll after the refresh too
        self.scroll_to(y=target, animate=False, immediate=True)
        self.call_after_refresh(self.scroll_to, y=target, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._resize()
        self._keep_cursor_visible()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, index: int) -> None:
        self.move_to(index if index >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if 0 <= self.cursor < len(self.rows):
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: object) -> None:
        y = getattr(event, "y", None)
        if isinstance(y, int):
            self.move_to(int(self.scroll_y) + y)

    # -- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows) or width <= 0:
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor
        key = (self._first_id + index, width, selected, selected and self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 4 * max(len(self.rows), 100):
                self._strips.clear()  # widths changed many times: start over
            strip = self._render_row(self.rows[index], width, selected)
            self._strips[key] = strip
        return strip

    def _render_row(self, row: Text, width: int, selected: bool) -> Strip:
        text = row.copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("rowlist--cursor")
        line = Strip(Segment.apply_style(segments, base), width)
        return line.crop_extend(0, width, Style.null() if not selected else base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
