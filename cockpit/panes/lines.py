"""One-line widgets that repaint without a layout pass: status bar, banner, tabs, key bar.

Textual's Static.update() asks for a layout of the whole screen on every call; the status bar
changes with every journal entry, so during a busy incident that was a full reflow and
repaint of all panes many times a second. These widgets repaint only their own line, and ask
for a layout only when their height (number of wrapped lines) changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget


class TextLine(Widget):
    """Shows one rich Text (already inert); `show()` repaints only when it changed."""

    DEFAULT_CSS = "TextLine { height: auto; }"

    def __init__(self, text: Text | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text = text or Text()

    def render(self) -> Text:
        return self.text

    def show(self, text: Text) -> None:
        if text == self.text:
            return
        old_height = self._height_of(self.text)
        self.text = text
        self.refresh(layout=self._height_of(text) != old_height)

    def _height_of(self, text: Text) -> int:
        width = self.content_region.width
        if width <= 0 or not self.is_mounted:
            return -1  # not laid out yet: the first layout measures it
        return len(text.wrap(self.app.console, width))


class KeyBar(TextLine):
    """The footer: the first-response keys, styled by the theme, never recomposed.

    Textual's Footer rebuilds itself (one widget per key) whenever the focused widget or the
    screen changes, which is every prompt opened and closed.
    """

    COMPONENT_CLASSES = {"keybar--key"}
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $footer-background; color: $footer-foreground; }
    KeyBar > .keybar--key { color: $footer-key-foreground; text-style: bold; }
    """

    def __init__(self, keys: Iterable[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.keys = tuple(keys)  # (key as shown, label)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, label in self.keys:
            text.append(f" {key}", style=key_style)
            text.append(f" {label} ")
        return text
