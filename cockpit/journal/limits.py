"""How big one journal event may be: one limit, shared by every way in.

The store enforces it on every append (the note command, the note prompt, system changes,
import), so a 50 MB paste is refused with this message instead of being stored and then
rendered into a 200 MB markdown export; the importer refuses an oversized line with the same
limit before parsing it. Big logs and dumps belong in a file the note points to.

It bounds an event's data: what a person typed or a source reported. Its context (what the
screen showed: every firing alert, every panel's value) is written by the cockpit itself and
grows with an alert storm; an action must never be refused because many alerts fire.
"""

from __future__ import annotations

from typing import Any

from cockpit.journal.codec import canonical_json
from cockpit.journal.events import PayloadError

MIB = 1024 * 1024
MAX_EVENT_BYTES = 1 * MIB  # the data of one event as stored (canonical JSON, UTF-8)


class EventTooLarge(PayloadError):
    """An event over MAX_EVENT_BYTES: refused whole, nothing is cut or appended."""


def check_event_size(data_json: str) -> None:
    """Raise EventTooLarge when the stored data of one event exceeds MAX_EVENT_BYTES."""
    if len(data_json) * 4 <= MAX_EVENT_BYTES:
        return  # even at 4 bytes a character it fits: the usual case, no encoding
    size = len(data_json.encode("utf-8", "surrogatepass"))
    if size > MAX_EVENT_BYTES:
        raise EventTooLarge(
            f"this entry is {_shown(size)}, over the {_shown(MAX_EVENT_BYTES)} limit of one "
            "journal event: put big logs or dumps in a file and note where it is"
        )


def _shown(size: int) -> str:
    # KiB near the limit: "1.0 MiB, over the 1 MiB limit" would read as no reason at all
    return f"{size / MIB:.1f} MiB" if size >= 10 * MIB else f"{size / 1024:,.0f} KiB"


# What a source reports is journaled cut rather than refused (nothing observed is dropped):
# its longest strings are cut to these many characters, the first budget that fits wins.
STRING_BUDGETS = (64 * 1024, 4 * 1024, 256)


def fit(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as it is if within MAX_EVENT_BYTES, else with its long strings cut, each with
    a visible mark (an alert annotation of 5 MB). Still too big: EventTooLarge."""
    if len(canonical_json(data)) * 4 <= MAX_EVENT_BYTES:
        return data
    for budget in (None, *STRING_BUDGETS):
        candidate = data if budget is None else _cut_strings(data, budget)
        try:
            check_event_size(canonical_json(candidate))
        except EventTooLarge:
            continue
        return candidate
    check_event_size(canonical_json(data))  # raises, naming the size
    return data


def _cut_strings(value: Any, budget: int) -> Any:
    if isinstance(value, str) and len(value) > budget:
        rest = len(value) - budget
        return f"{value[:budget]} [… {rest:,} more characters cut: over the journal's limit]"
    if isinstance(value, dict):
        return {k: _cut_strings(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v, budget) for v in value]
    return value
