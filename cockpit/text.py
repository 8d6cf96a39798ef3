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

from cockpit.plaintext import DEFAULT_LIMIT, clean, clean_spans

__all__ = ["DEFAULT_LIMIT", "clean", "inert"]


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
