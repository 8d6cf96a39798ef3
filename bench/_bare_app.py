"""The baseline for bench/startup.py: a bare Textual app that shows one label and nothing else."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "bare textual ready"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)


if __name__ == "__main__":
    BareApp().run()
