"""Log lines are the most hostile text cockpit shows: SGR colours may be rendered, every
other escape, control and markup sequence is removed or made visible, long lines are cut."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style

from cockpit.logtext import compact_json, is_errorish, pod_colour, search_plain
from cockpit.text import inert_log


def rendered(text: str) -> str:
    """What a terminal receives for the line: Rich's own output, colours on."""
    console = Console(color_system="truecolor", force_terminal=True, width=400)
    with console.capture() as cap:
        console.print(inert_log(text), end="")
    return cap.get()


def test_sgr_colours_are_kept() -> None:
    line = inert_log("\x1b[31mERROR\x1b[0m db down \x1b[1;38;5;208mslow\x1b[m")
    assert line.plain == "ERROR db down slow"
    styles = {line.plain[s.start : s.end]: s.style for s in line.spans}
    assert Style.parse(str(styles["ERROR"])).color.number == 1  # type: ignore[union-attr]
    slow = Style.parse(str(styles["slow"]))
    assert slow.bold and slow.color is not None and slow.color.number == 208


def test_other_escapes_are_removed() -> None:
    hostile = {
        "\x1b]52;c;ZXZpbA==\x07": "clipboard write (OSC 52)",
        "\x1b[2J": "clear screen",
        "\x1b[H": "cursor home",
        "\x1bc": "terminal reset",
        "\x1b]0;pwned\x1b\\": "window title",
        "\x9b2J": "8-bit CSI",
        "\x1bP+q544e\x1b\\": "DCS query",
    }
    for seq, why in hostile.items():
        line = inert_log(f"before{seq}after")
        assert line.plain == "beforeafter", why
        assert "\x1b" not in rendered(f"before{seq}after").replace("\x1b[0m", ""), why


def test_osc8_links_lose_their_target() -> None:
    line = inert_log("see \x1b]8;;https://evil.example/x\x1b\\this\x1b]8;;\x1b\\ now")
    assert line.plain == "see this now"
    assert all(not (s.style and Style.parse(str(s.style)).link) for s in line.spans)
    assert "evil.example" not in rendered("\x1b]8;;https://evil.example/x\x1b\\this\x1b]8;;\x1b\\")


def test_markup_and_bidi_stay_literal() -> None:
    line = inert_log("[@click=app.quit]x[/] [b]bold[/b] \u202eevil\u202c")
    assert "[@click=app.quit]x[/]" in line.plain and "[b]bold[/b]" in line.plain
    assert "\u202e" not in line.plain and "\\u202e" in line.plain
    assert all(not s.style or "@click" not in str(s.style) for s in line.spans)


def test_controls_are_visible_and_conceal_is_not_kept() -> None:
    line = inert_log("a\rb\x07c\x1b[8mhidden\x1b[0m")
    assert line.plain == "a␍b␇chidden"
    assert "\x1b[8m" not in rendered("\x1b[8mhidden") and "hidden" in rendered("\x1b[8mhidden")


def test_long_lines_are_cut_for_display() -> None:
    line = inert_log("x" * 100_000, limit=2000)
    assert line.plain.startswith("x" * 2000)
    assert line.plain.endswith("… (+98,000 chars)")
    # an unterminated OSC cannot swallow the bound
    assert len(inert_log("\x1b]52;" + "A" * 1_000_000, limit=100).plain) <= 100


def test_helpers() -> None:
    assert is_errorish("2026 ERROR boom") and is_errorish("Traceback (most recent call last):")
    assert is_errorish('{"level":"error","msg":"x"}') and is_errorish("panic: nil map")
    assert not is_errorish('{"level":"info","msg":"errors=0"}') and not is_errorish("all good")
    assert compact_json('{"ts":"2026-11-28T19:05:01.250Z","level":"warn","msg":"slow","ms":5}') == (
        "WARN  slow  ms=5"
    )
    assert compact_json("not json") is None and compact_json("[1,2]") is None
    assert search_plain("\x1b[31mERR\x1b[0m x") == "ERR x"
    assert pod_colour("checkout-abc") == pod_colour("checkout-abc")
    assert len({pod_colour(f"pod-{i}") for i in range(12)}) > 4
