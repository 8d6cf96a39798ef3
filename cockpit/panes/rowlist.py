"""A scrolling list of one-line rows with a cursor; each row rendered once and cached.

Every live pane is one of these. Textual's DataTable re-renders every visible cell when a
row is added or a cell changes (its caches are keyed on an update counter), and every change
of its size asked for a layout of the whole screen. Here a row is rendered to a Strip once
per (row, width, cursor state); appending, scrolling and syncing only pick cached strips, and
the list scrolls itself (own offset and scrollbar column), so a new row repaints this widget
and nothing else.

The lines above the rows (a pane's column titles, the pod summary) are drawn by the list
too, not by widgets of their own: every widget costs a style pass and a layout slot, and
six of them were a tenth of the cockpit's first frame.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from itertools import count

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

WHEEL_LINES = 3
# strips kept per list, in pages: scrolling a page or two back is free, while a long
# timeline does not keep thousands of strips alive (each is ~10 objects the garbage
# collector walks on every full collection: those walks were the slowest frames)
CACHED_PAGES = 3


class RowList(Widget, can_focus=True):
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "select", show=False),
    ]
    COMPONENT_CLASSES = {"rowlist--cursor", "rowlist--thumb", "rowlist--columns"}
    DEFAULT_CSS = """
    RowList { height: 1fr; }
    RowList > .rowlist--columns { text-style: bold; background: $panel; }
    RowList > .rowlist--cursor { background: $panel-lighten-1; }
    RowList:focus > .rowlist--cursor { background: $accent 40%; }
    RowList > .rowlist--thumb { color: $panel-lighten-2; }
    """

    class Selected(Message):
        """Enter on a row: the app opens its detail."""

        def __init__(self, row_list: RowList, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index

    def __init__(self, columns: Text | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = columns  # the column titles, on the line above the rows
        self.summary: list[Text] = []  # lines above the column titles
        self.lines: list[Text] = []  # one Text per row
        self.keys: list[Hashable] = []  # one per row: identifies its cached strips
        self.cursor = -1
        self.top = 0  # index of the first visible row
        self._strips: OrderedDict[tuple[Hashable, int, bool, bool], Strip] = OrderedDict()
        self._auto_keys = count()

    # -- content -----------------------------------------------------------------------------

    def append(self, row: Text) -> None:
        follow = self.cursor >= len(self.lines) - 1
        self.lines.append(row)
        self.keys.append(next(self._auto_keys))
        if follow:
            self.move_to(len(self.lines) - 1)
        else:
            self._refresh_scrollbar()

    def drop_first(self) -> None:
        if self.lines:
            self.lines.pop(0)
            self._forget(self.keys.pop(0))
            self.cursor = max(0, self.cursor - 1)
            self.top = max(0, self.top - 1)
            self.refresh()

    def set_rows(self, rows: Sequence[Text]) -> None:
        """Replace every row (a rebuild); the cursor goes to the newest row."""
        self.lines = list(rows)
        self.keys = [next(self._auto_keys) for _ in self.lines]
        self._strips.clear()
        self.cursor = -1
        self.move_to(len(self.lines) - 1)
        self.refresh()

    def sync_lines(self, rows: Sequence[tuple[Hashable, Text]]) -> None:
        """Show exactly `rows` (key, text) in this order; the cursor stays on its row's key.

        Only rows whose text changed lose their cached strips; nothing repaints when nothing
        changed.
        """
        old = dict(zip(self.keys, self.lines, strict=True))
        keys = [key for key, _ in rows]
        texts = [text for _, text in rows]
        if keys == self.keys:
            # same rows in the same order (an age ticking, a value moving): repaint only
            # the rows that changed, not the whole list
            changed = [i for i, (a, b) in enumerate(zip(self.lines, texts, strict=True)) if a != b]
            self.lines = texts
            for i in changed:
                self._forget(keys[i])
                self._refresh_row(i)
            return
        for key, text in rows:
            if key in old and old[key] != text:
                self._forget(key)
        for key in old.keys() - set(keys):
            self._forget(key)
        current = self.keys[self.cursor] if 0 <= self.cursor < len(self.keys) else None
        self.lines, self.keys = texts, keys
        if current in old and current in keys:
            cursor = keys.index(current)
        else:
            cursor = min(max(self.cursor, 0), len(keys) - 1)
        self.cursor = cursor
        self._clamp_top()
        self._keep_cursor_visible()
        self.refresh()

    def replace_lines(self, changes: dict[Hashable, Text]) -> None:
        """New text for some rows (by key), in place: only those rows are repainted."""
        for i, key in enumerate(self.keys):
            text = changes.get(key)
            if text is not None:
                self.lines[i] = text
                self._forget(key)
                self._refresh_row(i)

    def set_summary(self, text: Text) -> None:
        """Lines shown above the column titles (one per line of `text`)."""
        lines = text.split("\n", allow_blank=True) if text.plain else []
        if lines == self.summary:
            return
        self.summary = lines
        self._clamp_top()
        self._keep_cursor_visible()
        self.refresh()

    def _forget(self, key: Hashable) -> None:
        for cached in [k for k in self._strips if k[0] == key]:
            del self._strips[cached]

    # -- cursor and scrolling ----------------------------------------------------------------

    @property
    def header_height(self) -> int:
        return len(self.summary) + (self.columns is not None)

    @property
    def page_height(self) -> int:
        return max(0, self.size.height - self.header_height)

    def move_to(self, index: int) -> None:
        if not self.lines:
            self.cursor = -1
            return
        old_cursor, old_top = self.cursor, self.top
        self.cursor = max(0, min(index, len(self.lines) - 1))
        self._keep_cursor_visible()
        if self.top != old_top:
            self.refresh()
        else:
            for row in (old_cursor, self.cursor):
                self._refresh_row(row)
            self._refresh_scrollbar()

    def _keep_cursor_visible(self) -> None:
        height = self.page_height
        if height <= 0:
            return  # not laid out yet: on_resize places the cursor once the height is known
        if self.cursor < self.top:
            self.top = max(0, self.cursor)
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1

    def _clamp_top(self) -> None:
        self.top = max(0, min(self.top, len(self.lines) - self.page_height))

    def scroll_rows(self, delta: int) -> None:
        old = self.top
        self.top += delta
        self._clamp_top()
        if self.top != old:
            self.refresh()

    def _refresh_row(self, index: int) -> None:
        y = index - self.top
        if 0 <= y < self.page_height:
            self.refresh(Region(0, self.header_height + y, self.size.width, 1))

    def _refresh_scrollbar(self) -> None:
        if self._has_scrollbar():
            self.refresh(Region(self.size.width - 1, self.header_height, 1, self.page_height))

    def on_resize(self) -> None:
        self._clamp_top()
        self._keep_cursor_visible()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.page_height - 1))

    def action_jump(self, index: int) -> None:
        self.move_to(index if index >= 0 else len(self.lines) - 1)

    def action_select(self) -> None:
        if 0 <= self.cursor < len(self.lines):
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # inside the border, if the list has one
        if offset is not None and offset.y >= self.header_height:
            self.move_to(self.top + offset.y - self.header_height)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows(WHEEL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows(-WHEEL_LINES)

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    # -- rendering ---------------------------------------------------------------------------

    def _has_scrollbar(self) -> bool:
        return len(self.lines) > self.page_height > 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width <= 0:
            return Strip.blank(0)
        if y < self.header_height:
            return self._header_strip(y, width)
        y -= self.header_height
        scrollbar = self._has_scrollbar()
        text_width = width - 1 if scrollbar else width
        index = self.top + y
        if 0 <= index < len(self.lines):
            strip = self._row_strip(index, text_width)
        else:
            strip = Strip.blank(text_width, self.rich_style)
        if scrollbar:
            strip = Strip.join([strip, self._scrollbar_cell(y)])
        return strip

    def _header_strip(self, y: int, width: int) -> Strip:
        if y < len(self.summary):
            return self._render_row(self.summary[y], width, selected=False)
        assert self.columns is not None
        style = self.rich_style + self.get_component_rich_style("rowlist--columns")
        return self._render_row(self.columns, width, selected=False, base=style)

    def _row_strip(self, index: int, width: int) -> Strip:
        selected = index == self.cursor
        key = (self.keys[index], width, selected, selected and self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(self.lines[index], width, selected)
            self._strips[key] = strip
            while len(self._strips) > CACHED_PAGES * max(self.page_height, 10):
                self._strips.popitem(last=False)
        else:
            self._strips.move_to_end(key)
        return strip

    def _render_row(
        self, row: Text, width: int, selected: bool, base: Style | None = None
    ) -> Strip:
        text = row.copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        base = base or self.rich_style
        if selected:
            base = base + self.get_component_rich_style("rowlist--cursor")
        line = Strip(Segment.apply_style(segments, base), width)
        return line.crop_extend(0, width, Style.null() if not selected else base)

    def _scrollbar_cell(self, y: int) -> Strip:
        """One cell of a thumb showing which part of the rows is on screen."""
        height, total = self.page_height, len(self.lines)
        thumb = max(1, height * height // total)
        start = (height - thumb) * self.top // max(1, total - height)
        on_thumb = start <= y < start + thumb
        style = self.rich_style + self.get_component_rich_style("rowlist--thumb")
        return Strip([Segment("┃" if on_thumb else "│", style if on_thumb else style + _DIM)], 1)


_DIM = Style(dim=True)
