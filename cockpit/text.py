"""Untrusted text made inert in the UI: no markup, no terminal control, bounded length.

Strings from the outside world (Kubernetes event messages, pod names, label values,
operator notes) must never style or move the terminal:

* `clean()` (in `cockpit.plaintext`, re-exported here) makes every character a terminal
  could act on visible, and bounds the length.
* `inert()` wraps the cleaned string in a `rich.text.Text`. Textual renders a Text as-is,
  whereas a plain `str` handed to most widgets is parsed as markup (`[@click=app.quit]`
  would become a live action), so the UI passes `inert(...)` everywhere.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from cockpit.plaintext import DEFAULT_LIMIT, clean, clean_spans, strip_escapes

__all__ = ["DEFAULT_LIMIT", "LOG_LIMIT", "clean", "inert", "inert_log"]

LOG_LIMIT = 2000  # a log line is cut here on screen; the detail view has it whole


def inert(
    text: str,
    limit: int | None = DEFAULT_LIMIT,
    style: str | Style = "",
    *,
    multiline: bool = False,
    escape_style: str | Style | None = "dim",
) -> Text:
    """A Text of `clean(text)` that no widget will parse as markup.

    `escape_style` marks the stand-ins ("␛", "⏎", "\\u202e") so that they read as
    replacements rather than as characters of the original message.
    """
    cleaned, spans = clean_spans(text, limit, multiline)
    # Text(...) never parses markup or emoji codes, unlike Text.from_markup / console markup
    result = Text(cleaned, style=style, end="")
    if escape_style:
        for start, end in spans:
            result.stylize(escape_style, start, end)
    return result


def _safe(style: Style) -> Style:
    """Only what SGR colours a line with: no conceal (hides text), no blink, no link."""
    return Style(
        color=style.color,
        bgcolor=style.bgcolor,
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        strike=style.strike,
        reverse=style.reverse,
    )


def _style(style: str | Style) -> Style:
    return Style.parse(style) if isinstance(style, str) else style


def inert_log(text: str, limit: int | None = LOG_LIMIT, *, escape_style: str = "dim") -> Text:
    """A log line as a Text: its SGR colours kept (Rich's own ANSI decoder), every other
    escape sequence removed (OSC 52/8, screen clears, cursor moves, DCS...), controls and
    bidi/invisible characters made visible like `inert()`, at most `limit` characters."""
    if not isinstance(text, str):
        text = str(text)
    window = text if limit is None else text[: 4 * limit + 256]  # bounded work
    parts, sgr = strip_escapes(window.replace("\t", "    "), keep_sgr=True)
    kept: list[str] = []
    spans: list[tuple[int, int]] = []
    size = 0
    for i, part in enumerate(parts):
        cleaned, stand_ins = clean_spans(part, None, False)
        spans += [(size + a, size + b) for a, b in stand_ins]
        size += len(cleaned)
        kept.append(cleaned)
        if i < len(sgr):
            kept.append(sgr[i])
    line = Text.from_ansi("".join(kept), end="") if sgr else Text("".join(kept), end="")
    line.spans = [span._replace(style=_safe(_style(span.style))) for span in line.spans]
    if escape_style:
        for start, end in spans:
            line.stylize(escape_style, start, end)
    if limit is not None and len(line.plain) > limit:
        dropped = len(line.plain) - limit + len(text) - len(window)
        line.truncate(limit)
        line.append(f"… (+{dropped:,} char{'s' if dropped != 1 else ''})", style="dim")
    elif len(window) < len(text):
        dropped = len(text) - len(window)
        line.append(f"… (+{dropped:,} chars)", style="dim")
    return line
