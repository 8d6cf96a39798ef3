"""The join-or-new chooser (cockpit/chooser.py) on its own: keys and untrusted titles."""

from __future__ import annotations

from cockpit.chooser import NEW, ChooserApp
from cockpit.journal.active import ActiveIncident
from cockpit.model import IncidentState, utc_now_iso


def _incidents() -> list[ActiveIncident]:
    hostile = IncidentState(
        id="INC-20261202-110512-k3f9",
        title="[red]checkout[/red] 5xx \x1b[2J",
        severity="SEV2",
        started=utc_now_iso(),
        sessions={"s1": "alice"},
    )
    other = IncidentState(id="INC-20261202-100000-aaaa", started=utc_now_iso())
    return [ActiveIncident(hostile), ActiveIncident(other, "bob")]


def _text(app: ChooserApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_lines_are_shown_as_text() -> None:
    app = ChooserApp(_incidents(), "/tmp/journal.sqlite")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        text = _text(app)
        assert "1  join INC-20261202-110512-k3f9 SEV2 [red]checkout[/red] 5xx ␛[2J" in text
        assert "(alice, 0 min)" in text
        assert "2  join INC-20261202-100000-aaaa SEV? (not declared) (bob, 0 min)" in text
        assert "n  start a new incident" in text


async def test_keys_choose() -> None:
    for keys, chosen in (
        (("2",), "INC-20261202-100000-aaaa"),
        (("enter",), "INC-20261202-110512-k3f9"),
        (("down", "enter"), "INC-20261202-100000-aaaa"),
        (("n",), NEW),
        (("q",), None),
        (("9",), "unchanged"),  # no ninth incident: nothing happens
    ):
        app = ChooserApp(_incidents(), "/tmp/journal.sqlite")
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            if chosen == "unchanged":
                assert app.is_running
                app.exit(None)
                continue
        assert app.return_value == chosen, keys
