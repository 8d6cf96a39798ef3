"""The lines of a LogBuffer on screen: a window around a cursor, no widget per line.

Only the rows that fit are turned into Text, each once (cached per line and search), so a
view over 20,000 lines under a 2,000 lines/s stream costs what its 40 visible rows cost. The
cursor is a line, not an index: when the ring buffer drops old lines or another pod's older
lines are merged in, the selected line stays selected.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from cockpit.logbuffer import LogBuffer
from cockpit.logtext import compact_json, is_errorish, pod_colour, search_plain
from cockpit.model import LogLine
from cockpit.text import inert_log

MATCH_STYLE = "bold black on yellow"
CURSOR_STYLE = "on grey27"
MARK_STYLE = "on grey19"
CACHE_MAX = 4096


def _at(line: LogLine) -> int:
    return line.at_ns


class LogView(Widget, can_focus=True):
    DEFAULT_CSS = "LogView { height: 1fr; }"

    def __init__(self, buffer: LogBuffer, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.buffer = buffer
        self.rows: list[LogLine] = buffer.lines  # what is shown (all, or what the filters keep)
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
        self._cache: dict[tuple[int, bool], tuple[LogLine, Text]] = {}
        self._rows_generation = -1

    # -- what is shown -------------------------------------------------------------------------

    def keep(self, line: LogLine) -> bool:
        if self.errors_only and not is_errorish(line.text):
            return False
        return not (self.filter_matches and self.pattern and not self.matches(line))

    def matches(self, line: LogLine) -> bool:
        return self.pattern is not None and self.pattern.search(search_plain(line.text)) is not None

    def update_rows(self, force: bool = False) -> None:
        """Re-derive the shown rows after the buffer or a filter changed."""
        if not force and self._rows_generation == self.buffer.generation:
            return
        self._rows_generation = self.buffer.generation
        filtering = self.errors_only or (self.filter_matches and self.pattern is not None)
        self.rows = (
            [x for x in self.buffer.lines if self.keep(x)] if filtering else self.buffer.lines
        )
        if self.picked is not None and self.index_of(self.picked) is None:
            # the selected line went out of the ring (or the filter hides it): nearest one
            i = min(bisect_left(self.rows, self.picked.at_ns, key=_at), len(self.rows) - 1)
            self.picked = self.rows[i] if i >= 0 and self.rows else None

    def set_search(self, text: str) -> None:
        self.search = text
        self.pattern = re.compile(re.escape(text), re.IGNORECASE) if text else None
        self._cache.clear()
        self.update_rows(force=True)
        self.refresh()

    def set_option(self, name: str, value: bool) -> None:
        setattr(self, name, value)
        self._cache.clear()
        self.update_rows(force=True)
        self.refresh()

    def count_matches(self) -> int:
        if self.pattern is None:
            return 0
        search = self.pattern.search
        return sum(1 for line in self.rows if search(search_plain(line.text)))

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
        return self.rows[i] if 0 <= i < len(self.rows) else None

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
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        height = max(1, self.size.height)
        before = self.cursor
        self.cursor_row = max(0, min(height - 1, self.cursor_row + index - before))
        self.picked = self.rows[index]
        self.refresh()

    def move(self, delta: int) -> None:
        if self.picked is None:
            self.cursor_row = max(0, min(self.size.height, len(self.rows)) - 1)
        self.move_to(self.cursor + delta)

    def follow(self) -> None:
        self.picked = None
        self.refresh()

    def pause(self) -> None:
        """Stop following: the selected line and the screen stay where they are."""
        if self.picked is None and self.rows:
            self.cursor_row = max(0, min(self.size.height, len(self.rows)) - 1)
            self.picked = self.rows[-1]
        self.refresh()

    def jump(self, forward: bool) -> bool:
        """To the next (previous) matching line; wraps around like less."""
        if self.pattern is None or not self.rows:
            return False
        n, start = len(self.rows), self.cursor
        step = 1 if forward else -1
        for k in range(1, n + 1):
            i = (start + step * k) % n
            if self.matches(self.rows[i]):
                if self.picked is None:
                    self.cursor_row = max(0, min(self.size.height, n) - 1)
                self.move_to(i)
                return True
        return False

    # -- drawing ---------------------------------------------------------------------------------

    def line_text(self, line: LogLine) -> Text:
        key = (id(line), self.multi_pod)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is line:
            return hit[1]
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
        if len(self._cache) > CACHE_MAX:
            self._cache.clear()
        self._cache[key] = (line, text)
        return text

    def render(self) -> Text:
        self.update_rows()
        height, width = self.size.height, self.size.width
        rows = self.rows
        if not rows:
            return Text(self.empty_text, style="dim")
        cursor = self.cursor
        mark = self.index_of(self.mark_line) if self.mark_line is not None else None
        if self.picked is None:
            top = self._top_for_bottom(len(rows) - 1, height, width)
        else:
            top = max(0, cursor - self.cursor_row)
            if self.wrap_lines:  # the cursor's line must fit: move the top down until it does
                top = max(top, self._top_for_bottom(cursor, height, width))
        out: list[Text] = []
        i = top
        while i < len(rows) and len(out) < height:
            line = self.line_text(rows[i]).copy()
            if i == cursor:
                line.stylize(CURSOR_STYLE)
            elif mark is not None and min(mark, cursor) <= i <= max(mark, cursor):
                line.stylize(MARK_STYLE)
            if self.wrap_lines:
                out.extend(line.wrap(self.app.console, max(1, width)))
            else:
                line.truncate(max(1, width))
                out.append(line)
            i += 1
        return Text("\n", no_wrap=True, end="").join(out[:height])

    def _top_for_bottom(self, bottom: int, height: int, width: int) -> int:
        if not self.wrap_lines:
            return max(0, bottom - height + 1)
        used, i = 0, bottom
        while i >= 0:
            # a cheap estimate of the wrapped height; rendering cuts what does not fit
            used += max(1, -(-self.line_text(self.rows[i]).cell_len // max(1, width)))
            if used > height:
                return min(bottom, i + 1)
            i -= 1
        return 0

    empty_text = "no log lines (yet)"
    on_change: Callable[[], None] | None = None
