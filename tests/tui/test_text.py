"""Untrusted text stays inert: no markup, no control sequences, bounded length."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Label, Static

from cockpit.text import DEFAULT_LIMIT, clean, inert

CLICK = "[@click=app.quit]x[/]"
LINK = "[link=http://example.invalid]x[/]"
OSC52 = "\x1b]52;c;aGk=\x07"  # would write "hi" to the clipboard
CLEAR = "\x1b[2J"
HOSTILE = f"{CLICK} {LINK} {OSC52} {CLEAR} a\rb \u202eevil\u202c [bold red]x[/] :smile:"

# Textual's own output: SGR styling and cursor moves, nothing else
TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-9;]*[mHJK]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# -- clean() -------------------------------------------------------------------------------


def test_markup_is_left_as_characters() -> None:
    # clean() leaves brackets alone: inertness against markup comes from Text, see inert()
    assert clean(CLICK) == CLICK
    assert clean(LINK) == LINK


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (OSC52, "␛]52;c;aGk=␇"),
        (CLEAR, "␛[2J"),
        ("\x1bc", "␛c"),  # single-character ESC sequence (full reset)
        ("\x1bP1$r\x1b\\", "␛P1$r␛\\"),  # DCS ... ST
        ("ok\rFAKE", "ok␍FAKE"),
        ("ab\bc", "ab␈c"),
        ("ding\x07", "ding␇"),
        ("nul\x00", "nul␀"),
        ("del\x7f", "del␡"),
        ("\x9b2J", "\\x9b2J"),  # C1 CSI
        ("\x85next", "\\x85next"),  # C1 NEL
        ("user\u202etxt.exe", "user\\u202etxt.exe"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone\ud800", "lone\\ud800"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("a\tb", "a b"),
        ("a\nb\r\nc", "a⏎b⏎c"),
        ("plain text, ünïcödé and 表 stay", "plain text, ünïcödé and 表 stay"),
    ],
)
def test_controls_are_made_visible(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_multiline_keeps_newlines_only() -> None:
    assert clean("a\nb\r\nc\rd\te\x1b", multiline=True) == "a\nb\nc␍d    e␛"


def test_no_control_survives() -> None:
    everything = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u202a\u202b\u202c\u202d\u202e"
    everything += "\u2066\u2067\u2068\u2069\u061c\u200e\u200f\ufeff"
    for multiline in (False, True):
        out = clean(everything, limit=None, multiline=multiline)
        assert not CONTROL.search(out)
        assert "\x1b" not in out and "\t" not in out and "\r" not in out
        assert ("\n" in out) is multiline
        # the result must be encodable: a lone surrogate would crash the terminal writer
        out.encode("utf-8")


def test_truncation_counts_dropped() -> None:
    assert clean("abcdef", limit=3) == "abc… (+3 chars)"
    assert clean("abcd", limit=3) == "abc… (+1 char)"
    assert clean("abc", limit=3) == "abc"
    assert clean("", limit=3) == ""
    assert clean("abc", limit=0) == "… (+3 chars)"
    assert clean("x" * 1000, limit=None) == "x" * 1000
    assert clean("\x1b" * 1000, limit=None) == "␛" * 1000
    assert clean("\u202e" * 1000, limit=None) == "\\u202e" * 1000
    # a stand-in is never cut in half
    assert clean("ab\u202e", limit=4) == "ab… (+1 char)"
    with pytest.raises(ValueError):
        clean("x", limit=-1)


@given(
    st.text(alphabet=st.sampled_from("ab \r\n\t\x1b\x07\x9b\u202e\u200b[]表"), max_size=60),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
)
def test_truncation_property(raw: str, limit: int, multiline: bool) -> None:
    out = clean(raw, limit, multiline=multiline)
    full = clean(raw, None, multiline=multiline)
    match = re.fullmatch(r"(.*)… \(\+([\d,]+) chars?\)", out, flags=re.DOTALL)
    if match is None:
        assert out == full and len(out) <= limit
        return
    body, dropped = match.group(1), int(match.group(2).replace(",", ""))
    assert len(body) <= limit < len(full)
    assert 0 < dropped <= len(raw)
    # what is shown is exactly the cleaned form of the input that was not dropped
    assert body == clean(raw[: len(raw) - dropped], None, multiline=multiline)


def test_megabyte_message_is_bounded() -> None:
    message = "A" * 999_990 + "\x1b[2J\x1b]52;c;aGk=\x07"
    assert len(message) >= 1_000_000
    out = clean(message)
    assert out.startswith("A" * DEFAULT_LIMIT)
    assert out == "A" * DEFAULT_LIMIT + f"… (+{len(message) - DEFAULT_LIMIT:,} chars)"
    assert len(out) <= DEFAULT_LIMIT + 30
    # escapes everywhere: still bounded, and the dropped count is of input characters
    out = clean("\x1b" * 1_000_000, limit=100)
    assert out == "␛" * 100 + "… (+999,900 chars)"
    out = clean("\u202e" * 1_000_000, limit=100)
    assert out == "\\u202e" * 16 + "… (+999,984 chars)"
    assert len(clean("\r\n" * 1_000_000, limit=100)) <= 130


def test_non_str_is_stringified() -> None:
    assert clean(42) == "42"  # type: ignore[arg-type]


# -- inert() -------------------------------------------------------------------------------


def test_inert_is_plain_text() -> None:
    text = inert(HOSTILE, style="bold")
    assert isinstance(text, Text)
    assert text.plain == clean(HOSTILE)
    assert text.plain.startswith(CLICK)  # not parsed: brackets kept
    assert ":smile:" in text.plain  # no emoji substitution either
    assert text.style == "bold"
    # only cockpit's own "dim" marks on the stand-ins, none from the input
    assert {str(span.style) for span in text.spans} == {"dim"}
    assert all(
        text.plain[s.start : s.end] in ("␛", "␇", "␍", "\\u202e", "\\u202c") for s in text.spans
    )


def test_inert_limit_and_multiline() -> None:
    assert inert("abcdef", limit=2).plain == "ab… (+4 chars)"
    assert inert("a\nb", multiline=True).plain == "a\nb"
    assert inert("a\nb").plain == "a⏎b"
    assert inert("a\x1b", escape_style=None).spans == []


# -- through a real Textual app -----------------------------------------------------------


class Board(App[None]):
    def __init__(self, content: object) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        yield Static(self.content, id="static")  # type: ignore[arg-type]
        yield Label(self.content, id="label")  # type: ignore[arg-type]
        table: DataTable[object] = DataTable(id="table")
        table.add_column("message")
        table.add_row(self.content)
        yield table


def screen_lines(app: App[object]) -> list[str]:
    # the compositor's strips are exactly what would be written to the terminal
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def terminal_output(app: App[object]) -> str:
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


async def test_rendered_markup_is_literal_and_inert() -> None:
    app = Board(inert(HOSTILE, limit=None))
    async with app.run_test(size=(160, 12)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)
        expected = clean(HOSTILE, limit=None)
        assert expected.endswith("[bold red]x[/] :smile:")
        # Static, Label and the table cell all show the characters themselves
        assert sum(expected in line for line in lines) == 3, lines
        assert any(CLICK in line and LINK in line for line in lines)

        output = terminal_output(app)
        assert "\x1b]" not in output  # no OSC (clipboard, title, hyperlink)
        assert "\x07" not in output
        assert CLEAR not in output
        # every ESC that reaches the terminal is one Textual wrote for styling or layout
        leftover = TEXTUAL_SEQUENCE.sub("", output)
        assert "\x1b" not in leftover
        assert not CONTROL.search(leftover.replace("\n", ""))

        # clicking the first cell, where markup would have drawn its quit "x" (the literal
        # "[" here), does nothing: the cell carries no action and the app keeps running
        for widget in ("#static", "#label"):
            region = app.query_one(widget).content_region
            style = app.screen.get_style_at(region.x, region.y)
            assert "@click" not in style.meta and style.link is None, style
            await pilot.click(widget, offset=(0, 0))
            await pilot.pause()
        assert app.is_running
        assert app.return_code is None


async def test_plain_str_would_be_markup() -> None:
    """The hazard inert() exists for: the same string as a str becomes a live quit link."""

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(CLICK, id="static")

    app = Bare()
    async with app.run_test(size=(40, 3)) as pilot:
        assert screen_lines(app)[0].startswith("x ")
        await pilot.click("#static", offset=(0, 0))
        await pilot.pause()
        assert app.return_code == 0  # it quit
