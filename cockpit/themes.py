"""Colour themes: TOML files -> Textual `Theme` objects.

Where themes come from, later ones overriding earlier ones of the same name:

1. the bundled themes: `cockpit/_themes` in a wheel (hatch force-include of `themes/`), or
   the repository's `themes/` folder next to the package in an editable/dev checkout;
2. the user's themes: `<XDG config>/cockpit/themes/*.toml`;
3. `extra_dir`, if given.

A bad file raises ThemeError with one line, "themes/foo.toml: <what is wrong>".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from cockpit import paths

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "DEFAULT_THEME",
    "ThemeError",
    "bundled_themes_dir",
    "load_theme",
    "load_themes",
    "offer_all_themes",
    "start_in_theme",
    "theme_files",
]

DEFAULT_THEME = "cockpit-dark"

_REQUIRED_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
_KNOWN_KEYS = frozenset(
    (
        "name",
        "dark",
        *_REQUIRED_COLOURS,
        "boost",
        "variables",
        "luminosity_spread",
        "text_alpha",
    )
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]*$")


class ThemeError(Exception):
    """A theme file that cannot be used, or a theme name that does not exist."""


# the installed package's folder (a plain directory: cockpit is not run from a zip); not
# importlib.resources, whose import alone cost ~2 ms of every start
PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_themes_dir() -> Path:
    """The shipped themes: package data in a wheel, else the repository's `themes/`."""
    packaged = PACKAGE_DIR / "_themes"
    if packaged.is_dir():
        return packaged
    # editable/dev install: the package lives in <repo>/cockpit, the themes in <repo>/themes
    return PACKAGE_DIR.parent / "themes"


def _toml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


def _colour(label: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeError(f'{label}: {key} must be a colour string such as "#3D9DF3"')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(
            f'{label}: {key} = "{value}" is not a colour (use "#RRGGBB" or a CSS colour name)'
        ) from None
    return value


def _number(label: str, key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ThemeError(f"{label}: {key} must be a number from {low:g} to {high:g}")
    return float(value)


TOO_DEEP = "arrays or inline tables nested too deeply (a theme needs two levels)"


def parse_theme(label: str, text: str, stem: str | None = None) -> Theme:
    """One theme from TOML text; `label` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{label}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per level of [ or {
        raise ThemeError(f"{label}: invalid TOML: {TOO_DEEP}") from None
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ThemeError(
            f"{label}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))};"
            " extra CSS variables go in [variables])"
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(
            f'{label}: name must be a lower-case name such as "my-theme" (got {name!r})'
        )
    if stem is not None and name != stem:
        # one name per file keeps "--theme X" and "themes/X.toml" in step
        raise ThemeError(f"{label}: name {name!r} does not match the file name {stem!r}")
    dark = data.get("dark")
    if not isinstance(dark, bool):
        raise ThemeError(f"{label}: dark must be true or false")
    missing = [key for key in _REQUIRED_COLOURS if key not in data]
    if missing:
        raise ThemeError(f"{label}: missing {', '.join(missing)}")
    colours = {key: _colour(label, key, data[key]) for key in _REQUIRED_COLOURS}
    extra: dict[str, Any] = {}
    if "boost" in data:
        extra["boost"] = _colour(label, "boost", data["boost"])
    if "luminosity_spread" in data:
        extra["luminosity_spread"] = _number(
            label, "luminosity_spread", data["luminosity_spread"], 0, 1
        )
    if "text_alpha" in data:
        extra["text_alpha"] = _number(label, "text_alpha", data["text_alpha"], 0, 1)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{label}: variables must be a table ([variables])")
    for key, value in variables.items():
        if not _VARIABLE.match(key) or not isinstance(value, str):
            raise ThemeError(
                f'{label}: variables.{key} must be a string, e.g. footer-key-foreground = "#FF0"'
            )
    theme = Theme(name=name, dark=dark, variables=dict(variables), **colours, **extra)
    try:
        # the same derivation Textual runs when the theme is applied: fail here, not later
        theme.to_color_system().generate()
    except Exception as exc:  # Textual raises assorted errors for odd values
        raise ThemeError(f"{label}: unusable theme: {exc}") from None
    return theme


def theme_files(extra_dir: Path | None = None) -> dict[str, tuple[str, Path]]:
    """Every theme file by name (its stem) with its label for errors: bundled, then user,
    then `extra_dir`, a later one replacing an earlier one of the same name."""
    folders: list[tuple[Path, str | None]] = [
        (bundled_themes_dir(), "themes"),
        (paths.user_themes_dir(), None),
    ]
    if extra_dir is not None:
        folders.append((extra_dir, None))
    files: dict[str, tuple[str, Path]] = {}
    for folder, prefix in folders:
        for file in _toml_files(folder):
            label = f"{prefix}/{file.name}" if prefix else str(file)
            files[file.name.removesuffix(".toml")] = (label, file)
    if DEFAULT_THEME not in files:
        # a broken install must not leave the app without its default theme
        raise ThemeError(f"themes: the default theme {DEFAULT_THEME!r} is missing from the install")
    return files


def _read_theme(name: str, label: str, file: Path) -> Theme:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{label}: cannot read: {exc}") from None
    return parse_theme(label, text, stem=name)


def load_themes(extra_dir: Path | None = None) -> dict[str, Theme]:
    """All available cockpit themes by name: bundled, then user, then `extra_dir`."""
    files = theme_files(extra_dir)
    return {name: _read_theme(name, *where) for name, where in files.items()}


def load_theme(name: str, extra_dir: Path | None = None) -> dict[str, Theme]:
    """Just the theme called `name`, as a start needs it ({} for a Textual built-in one).

    Each theme costs ~0.6 ms to parse and check; the others are offered in the palette
    after the first frame (`offer_all_themes`). ThemeError for a bad file or unknown name.
    """
    files = theme_files(extra_dir)
    if name in files:
        return {name: _read_theme(name, *files[name])}
    if name in BUILTIN_THEMES:
        return {}
    ours = ", ".join(sorted(files))
    textual = ", ".join(sorted(BUILTIN_THEMES))
    raise ThemeError(f"unknown theme {name!r} (available: {ours}; Textual's: {textual})")


def offer_all_themes(app: App[Any]) -> list[str]:
    """Register every theme file on a running app, for the palette. A file that cannot be
    used is a warning toast (returned too), not a failure: a broken spare theme must not
    stop a cockpit in the middle of an incident."""
    problems = []
    for name, where in theme_files().items():
        if name not in app.available_themes:
            try:
                app.register_theme(_read_theme(name, *where))
            except ThemeError as exc:
                problems.append(f"{exc} (not offered)")
    for problem in problems:
        app.notify(problem, severity="warning", markup=False)
    return problems


def start_in_theme(app: App[Any], themes: Mapping[str, Theme], name: str) -> None:
    """Register `themes` on a new app (call from its __init__) and start it in theme `name`.

    Setting `App.theme` runs Textual's watcher, which re-parses every CSS source from scratch
    and restyles the app: ~3.5 ms of the first frame. Before the app runs there is nothing to
    restyle, so a theme of the same darkness as Textual's default only needs the value (the
    dark/light mode classes and ANSI colour mapping App.__init__ set are already right).
    """
    for theme in themes.values():
        app.register_theme(theme)
    theme = app.get_theme(name)
    if theme is None:
        return  # unknown names were refused by the launcher; the default stays
    if theme.dark == app.current_theme.dark:
        app.set_reactive(type(app).theme, name)
        app.add_class(f"-theme-{name}", update=False)
        app.stylesheet.set_variables(app.get_css_variables())  # App.__init__ took the default's
    else:
        app.theme = name
