"""Modal prompts: pick one of a few choices, type a line, a note with its type, confirm."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cockpit.text import inert

_MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} OptionList {{ height: auto; max-height: 12; }}
{name} .hint {{ color: $text-muted; }}
{name} Horizontal {{ height: auto; }}
"""


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one value; digits pick by position, escape cancels."""

    DEFAULT_CSS = _MODAL_CSS.format(name="ChoiceScreen")
    BINDINGS = [
        ("escape", "cancel", "Cancel"),
        *((str(n), f"pick({n})", str(n)) for n in range(1, 10)),
    ]

    def __init__(self, title: str, choices: Sequence[str], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            options = [Option(f"{i}  {c}", id=c) for i, c in enumerate(self.choices, start=1)]
            yield OptionList(*options)
            yield Static("enter pick · 1-9 pick by number · esc cancel", classes="hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if self.current in self.choices:
            option_list.highlighted = self.choices.index(self.current)
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            self.dismiss(self.choices[number - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[str | None]):
    """Type one line (a title, an operator name, a duration)."""

    DEFAULT_CSS = _MODAL_CSS.format(name="TextScreen")
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(value=self.value, placeholder=self.placeholder)
            yield Static("enter save · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(ModalScreen[tuple[str, str] | None]):
    """A note with its type: note, hypothesis, decision or finding."""

    DEFAULT_CSS = _MODAL_CSS.format(name="NoteScreen") + "NoteScreen Select { width: 24; }"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, types: Sequence[str]) -> None:
        super().__init__()
        self.types = list(types)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add to the journal")
            with Horizontal():
                yield Select([(t, t) for t in self.types], value=self.types[0], allow_blank=False)
                yield Input(placeholder="what you saw, think or decided")
            yield Static("enter save · tab type · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        note_type = self.query_one(Select).value
        self.dismiss((str(note_type), event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """Show exactly what will change; y confirms, anything else cancels."""

    DEFAULT_CSS = _MODAL_CSS.format(name="ConfirmScreen")
    BINDINGS = [("y", "confirm", "Yes"), ("n,escape", "cancel", "No")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Static(inert(self.body, limit=2000, multiline=True))
            with Horizontal():
                yield Button("y  Yes, do it", variant="error", id="yes")
                yield Button("n  Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
