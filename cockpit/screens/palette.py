"""The palette's theme picker: cockpit's own themes first, then Textual's built-ins, each
saying which it is. Textual's picker lists them all in one alphabetical run, where
`cockpit-dark` sits between `catppuccin-mocha` and `dracula` and nothing tells an operator
which themes were made (and checked) for the cockpit's panes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.theme import BUILTIN_THEMES

OURS = "cockpit theme"
TEXTUAL = "Textual theme"


def grouped_themes(app: Any) -> Iterator[tuple[str, str]]:
    """(group, name) of every theme the app offers: cockpit's, then Textual's, by name.

    A theme is Textual's when it is the very built-in object; a cockpit theme file that
    reuses a built-in name replaced it, and is cockpit's."""
    themes = app.available_themes
    builtin = {n for n, t in themes.items() if BUILTIN_THEMES.get(n) is t}
    yield from ((OURS, n) for n in sorted(set(themes) - builtin))
    yield from ((TEXTUAL, n) for n in sorted(builtin))


class ThemeCommands(Provider):
    """One command per theme, titled `cockpit theme: NAME` or `Textual theme: NAME`."""

    def _commands(self) -> list[tuple[str, Any]]:
        def use(name: str) -> None:
            self.app.theme = name

        return [
            (f"{group}: {name}", partial(use, name)) for group, name in grouped_themes(self.app)
        ]

    async def discover(self) -> Hits:
        for title, command in self._commands():
            yield DiscoveryHit(title, command)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title)


class ThemePicker:
    """App mixin: the palette's "Theme" command opens the grouped picker."""

    def search_themes(self) -> None:
        app: Any = self
        app.push_screen(
            CommandPalette(
                providers=[ThemeCommands], placeholder="Search for themes (cockpit's first)…"
            )
        )
