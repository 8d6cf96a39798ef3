"""Which incident a command works on (cockpit/journal/incidents.py), on a real journal."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cockpit.journal.incidents import (
    IncidentNotFound,
    existing_incident,
    incident_to_append,
    incident_to_run,
    new_incident_id,
)
from cockpit.journal.store import Journal
from cockpit.model import Draft


async def _note(journal: Journal, incident: str) -> None:
    await journal.append(
        Draft(incident=incident, kind="note.added", actor="t", data={"type": "note", "text": "x"})
    )


NEW_ID = r"INC-\d{8}-\d{6}-[a-z0-9]{4}"
# the id charset every command accepts (issue 12 item 1 builds ids that pass it)
ID_CHARSET = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"


def test_new_id_is_dated_to_the_second_and_unique() -> None:
    moment = datetime(2026, 12, 2, 11, 5, 12, tzinfo=UTC)
    ids = {new_incident_id(moment) for _ in range(20)}
    # one second, twenty starts: never a shared id (issue 12 item 1; 36^4 tails)
    assert len(ids) == 20
    for incident in ids:
        assert re.fullmatch(NEW_ID, incident)
        assert re.fullmatch(ID_CHARSET, incident)
        assert incident.startswith("INC-20261202-110512-")
    # sortable: a later second sorts after, whatever the random part
    later = new_incident_id(datetime(2026, 12, 2, 11, 5, 13, tzinfo=UTC))
    assert all(incident < later for incident in ids)


def test_a_run_joins_or_starts_without_reading_the_journal() -> None:
    assert incident_to_run("INC-X") == "INC-X"
    assert re.fullmatch(NEW_ID, incident_to_run(None))


async def test_existing_incident(journal: Journal) -> None:
    with pytest.raises(IncidentNotFound, match="holds no incident yet: nothing to replay"):
        await existing_incident(journal, None, when_empty="nothing to replay")
    with pytest.raises(IncidentNotFound, match=r"no incident 'INC-A' .*the journal is empty"):
        await existing_incident(journal, "INC-A", when_empty="")
    await _note(journal, "INC-A")
    await _note(journal, "INC-B")
    assert await existing_incident(journal, None, when_empty="") == "INC-B"  # the most recent
    assert await existing_incident(journal, "INC-A", when_empty="") == "INC-A"
    with pytest.raises(IncidentNotFound, match=r"no incident 'INC-C' .*\(known: INC-A, INC-B\)"):
        await existing_incident(journal, "INC-C", when_empty="")


async def test_a_note_starts_or_follows(journal: Journal) -> None:
    assert re.fullmatch(NEW_ID, await incident_to_append(journal, None))
    assert await incident_to_append(journal, "INC-NEW") == "INC-NEW"  # its first event starts it
    await _note(journal, "INC-A")
    assert await incident_to_append(journal, None) == "INC-A"
