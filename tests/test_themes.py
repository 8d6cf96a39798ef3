"""Themes: bundled files load, stay readable when colours are rounded, errors are one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import Theme
from textual.widgets import Label

from cockpit import paths, themes
from cockpit.themes import (
    DEFAULT_THEME,
    ThemeError,
    load_theme,
    load_themes,
    start_in_theme,
)

BUNDLED = {"cockpit-dark", "cockpit-light", "high-contrast", "colour-blind"}
OKABE_ITO = {
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
}

GOOD = """\
name = "{name}"
dark = true
primary = "#3D9DF3"
secondary = "#39C5CF"
accent = "#D2A8FF"
foreground = "#E6EDF3"
background = "#0D1117"
surface = "#161B22"
panel = "#21262D"
success = "#3FB950"
warning = "#E3B341"
error = "#F85149"
"""


@pytest.fixture(autouse=True)
def no_user_themes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user themes dir at an empty temp folder: the developer's own must not leak."""
    user = tmp_path / "user-themes"
    monkeypatch.setattr(paths, "user_themes_dir", lambda: user)
    return user


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def theme_error(folder: Path, name: str, text: str) -> str:
    path = write(folder, name, text)
    with pytest.raises(ThemeError) as info:
        load_themes(folder)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_bundled_themes() -> None:
    loaded = load_themes()
    assert set(loaded) == BUNDLED
    assert DEFAULT_THEME == "cockpit-dark"
    assert all(isinstance(t, Theme) for t in loaded.values())
    assert loaded["cockpit-light"].dark is False
    assert loaded["cockpit-dark"].dark is True


def test_bundled_dir_is_repo_folder_in_dev_checkout() -> None:
    folder = themes.bundled_themes_dir()
    names = {f.name for f in folder.iterdir()}
    assert {f"{n}.toml" for n in BUNDLED} <= names
    assert ".keep" not in names


def test_wheel_layout_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from a wheel, the themes are package data at cockpit/_themes."""
    package = tmp_path / "site-packages" / "cockpit"
    write(package / "_themes", "cockpit-dark", GOOD.format(name="cockpit-dark"))
    monkeypatch.setattr(themes, "PACKAGE_DIR", package)
    assert themes.bundled_themes_dir() == package / "_themes"
    assert set(load_themes()) == {"cockpit-dark"}


def test_missing_default_theme_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cockpit"
    write(package / "_themes", "other", GOOD.format(name="other"))
    monkeypatch.setattr(themes, "PACKAGE_DIR", package)
    with pytest.raises(ThemeError, match="default theme 'cockpit-dark' is missing"):
        load_themes()


def test_colour_blind_uses_okabe_ito() -> None:
    theme = load_themes()["colour-blind"]
    hues = [
        theme.primary,
        theme.secondary,
        theme.accent,
        theme.success,
        theme.warning,
        theme.error,
    ]
    assert {h.upper() for h in hues} <= OKABE_ITO
    assert theme.error.upper() == "#D55E00" and theme.success.upper() == "#009E73"


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = Color.parse(colour).rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_readable(name: str) -> None:
    theme = load_themes()[name]
    assert theme.foreground and theme.background
    # body text: WCAG AA (high-contrast: AAA)
    floor = 7.0 if name == "high-contrast" else 4.5
    for back in (theme.background, theme.surface, theme.panel):
        assert back is not None
        assert contrast(theme.foreground, back) >= floor
    # state colours used as text on the background
    for key in ("primary", "success", "warning", "error"):
        assert contrast(getattr(theme, key), theme.background) >= 4.5, key


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_states_stay_distinct_in_16_and_256_colours(name: str) -> None:
    theme = load_themes()[name]
    for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT):
        rounded = {
            key: RichColor.parse(getattr(theme, key)).downgrade(system).number
            for key in ("success", "warning", "error", "background")
        }
        assert len(set(rounded.values())) == 4, (system, rounded)


def test_high_contrast_is_pure() -> None:
    theme = load_themes()["high-contrast"]
    assert theme.background == "#000000" and theme.foreground == "#FFFFFF"
    assert theme.text_alpha == 1.0


def test_user_and_extra_dirs(no_user_themes: Path, tmp_path: Path) -> None:
    write(no_user_themes, "mine", GOOD.format(name="mine"))
    extra = tmp_path / "extra"
    # a later source overrides a bundled theme of the same name
    write(extra, "cockpit-dark", GOOD.format(name="cockpit-dark").replace("#0D1117", "#000000"))
    loaded = load_themes(extra)
    assert set(loaded) == BUNDLED | {"mine"}
    assert loaded["cockpit-dark"].background == "#000000"


def test_variables_and_optional_keys(tmp_path: Path) -> None:
    text = (
        GOOD.format(name="t") + 'boost = "#FFFFFF"\ntext_alpha = 1\n[variables]\nborder = "#FFF"\n'
    )
    theme = load_themes(write(tmp_path / "x", "t", text).parent)["t"]
    assert theme.boost == "#FFFFFF" and theme.text_alpha == 1.0
    assert theme.variables == {"border": "#FFF"}


def test_non_toml_files_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "README.md").write_text("not a theme")
    (folder / "shared.tcss").write_text("Screen { }")
    assert set(load_themes(folder)) == BUNDLED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = ", "invalid TOML: "),
        (GOOD.format(name="bad").replace('error = "#F85149"\n', ""), "missing error"),
        (GOOD.format(name="bad").replace('"#F85149"', '"reddish"'), 'error = "reddish" is not'),
        (GOOD.format(name="bad").replace('"#F85149"', "3"), "error must be a colour string"),
        (GOOD.format(name="bad").replace("dark = true", 'dark = "yes"'), "dark must be true"),
        (GOOD.format(name="other"), "name 'other' does not match the file name 'bad'"),
        (GOOD.format(name="Bad Name"), "name must be a lower-case name"),
        (GOOD.format(name="bad") + "colour = 1\n", "unknown key 'colour'"),
        (GOOD.format(name="bad") + "text_alpha = 2\n", "text_alpha must be a number from 0 to 1"),
        (GOOD.format(name="bad") + "variables = 1\n", "variables must be a table"),
        (GOOD.format(name="bad") + "[variables]\nborder = 1\n", "variables.border must be"),
    ],
)
def test_bad_theme_file(tmp_path: Path, text: str, expected: str) -> None:
    assert theme_error(tmp_path / "extra", "bad", text).startswith(expected)


def test_bad_user_theme_names_file(no_user_themes: Path) -> None:
    path = write(no_user_themes, "broken", "name = 'broken'\n")
    with pytest.raises(ThemeError, match=rf"^{path}: dark must be true or false$"):
        load_themes()


def test_unknown_name_lists_available() -> None:
    assert load_theme("high-contrast")["high-contrast"].name == "high-contrast"
    assert load_theme("nord") == {}  # Textual's own themes still work: nothing to load
    with pytest.raises(ThemeError) as info:
        load_theme("cockpit-drak")
    message = str(info.value)
    assert message.startswith("unknown theme 'cockpit-drak' (available: cockpit-dark, ")
    for name in BUNDLED:
        assert name in message


class ThemedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("hello")


@pytest.mark.parametrize("name", sorted(BUNDLED))
async def test_applies_in_textual(name: str) -> None:
    theme = load_themes()[name]
    app = ThemedApp()
    async with app.run_test() as pilot:
        app.register_theme(theme)
        app.theme = name
        await pilot.pause()
        assert app.current_theme.name == name
        assert app.screen.styles.background == Color.parse(theme.background or "")


class StartedInTheme(ThemedApp):
    def __init__(self, name: str) -> None:
        super().__init__()
        start_in_theme(self, load_themes(), name)


@pytest.mark.parametrize("name", sorted(BUNDLED))
async def test_start_in_theme_styles_as_a_switch_does(name: str) -> None:
    """The start without Textual's theme watcher looks exactly like switching to the theme."""
    switched = ThemedApp()
    async with switched.run_test() as pilot:
        switched.register_theme(load_themes()[name])
        switched.theme = name
        await pilot.pause()
        expected = switched.get_css_variables(), sorted(switched.classes)
        label = switched.query_one(Label).styles
        expected_label = (label.color, label.background)
    started = StartedInTheme(name)
    async with started.run_test() as pilot:
        await pilot.pause()
        assert started.current_theme.name == name
        assert (started.get_css_variables(), sorted(started.classes)) == expected
        label = started.query_one(Label).styles
        assert (label.color, label.background) == expected_label
        assert started.screen.styles.background == Color.parse(load_themes()[name].background or "")


def test_load_theme_reads_only_the_named_file(no_user_themes: Path) -> None:
    """A start parses its own theme; a broken spare file does not stop it."""
    write(no_user_themes, "broken", "name = 'broken'\n")
    assert set(load_theme("cockpit-light")) == {"cockpit-light"}
    assert load_theme("textual-dark") == {}
    with pytest.raises(ThemeError, match=r"broken\.toml"):
        load_theme("broken")
    with pytest.raises(ThemeError, match=r"unknown theme 'nope' .*cockpit-dark"):
        load_theme("nope")


class OffersThemes(ThemedApp):
    def on_mount(self) -> None:
        self.problems = themes.offer_all_themes(self)


async def test_the_other_themes_are_offered_once_running(no_user_themes: Path) -> None:
    write(no_user_themes, "mine", GOOD.format(name="mine"))
    write(no_user_themes, "broken", "name = 'broken'\n")
    app = OffersThemes()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert BUNDLED | {"mine"} <= set(app.available_themes)
        assert "broken" not in app.available_themes
        assert len(app.problems) == 1 and "broken.toml" in app.problems[0]
        assert [n.message for n in app._notifications] == app.problems
