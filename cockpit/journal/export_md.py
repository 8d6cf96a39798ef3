"""The markdown postmortem: pasted into the postmortem document after an incident.

Every untrusted string goes through md_text, so a note cannot add a table column, open a code
span or inject HTML. Tables before the timeline have two columns and the timeline has three:
evidence is appended to the "What" cell rather than given a column, keeping rows paste-stable.
"""

from __future__ import annotations

from cockpit.journal.format import cut, fmt_duration, hhmmss, md_text
from cockpit.journal.postmortem import NOTE_SECTIONS, Entry, Postmortem, pinned_lines
from cockpit.journal.postmortem_team import TeamSection, late_line, team_lines

AMENDED = "(amended)"


LINE_BREAK = " ⏎ "  # the timeline's mark: the markdown holds no html, not even <br>


def md_lines(text: str) -> str:
    """Inert markdown of a text that may hold several lines (a pasted note): each line
    escaped, the lines joined by a visible mark, so the text stays in its table cell or list
    item and no line of it can start a row, a heading or a list."""
    return LINE_BREAK.join(md_text(line) for line in str(text).split("\n"))


def _what(entry: Entry) -> str:
    text = md_lines(cut(entry.what))
    if entry.amended:
        text += f" {AMENDED}"
    if entry.evidence is not None and not entry.evidence.empty:
        text += f" — evidence: {md_text(entry.evidence.line())}"
    if entry.late is not None:
        text += f" — **late:** {late_line(entry.late)}"
    return text


def _actor(entry: Entry, escaped: _Escaped) -> str:
    """The self-declared actor; beside it the role that really inserted the event when that
    role does not name them (postmortem_team.py)."""
    name = escaped[entry.event.actor]
    if entry.inserted_by:
        return f"{name} **(inserted by role {escaped[entry.inserted_by]})**"
    return name


class _Escaped(dict[str, str]):
    """md_text memoised by the text (md_text is pure)."""

    def __missing__(self, text: str) -> str:
        self[text] = escaped = md_text(text)
        return escaped


def _alerts_section(pm: Postmortem) -> list[str]:
    """Each alert that fired and what it said: summary, description, runbook, source."""
    if not pm.alerts:
        return []
    lines = ["", "## Alerts", ""]
    for a in pm.alerts:
        severity = f" ({md_text(a.severity)})" if a.severity else ""
        lines.append(f"- **{md_text(a.alert)}**{severity}, firing since {hhmmss(a.starts_at)}")
        fields = [
            ("summary", a.summary),
            ("description", a.description),
            ("runbook", a.runbook_url),
            *a.other,
            ("source", a.generator_url),
        ]
        lines += [f"  - {md_text(name)}: {md_text(value)}" for name, value in fields if value]
    return lines


def _silences_section(pm: Postmortem) -> list[str]:
    """Every silence made during the incident: id, matchers, comment, end (or why it failed)."""
    if not pm.silences:
        return []
    lines = [
        "",
        "## Silences",
        "",
        "| Created (UTC) | By | Alert | Silence | Matchers | Comment | End |",
    ]
    lines.append("|---|---|---|---|---|---|---|")
    for s in pm.silences:
        lines.append(
            f"| {hhmmss(s.created)} | {md_text(s.by)} | {md_text(s.alert)} |"
            f" {md_text(s.silence_id) or '—'} | {md_text(s.matchers_text()) or '—'} |"
            f" {md_text(s.comment) or '—'} | {md_text(s.outcome())} |"
        )
    return lines


def render_markdown(pm: Postmortem) -> str:
    lines: list[str] = [f"# {md_text(pm.incident)}: {md_text(pm.title)}", ""]
    lines += ["| | |", "|---|---|"]
    lines += [f"| {name} | {md_text(value)} |" for name, value in pm.summary_rows()]

    lines += ["", "## Key timings", "", "| | |", "|---|---|"]
    lines += [f"| {name} | {md_text(value)} |" for name, value in pm.timings]
    if pm.milestones:
        lines.append("")
    for m in pm.milestones:
        after = f" (+{fmt_duration(m.since_start)})" if m.since_start is not None else ""
        who = f" by {md_text(m.actor)}" if m.actor else ""
        what = f": {md_text(cut(m.what))}" if m.what else ""
        lines.append(f"- {hhmmss(m.at)} {m.name}{after}{who}{what}")

    if pm.correlations or pm.deploys:
        lines += ["", "## Deploy-to-alert correlations", ""]
        if pm.correlations:
            lines += [f"- {hhmmss(c.ts)} {md_text(c.line())}" for c in pm.correlations]
        else:
            lines.append("- no alert fired within 30 min after a deploy")
        if pm.deploys:
            lines += ["", "### Deploys", ""]
            lines += [f"- {hhmmss(d.ts)} {md_text(d.line())}" for d in pm.deploys]

    lines += _alerts_section(pm)
    lines += _silences_section(pm)

    lines += ["", "## Timeline", "", "| Time (UTC) | Actor | What |", "|---|---|---|"]
    actor = _Escaped()  # a few actors write most rows: escape each name once
    append = lines.append
    for entry in pm.entries:
        e = entry.event
        who = _actor(entry, actor) if entry.inserted_by else actor[e.actor]
        append(f"| {hhmmss(e.ts)} | {who} | {_what(entry)} |")

    for note_type, heading in NOTE_SECTIONS:
        chosen = pm.notes_of(note_type)
        if not chosen:
            continue
        lines += ["", f"## {heading}", ""]
        for n in chosen:
            mark = f" {AMENDED}" if n.amended else ""
            append(f"- {hhmmss(n.event.ts)} {actor[n.event.actor]}: {md_lines(n.text)}{mark}")

    if pm.pinned:
        lines += ["", "## Evidence", ""]
        for entry in pm.pinned:
            e = entry.event
            append(f"- {hhmmss(e.ts)} {actor[e.actor]}: {md_text(cut(entry.what))}")
            lines += [f"  - {md_text(line) or '—'}" for line in pinned_lines(entry)]

    if pm.system:
        lines += ["", "## System changes", ""]
        lines += [f"- {hhmmss(x.event.ts)} {md_text(x.what)}" for x in pm.system]
    if pm.team is not None:
        lines += _team_section(pm.team, actor)
    if pm.head is not None:
        lines += ["", "---", "", f"Journal head: seq {pm.head[0]}, sha256 `{pm.head[1]}`"]
    return "\n".join(lines) + "\n"


def _team_section(team: TeamSection, escaped: _Escaped) -> list[str]:
    """How the team store received the incident (postmortem_team.py says what each line is)."""
    lines = ["", "## Team record", ""]
    for text, items in team_lines(team):
        lines.append(f"- {md_text(text)}")
        lines += [f"  - {md_lines(cut(item))}" for item in items]
    return lines
