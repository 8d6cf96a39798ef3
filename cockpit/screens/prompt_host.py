"""The app side of prompts: open one on the main screen, keep the keyboard in it, route
its answer. Kept apart from the prompt widgets (`prompts.py`) so the app can start without
creating them: nobody needs a prompt before the first key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from cockpit.screens.prompts import Callback, Prompt, ResultType


class KeptText(NamedTuple):
    """What the operator typed into a prompt whose action was not journaled."""

    type: str  # the note's type, "" for other text
    text: str
    problem: str  # why it was not journaled, shown when the prompt brings it back


class PromptHost:
    """App mixin: opens prompts on the main screen and routes their results."""

    _prompt: Prompt[Any] | None = None
    _focus_before: Widget | None = None
    _kept: dict[str, KeptText] | None = None

    @property
    def kept(self) -> dict[str, KeptText]:
        """Text typed into a prompt whose action was not journaled (refused, read-only, the
        journal not writable), by prompt ("note", "amend <id>", "declare"): the next prompt
        of that kind brings it back; what is still here when the app ends is printed."""
        if self._kept is None:
            self._kept = {}
        return self._kept

    def kept_lines(self) -> list[str]:
        """What was typed and never journaled, one entry per prompt, for the terminal."""
        return [
            f"not journaled ({k.problem}): {k.type + ': ' if k.type else ''}{k.text}"
            for k in self.kept.values()
        ]

    @property
    def prompt(self) -> Prompt[Any] | None:
        """The open prompt, if any."""
        return self._prompt

    async def ask(self, prompt: Prompt[Any], callback: Callback | None = None) -> None:
        """Open `prompt`; `callback(result)` runs on the app once it is answered.

        Awaited from the key's action, so the app handles no further key until the prompt
        holds the focus: what the operator types ahead (`s` then `2`) lands in the prompt.
        """
        app: Any = self
        if self._prompt is not None:  # one question at a time: the newer one wins
            self._prompt.dismiss(self._prompt.cancelled())
        prompt.callback = callback
        self._focus_before = app.focused
        # earlier confirmations would sit on top of the prompt (Textual draws toasts last)
        app.clear_notifications()
        self._prompt = prompt
        await app.screen_stack[0].mount(prompt)
        prompt.focus_first()

    # -- the prompts by kind: the widget module is imported on the first one -----------------

    async def ask_text(
        self,
        title: str,
        callback: Callback,
        *,
        value: str = "",
        placeholder: str = "",
        problem: str = "",
    ) -> None:
        """One line; `problem`: why `value` (typed before) was not journaled."""
        from cockpit.screens.prompts import TextPrompt

        prompt = TextPrompt(title, value=value, placeholder=placeholder, problem=problem)
        await self.ask(prompt, callback)

    async def ask_choice(
        self,
        title: str,
        choices: Sequence[str],
        callback: Callback,
        *,
        current: str | None = None,
    ) -> None:
        from cockpit.screens.prompts import ChoicePrompt

        await self.ask(ChoicePrompt(title, choices, current), callback)

    async def ask_note(
        self,
        types: Sequence[str],
        callback: Callback,
        *,
        title: str = "Add to the journal",
        text: str = "",
        note_type: str = "",
        problem: str = "",
    ) -> None:
        """A note's text (multi-line) and its type; no `types`: the text alone (an amendment).
        `text`, `note_type` and `problem` bring back a draft that was not journaled."""
        from cockpit.screens.prompts import NotePrompt

        prompt = NotePrompt(types, title=title, text=text, note_type=note_type, problem=problem)
        await self.ask(prompt, callback)

    async def confirm(self, title: str, body: str) -> bool:
        """Ask yes or no and wait for the answer (from a worker)."""
        from cockpit.screens.prompts import ConfirmPrompt

        return await self.ask_wait(ConfirmPrompt(title, body))

    async def ask_wait(self, prompt: Prompt[ResultType]) -> ResultType:
        """Open `prompt` and wait for its answer (from a worker)."""
        answer: asyncio.Future[ResultType] = asyncio.get_running_loop().create_future()
        await self.ask(prompt, lambda result: None if answer.done() else answer.set_result(result))
        return await answer

    def on_prompt_closed(self, message: Prompt.Closed) -> None:
        app: Any = self
        message.stop()
        prompt = message.prompt
        current = self._prompt is prompt
        if current:
            self._prompt = None
        before = self._focus_before
        if current and before is not None and before.is_attached and before.focusable:
            # before the removal, and at once: removing the focused prompt would move the
            # focus to some pane first (a spurious view.focus in the journal)
            app.screen_stack[0].set_focus(before)
        # not awaited: the answer is acted on (and journaled) while the prompt is pruned
        prompt.remove()
        if prompt.callback is not None:
            app.call_later(prompt.callback, message.result)

    def keep_focus_in_prompt(self, widget: Widget) -> bool:
        """Focus moved (tab, mouse) outside the open prompt: put it back. True if it did."""
        prompt = self._prompt
        if prompt is None or prompt.closed or not prompt.is_mounted:
            return False  # not open, or still mounting: ask() focuses it once mounted
        if widget is prompt or prompt in widget.ancestors:
            return False
        prompt.focus_first()
        return True

    def on_resize(self, event: events.Resize) -> None:
        if self._prompt is not None:
            self._prompt.place(event.size.width)
