"""The exit-code table: which errors are the user's (one line, a code) and which are bugs."""

from __future__ import annotations

import importlib

import pytest

from cockpit.errors import (
    DOMAIN_ERRORS,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
    exit_code,
    one_line,
)


@pytest.mark.parametrize(("module_name", "class_name", "code"), DOMAIN_ERRORS)
def test_every_domain_error_in_the_table_exists(
    module_name: str, class_name: str, code: int
) -> None:
    """A renamed or moved error would silently turn back into a traceback."""
    error = getattr(importlib.import_module(module_name), class_name)
    assert issubclass(error, Exception)
    assert exit_code(error("what is wrong")) == code


def test_usage_error_carries_its_code() -> None:
    assert exit_code(UsageError("bad")) == EXIT_USAGE
    assert exit_code(UsageError("found", code=EXIT_FOUND)) == EXIT_FOUND


def test_subclasses_of_a_domain_error_map_too() -> None:
    from cockpit.journal.errors import VersionConflict

    assert exit_code(VersionConflict("someone appended first")) == EXIT_USAGE


def test_interrupt_is_130_and_silent() -> None:
    assert exit_code(KeyboardInterrupt()) == EXIT_INTERRUPTED == 130
    assert one_line(KeyboardInterrupt()) == ""


def test_a_bug_is_not_in_the_table() -> None:
    assert exit_code(ValueError("a bug")) is None
    assert exit_code(LookupError("a bug")) is None  # IncidentNotFound's base is not enough


def test_the_message_is_one_line() -> None:
    assert one_line(UsageError("a\nb")) == "cockpit: a b"
    assert one_line(UsageError("no journal at x")) == "cockpit: no journal at x"
