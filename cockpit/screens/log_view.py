"""The lines of a LogBuffer on screen: a window around a cursor, no widget per line.

Drawn line by line (Textual's line API): a log line is styled (inert text, SGR colours,
compact JSON, search highlights) and cut into a Strip once, when it first becomes visible,
and that strip is reused by every later frame until the line leaves the screen. A repaint
under a 2,000 lines/s stream costs a window computation and the new lines' strips, not a
Text -> Content -> Strip conversion of all 40 rows. The cursor is a line, not an index: when
the ring buffer drops old lines or another pod's older lines are merged in, the selected line
stays selected.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import OrderedDict
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from cockpit.logbuffer import LogBuffer
from cockpit.logselection import LineSelection
from cockpit.logtext import compact_json, is_errorish, pod_colour, search_plain
from cockpit.model import LogLine
from cockpit.text import inert_log

MATCH_STYLE = "bold black on yellow"
CURSOR_STYLE = "on grey27"
MARK_STYLE = "on grey19"
_CURSOR = Style.parse(CURSOR_STYLE)
_MARK = Style.parse(MARK_STYLE)
# lines kept styled, in screens: scrolling back a page or two is free, while the strips of
# lines long gone do not pile up (each is objects the garbage collector walks)
CACHED_SCREENS = 4


def _at(line: LogLine) -> int:
    return line.at_ns


_Row = tuple[int, Strip | None, int] | None
_UNKNOWN = object()  # a screen row not drawn since the size changed


def _same_row(a: _Row, b: _Row | object) -> bool:
    if a is None or b is None or not isinstance(b, tuple):
        return a is b
    return a[1] is b[1] and a[0] == b[0] and a[2] == b[2]  # a strip is one line's, as drawn


class _Drawn(NamedTuple):
    line: LogLine  # the key is id(line): kept to tell a reused id from the same line
    text: Text
    strips: list[Strip]  # one (no wrap) or the wrapped lines, each `width` cells


class LogView(Widget, can_focus=True):
    DEFAULT_CSS = "LogView { height: 1fr; }"

    def __init__(self, buffer: LogBuffer, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.buffer = buffer
        self.picked: LogLine | None = None  # the selected line; None: follow the newest
        self.mark_line: LogLine | None = None  # start of a range to pin
        self.cursor_row = 0  # screen row of the cursor when anchored
        self.search = ""
        self.pattern: re.Pattern[str] | None = None
        self.filter_matches = False  # hide lines that do not match the search
        self.errors_only = False
        self.wrap_lines = False
        self.multi_pod = False
        self.multi_container = False
        self._shown = LineSelection(buffer, self.keep)  # the rows, while a filter is on
        self._matching = LineSelection(buffer, self._shown_and_matching)
        self._drawn: OrderedDict[int, _Drawn] = OrderedDict()
        self._look: tuple[object, ...] = ()  # what a drawn line depends on besides itself
        self._keep_drawn = CACHED_SCREENS * 10
        self._draw_width = 1
        self._frame: list[tuple[int, Strip]] = []  # (row index, strip) per screen row
        self._frame_key: tuple[object, ...] = ()
        self._frame_marked = range(0)  # row indexes drawn as the cursor or the marked range
        self._frame_marked_cursor = -1
        self._painted: list[_Row | object] = []  # per screen row: what render_line drew
        self._paint: tuple[list[tuple[int, Strip]], Style, int] = ([], Style(), 0)

    # -- what is shown -------------------------------------------------------------------------

    @property
    def filtering(self) -> bool:
        return self.errors_only or (self.filter_matches and self.pattern is not None)

    @property
    def rows(self) -> list[LogLine]:
        """What is shown: every line of the buffer, or what the filters keep."""
        if not self.filtering:
            return self.buffer.lines
        self._shown.sync()
        return self._shown.lines

    def keep(self, line: LogLine) -> bool:
        if self.errors_only and not is_errorish(line.text):
            return False
        return not (self.filter_matches and self.pattern and not self.matches(line))

    def matches(self, line: LogLine) -> bool:
        return self.pattern is not None and self.pattern.search(search_plain(line.text)) is not None

    def _shown_and_matching(self, line: LogLine) -> bool:
        return self.matches(line) and (not self.filtering or self.keep(line))

    def update_rows(self, force: bool = False) -> None:
        """After the buffer or a filter changed: the selected line, or the nearest one."""
        if force:
            self._shown.reset()
            self._matching.reset()
        rows = self.rows
        if self.picked is not None and self.index_of(self.picked) is None:
            # the selected line went out of the ring (or the filter hides it): nearest one
            i = min(bisect_left(rows, self.picked.at_ns, key=_at), len(rows) - 1)
            self.picked = rows[i] if i >= 0 and rows else None

    def set_search(self, text: str) -> None:
        self.search = text
        self.pattern = re.compile(re.escape(text), re.IGNORECASE) if text else None
        self.update_rows(force=True)
        self.refresh()

    def set_option(self, name: str, value: bool) -> None:
        setattr(self, name, value)
        self.update_rows(force=True)
        self.refresh()

    def count_matches(self) -> int:
        """Matching lines among the shown ones (kept up to date, not counted again)."""
        return 0 if self.pattern is None else len(self._matching)

    # -- cursor ----------------------------------------------------------------------------------

    def index_of(self, line: LogLine) -> int | None:
        rows = self.rows
        i = bisect_left(rows, line.at_ns, key=_at)
        while i < len(rows) and rows[i].at_ns == line.at_ns:
            if rows[i] is line:
                return i
            i += 1
        return None

    @property
    def cursor(self) -> int:
        """Index of the selected row (-1: nothing to select)."""
        if self.picked is None:
            return len(self.rows) - 1
        i = self.index_of(self.picked)
        return len(self.rows) - 1 if i is None else i

    @property
    def following(self) -> bool:
        return self.picked is None

    def selected(self) -> LogLine | None:
        i = self.cursor
        rows = self.rows
        return rows[i] if 0 <= i < len(rows) else None

    def selected_range(self) -> list[LogLine]:
        """The marked range (mark to cursor), or the selected line."""
        line = self.selected()
        if line is None:
            return []
        if self.mark_line is None:
            return [line]
        a, b = self.index_of(self.mark_line), self.cursor
        if a is None:
            return [line]
        lo, hi = min(a, b), max(a, b)
        return self.rows[lo : hi + 1]

    def move_to(self, index: int) -> None:
        rows = self.rows
        if not rows:
            return
        index = max(0, min(index, len(rows) - 1))
        height = max(1, self.size.height)
        before = self.cursor
        self.cursor_row = max(0, min(height - 1, self.cursor_row + index - before))
        self.picked = rows[index]
        self.repaint()

    def move(self, delta: int) -> None:
        if self.picked is None:
            self.cursor_row = max(0, min(self.size.height, len(self.rows)) - 1)
        self.move_to(self.cursor + delta)

    def follow(self) -> None:
        self.picked = None
        self.repaint()

    def pause(self) -> None:
        """Stop following: the selected line and the screen stay where they are."""
        rows = self.rows
        if self.picked is None and rows:
            self.cursor_row = max(0, min(self.size.height, len(rows)) - 1)
            self.picked = rows[-1]
        self.repaint()

    def jump(self, forward: bool) -> bool:
        """To the next (previous) matching line; wraps around like less."""
        current = self.selected()
        if self.pattern is None or current is None:
            return False
        position = self._matching.position_of(current)
        if position is None:
            return False
        target = self._matching.next_after(position, forward)
        index = None if target is None else self.index_of(target)
        if index is None:
            return False
        if self.picked is None:
            self.cursor_row = max(0, min(self.size.height, len(self.rows)) - 1)
        self.move_to(index)
        return True

    # -- drawing ---------------------------------------------------------------------------------

    def line_text(self, line: LogLine) -> Text:
        """A line as the view shows it, before it is cut to the width."""
        self._check_look()
        return self._drawn_line(line).text

    def _style_line(self, line: LogLine) -> Text:
        text = Text(no_wrap=not self.wrap_lines, end="")
        text.append(line.ts[11:23] or "—" * 12, style="dim")
        text.append(" ")
        if self.multi_pod or self.multi_container:
            who = line.pod if not self.multi_container else f"{line.pod}/{line.container}"
            text.append(who, style=pod_colour(line.pod))
            text.append(" ")
        error = is_errorish(line.text)
        text.append("▌" if error else " ", style="red" if error else "")
        compact = compact_json(line.text)
        body = inert_log(compact) if compact is not None else inert_log(line.text)
        if compact is not None:
            body.stylize("dim", len(compact.split("  ", 1)[0]))
        start = len(text)
        text.append_text(body)
        if self.pattern is not None:
            for m in self.pattern.finditer(text.plain, start):
                text.stylize(MATCH_STYLE, m.start(), m.end())
        return text

    def _check_look(self) -> None:
        """Forget the drawn lines when what they depend on changed (once per frame: not per
        line, `size` is not free)."""
        size = self.size
        look = (self.multi_pod, self.multi_container, self.search, self.wrap_lines, size.width)
        if look != self._look:
            self._drawn.clear()
            self._look = look
        self._keep_drawn = CACHED_SCREENS * max(10, size.height)
        self._draw_width = max(1, size.width)

    def _drawn_line(self, line: LogLine) -> _Drawn:
        """A line styled and cut to the width; `_check_look()` first."""
        drawn = self._drawn.get(id(line))
        if drawn is not None and drawn.line is line:
            self._drawn.move_to_end(id(line))
            return drawn
        text = self._style_line(line)
        width = self._draw_width
        console = self.app.console
        pieces = text.wrap(console, width) if self.wrap_lines else [text]
        strips = [
            Strip(list(piece.render(console)), piece.cell_len).crop_extend(0, width, None)
            for piece in pieces
        ]
        drawn = _Drawn(line, text, strips)
        self._drawn[id(line)] = drawn
        while len(self._drawn) > self._keep_drawn:
            self._drawn.popitem(last=False)
        return drawn

    def _top_for_bottom(self, bottom: int, height: int) -> int:
        if not self.wrap_lines:
            return max(0, bottom - height + 1)
        used, i, rows = 0, bottom, self.rows
        while i >= 0:
            used += len(self._drawn_line(rows[i]).strips)
            if used > height:
                return min(bottom, i + 1)
            i -= 1
        return 0

    def _layout(self) -> list[tuple[int, Strip]]:
        """The screen rows: (row index, strip); computed once per change, not per line."""
        self.update_rows()
        self._check_look()
        rows, height = self.rows, self.size.height
        key = (
            self.buffer.generation,
            self.filtering,
            len(rows),
            id(self.picked),
            self.cursor_row,
            id(self.mark_line),
            self.size,
            self._look,
            self.search,
            self.wrap_lines,
        )
        if key == self._frame_key:
            return self._frame
        frame: list[tuple[int, Strip]] = []
        if rows:
            if self.picked is None:
                top = self._top_for_bottom(len(rows) - 1, height)
            else:
                top = max(0, self.cursor - self.cursor_row)
                if self.wrap_lines:  # the cursor's line must fit: move the top down until it does
                    top = max(top, self._top_for_bottom(self.cursor, height))
            i = top
            while i < len(rows) and len(frame) < height:
                frame += [(i, strip) for strip in self._drawn_line(rows[i]).strips]
                i += 1
        cursor = self.cursor
        mark = self.index_of(self.mark_line) if self.mark_line is not None else None
        marked = cursor if mark is None else mark
        self._frame_marked = range(min(marked, cursor), max(marked, cursor) + 1)
        self._frame_marked_cursor = cursor
        self._frame, self._frame_key = frame[:height], key
        return self._frame

    def _row(self, y: int) -> _Row:
        """What screen row y should show: (row index, its strip, 0 plain / 1 marked /
        2 cursor); None for a blank row; (-1, None, 0) for the "no lines" text."""
        frame = self._frame
        if not frame:
            return (-1, None, 0) if y == 0 else None
        if y >= len(frame):
            return None
        i, strip = frame[y]
        kind = (2 if i == self._frame_marked_cursor else 1) if i in self._frame_marked else 0
        return (i, strip, kind)

    def repaint(self) -> None:
        """Refresh only the screen rows whose content changed: a cursor step repaints two
        rows, new lines below a paused view repaint none; following, everything scrolls."""
        height, width = self.size.height, self.size.width
        if not self.is_mounted or height <= 0 or len(self._painted) != height:
            self.refresh()
            return
        self._layout()
        painted = self._painted
        for y in range(height):
            if not _same_row(self._row(y), painted[y]):
                self.refresh(Region(0, y, width, 1))

    def render_lines(self, crop: Region) -> list[Strip]:
        # the window and the base style once per frame, not once per line (the style walks
        # the DOM: computed per line it was a fifth of a frame)
        self._paint = (self._layout(), self.rich_style, self.size.width)
        if len(self._painted) != self.size.height:
            self._painted = [_UNKNOWN] * self.size.height
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        _, base, width = self._paint
        row = self._row(y)
        if 0 <= y < len(self._painted):
            self._painted[y] = row  # what this row shows now: repaint() compares with it
        if row is None:
            return Strip.blank(width, base)
        _, strip, kind = row
        if strip is None:
            empty = Text(self.empty_text, style="dim", end="")
            strip = Strip(list(empty.render(self.app.console)), empty.cell_len)
            return strip.crop_extend(0, width, None).apply_style(base)
        return strip.apply_style(base + _CURSOR if kind == 2 else base + _MARK if kind else base)

    def visible_text(self) -> Text:
        """The lines on screen as Text (search highlights and colours as spans), for tests."""
        rows, seen = self.rows, []
        for index, _ in self._layout():
            if not seen or seen[-1] != index:
                seen.append(index)
        return Text("\n", no_wrap=True, end="").join(self.line_text(rows[i]) for i in seen)

    empty_text = "no log lines (yet)"
