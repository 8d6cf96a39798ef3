"""A bracketed paste holding escape sequences (a log copied with its colours) stays one paste:
Textual's parser let the bytes after an ESC inside a paste out as key presses, so a pasted
`\\r` saved half a note and the letters after it acted as cockpit keys (issue 16 item 9)."""

from __future__ import annotations

from textual import events

from cockpit.screens.paste import PasteSafeParser

START, END = "\x1b[200~", "\x1b[201~"
COLOURED = "pod \x1b[31mOOMKilled\x1b[0m x3\x1b]2;PWNED\x07\r\nnext line q r x\x08"


def feed(*chunks: str) -> list[object]:
    parser = PasteSafeParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


def test_a_coloured_paste_is_one_paste_event_and_no_key() -> None:
    got = feed(START + COLOURED + END)
    assert [type(e) for e in got] == [events.Paste], got
    (paste,) = got
    assert isinstance(paste, events.Paste)
    # colours dropped, other controls shown as stand-ins: nothing can drive the terminal
    assert paste.text == "pod OOMKilled x3␛]2;PWNED␇\nnext line q r x␈"


def test_the_end_marker_split_across_reads_still_ends_the_paste() -> None:
    data = START + "a\x1b[1mb\x1b[0m\nc" + END + "q"
    for cut in range(1, len(data)):
        got = feed(data[:cut], data[cut:])
        pastes = [e for e in got if isinstance(e, events.Paste)]
        keys = [e.key for e in got if isinstance(e, events.Key)]
        assert [p.text for p in pastes] == ["ab\nc"], (cut, got)
        assert keys == ["q"], (cut, got)


def test_keys_outside_a_paste_are_untouched() -> None:
    got = feed("n", "\x1b[A", "x")
    assert [e.key for e in got if isinstance(e, events.Key)] == ["n", "up", "x"]
