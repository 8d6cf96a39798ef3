"""The one user-error type and the one table of exit codes.

An error a user can cause ends the command with one line on stderr and an exit code from
this table, never a traceback. Anything not in the table is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FOUND = 1  # a failure was found: a broken chain, a failed doctor check
EXIT_USAGE = 2  # usage or configuration error: the user can fix it and run again
EXIT_INTERRUPTED = 130  # ctrl+c: 128 + SIGINT, as shells report it
EXIT_HUNG = EXIT_FOUND  # a shutdown after a hang-up hung and the watchdog ended the process


class UsageError(Exception):
    """A mistake the user can fix, raised anywhere in the CLI layer."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# Domain errors raised below the CLI layer that a user causes (a wrong file, a typo).
# Named, not imported: the table costs nothing at start, and an error whose module was never
# loaded cannot have been raised.
DOMAIN_ERRORS: tuple[tuple[str, str, int], ...] = (
    ("cockpit.config", "ConfigError", EXIT_USAGE),
    ("cockpit.themes", "ThemeError", EXIT_USAGE),
    # a damaged journal file (or an empty one, for verify) is a failure found, not a usage
    # error; checked before JournalError, its base
    ("cockpit.journal.errors", "JournalDamaged", EXIT_FOUND),
    # any backend's: a wrong --journal, a newer schema, a stale version (VersionConflict)
    ("cockpit.journal.errors", "JournalError", EXIT_USAGE),
    ("cockpit.journal.incidents", "IncidentNotFound", EXIT_USAGE),
    ("cockpit.journal.importer", "ImportError_", EXIT_USAGE),
    # a payload the journal refuses (over the event size limit, not its kind's schema)
    ("cockpit.journal.events", "PayloadError", EXIT_USAGE),
    # an incident id or operator name outside the policy (cockpit/identifiers.py)
    ("cockpit.identifiers", "IdentifierError", EXIT_USAGE),
)


def exit_code(exc: BaseException) -> int | None:
    """The exit code for an error the user caused; None for anything else (a bug)."""
    if isinstance(exc, UsageError):
        return exc.code
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    for module_name, class_name, code in DOMAIN_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return code
    return None


def one_line(exc: BaseException) -> str:
    """What to print for a user error: `cockpit: <what>`, or "" when there is nothing to say."""
    if isinstance(exc, KeyboardInterrupt):
        return ""  # the user pressed it and knows
    return "cockpit: " + " ".join(str(exc).splitlines())
