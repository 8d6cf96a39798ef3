"""Bracketed pastes that stay pastes, and pasted text that stays text.

Textual's terminal parser (textual 8) reads an ESC inside a bracketed paste as the start of a
key sequence: the bytes after it leave the paste and are replayed as key presses. A log
copied with its colours (`\\x1b[31m`) then saved half a note at the pasted line break and
typed the rest as cockpit keys. This parser hides such an ESC from Textual's while the paste
lasts and gives the paste back as text: colour codes dropped, every other control character
(ESC, BEL, backspace, ...) a visible stand-in, as everywhere else on the screen, since a
TextArea draws what it holds as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser

from cockpit.plaintext import clean

START, END = "\x1b[200~", "\x1b[201~"
ESC = "\x1b"
HIDDEN_ESC = "\U000f001b"  # a private-use character Textual's parser passes through as text
_COLOUR = re.compile(re.escape(HIDDEN_ESC) + r"\[[0-9;:]*m")


def pasted_text(raw: str) -> str:
    """What a paste inserts: colour codes dropped, line ends as "\\n", controls visible."""
    text = _COLOUR.sub("", raw).replace(HIDDEN_ESC, ESC)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # tmux sends line breaks as CR
    return clean(text, limit=None, multiline=True)


def _partial(text: str, marker: str) -> int:
    """How many characters at the end of `text` could begin `marker` (split across reads)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """Textual's parser, fed a stream in which no ESC occurs inside a bracketed paste."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_paste = False
        self._held = ""  # the start of what may be the end marker, split across two reads
        self._tail = ""  # the last characters passed on outside a paste: a split start marker

    def feed(self, data: str) -> Iterable[Any]:
        if data:
            data = self._guard(data)
        elif self._held:  # end of input: what was held back is ordinary text after all
            yield from self._events(super().feed(self._held.replace(ESC, HIDDEN_ESC)))
            self._held = ""
        yield from self._events(super().feed(data))

    def _events(self, parsed: Iterable[Any]) -> Iterable[Any]:
        for event in parsed:
            if isinstance(event, events.Paste):
                event = events.Paste(pasted_text(event.text))
            yield event

    def _guard(self, data: str) -> str:
        text, self._held = self._held + data, ""
        out: list[str] = []
        at = 0
        while at < len(text):
            if not self._in_paste:
                # passed on at once, never held (a lone ESC is the escape key); a start marker
                # split across reads is found with the tail of the previous read
                seen = self._tail + text[at:]
                start = seen.find(START)
                if start < 0:
                    out.append(text[at:])
                    self._tail = seen[-(len(START) - 1) :]
                    break
                after = at + start + len(START) - len(self._tail)
                out.append(text[at:after])
                at, self._in_paste, self._tail = after, True, ""
                continue
            end = text.find(END, at)
            if end < 0:
                keep = _partial(text[at:], END)
                out.append(text[at : len(text) - keep].replace(ESC, HIDDEN_ESC))
                self._held = text[len(text) - keep :]
                break
            out.append(text[at:end].replace(ESC, HIDDEN_ESC) + END)
            at, self._in_paste = end + len(END), False
        return "".join(out)


def install() -> None:
    """Make the Linux driver parse with PasteSafeParser (it looks the class up by name each
    time it starts reading input). Textual offers no hook for this."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
