"""The html postmortem: one self-contained file (inline CSS and SVG, no script, no fetch).

A Content-Security-Policy forbids scripts and remote loads outright, so even a mistake in
escaping could not run code; every untrusted string still goes through html.escape.
"""

from __future__ import annotations

import re
import time
from html import escape

from cockpit.journal.format import cut, fmt_duration, hhmmss
from cockpit.journal.postmortem import (
    MUTED_STATES,
    NOTE_SECTIONS,
    Entry,
    Evidence,
    FiringAlert,
    Postmortem,
    pinned_lines,
)
from cockpit.journal.postmortem_team import TeamSection, late_line, team_lines
from cockpit.journal.svg import ACTION_COLOUR, DEPLOY_COLOUR, chart, colour
from cockpit.plaintext import clean

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
  background: #fff; margin: 2rem auto; max-width: 1100px; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd;
  padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.sub { color: #666; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #e6e6e6; overflow-wrap: anywhere; }
th { background: #f4f4f4; font-weight: 600; }
table.kv { width: auto; min-width: 28rem; }
table.kv th { width: 12rem; background: none; color: #555; font-weight: 500; }
td.num, th.num { width: 2.5rem; text-align: right; color: #777; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; width: 5.5rem; }
td.actor { width: 8rem; }
td.ev { width: 42%; }
tr.system td { color: #555; background: #fafafa; }
.evidence { font-size: .85rem; color: #444; }
.alert { display: inline-block; border: 1px solid #d9b3b3; background: #fbeeee;
  border-radius: 3px; padding: 0 .3rem; margin: 0 .2rem .1rem 0; }
.alert.critical { border-color: #d62728; }
.alert.silenced, .alert.inhibited { background: #f0f0f0; border-style: dashed; color: #555; }
.metric { display: inline-block; margin-right: .6rem; white-space: nowrap; }
.amended { color: #8a5a00; font-style: italic; }
.role, .late { display: inline-block; color: #8a3b00; background: #fff3e0;
  border: 1px solid #e0a060; border-radius: 3px; padding: 0 .3rem; font-size: .85rem; }
.was { color: #777; }
ul { padding-left: 1.2rem; }
li { margin: .15rem 0; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.legend { font-size: .85rem; color: #555; }
.swatch.outage { border-top: 8px solid #7f7f7f; opacity: .3; }
.swatch { display: inline-block; width: 1.6rem; height: 0; vertical-align: middle;
  margin: 0 .3rem 0 .8rem; border-top: 2px dashed; }
footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid #ccc; color: #555;
  font-size: .85rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; overflow-wrap: anywhere; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  tr.system td { background: none; }
}
"""


# most values (names, times, numbers) hold none of these: one C search instead of five
# replaces is what makes a 100k-event export's 700k escapes cheap (bench/export_verify.py)
_SPECIAL = re.compile("[&<>\"']").search


def _e(value: object) -> str:
    text = str(value)
    return escape(text, quote=True) if _SPECIAL(text) else text


def _lines(text: str) -> str:
    """Escaped text whose line breaks (a pasted multi-line note) show as breaks."""
    return "<br>".join(_e(line) for line in str(text).split("\n"))


def _kv_table(rows: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _chips(alerts: tuple[FiringAlert, ...], state: str = "") -> str:
    return "".join(
        f'<span class="{" ".join(filter(None, ("alert", _e(a.severity), state)))}">{_e(a.alert)}'
        + (f" ({_e(a.severity)})" if a.severity else "")
        + "</span>"
        for a in alerts
    )


def _evidence(ev: Evidence | None) -> str:
    if ev is None or ev.empty:
        return ""
    parts = []
    if ev.active:
        parts.append(f"<div>firing: {_chips(ev.active)}</div>")
    else:
        parts.append("<div>no alert firing</div>")
    all_muted = ev.muted  # once, not once per state: 100k entries, mostly none muted
    for state in MUTED_STATES if all_muted else ():
        # a silenced alert is listed as silenced, never as firing
        muted = tuple(a for a in all_muted if a.state == state)
        if muted:
            parts.append(f'<div class="{state}">{state}: {_chips(muted, state)}</div>')
    if ev.metrics:
        values = "".join(
            f'<span class="metric">{_e(title)} = <b>{_e(ev.value_text(title, value))}</b></span>'
            for title, value in ev.metrics
        )
        parts.append(f"<div>{values}</div>")
    return f'<div class="evidence">{"".join(parts)}</div>'


def _what(entry: Entry) -> str:
    text = _lines(cut(entry.what))
    if entry.amended:
        text += ' <span class="amended">(amended)</span>'
    if entry.late is not None:
        text += f' <span class="late">late: {_e(late_line(entry.late))}</span>'
    return text


def _actor(entry: Entry) -> str:
    """The self-declared actor; beside it the role that really inserted the event when that
    role does not name them (postmortem_team.py)."""
    name = _e(entry.event.actor)
    if entry.inserted_by:
        name += f' <span class="role">inserted by role {_e(entry.inserted_by)}</span>'
    return name


def _team(team: TeamSection) -> str:
    items = []
    for text, sub in team_lines(team):
        inner = "".join(f"<li>{_lines(cut(x))}</li>" for x in sub)
        items.append(f"<li>{_e(text)}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>")
    return f"<ul>{''.join(items)}</ul>"


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}">\n<h2>{_e(title)}</h2>\n{body}\n</section>'


def render_html(pm: Postmortem) -> str:
    heading = f"{pm.incident}: {pm.title}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)} — postmortem</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_e(heading)}</h1>",
        '<p class="sub">Postmortem timeline exported from the cockpit incident journal.</p>'
        "</header>",
    ]
    out.append(_section("summary", "Summary", _kv_table(pm.summary_rows())))

    items = []
    for m in pm.milestones:
        after = f" (+{fmt_duration(m.since_start)})" if m.since_start is not None else ""
        who = f" by {_e(m.actor)}" if m.actor else ""
        what = f": {_e(cut(m.what))}" if m.what else ""
        items.append(f"<li><b>{_e(hhmmss(m.at))}</b> {_e(m.name)}{_e(after)}{who}{what}</li>")
    milestones = f"<ul>{''.join(items)}</ul>" if items else ""
    out.append(_section("timings", "Key timings", _kv_table(pm.timings) + milestones))

    if pm.correlations or pm.deploys:
        body = "".join(
            f"<li><b>{_e(hhmmss(c.ts))}</b> {_e(c.line())}</li>" for c in pm.correlations
        )
        body = f"<ul>{body}</ul>" if body else "<p>No alert fired within 30 min after a deploy.</p>"
        if pm.deploys:
            deploys = "".join(
                f"<li><b>{_e(hhmmss(d.ts))}</b> {_e(d.line())}</li>" for d in pm.deploys
            )
            body += f"<h3>Deploys</h3><ul>{deploys}</ul>"
        out.append(_section("correlations", "Deploy-to-alert correlations", body))

    if pm.alerts:
        out.append(_section("alerts", "Alerts", _alerts(pm)))
    if pm.silences:
        out.append(_section("silences", "Silences", _silences(pm)))

    if pm.pinned:
        out.append(_section("evidence", "Evidence", _pinned(pm)))

    # each entry's time, actor and text as escaped cells, made once: the timeline and the
    # charts' marker legend both show them (100k entries: 0.3 s each time)
    cells = [(_e(hhmmss(x.event.ts)), _actor(x), _what(x)) for x in pm.entries]
    if pm.series:
        out.append(_section("metrics", "Metrics", _charts(pm, cells)))

    for note_type, title in NOTE_SECTIONS:
        chosen = pm.notes_of(note_type)
        if not chosen:
            continue
        items = []
        for n in chosen:
            mark = ' <span class="amended">(amended)</span>' if n.amended else ""
            was = f' <span class="was">was: {_lines(n.original)}</span>' if n.amended else ""
            items.append(
                f"<li><b>{_e(hhmmss(n.event.ts))}</b> {_e(n.event.actor)}: "
                f"{_lines(n.text)}{mark}{was}</li>"
            )
        out.append(_section(note_type, title, f"<ul>{''.join(items)}</ul>"))

    rows = []
    for entry, (when, actor, what) in zip(pm.entries, cells, strict=True):
        cls = "" if entry.operator else ' class="system"'
        rows.append(
            f'<tr{cls}><td class="num">{_e(entry.marker or "")}</td>'
            f'<td class="time">{when}</td><td class="actor">{actor}</td>'
            f'<td>{what}</td><td class="ev">{_evidence(entry.evidence)}</td></tr>'
        )
    table = (
        '<table class="timeline"><thead><tr><th class="num">#</th><th>Time (UTC)</th>'
        "<th>Actor</th><th>What</th><th>Evidence at that moment</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    out.append(_section("timeline", "Timeline", table))

    if pm.system:
        items = [f"<li><b>{_e(hhmmss(x.event.ts))}</b> {_e(x.what)}</li>" for x in pm.system]
        out.append(_section("system", "System changes", f"<ul>{''.join(items)}</ul>"))
    if pm.team is not None:
        out.append(_section("team", "Team record", _team(pm.team)))

    if pm.head is not None:
        out.append(
            f"<footer>Journal head: seq {_e(pm.head[0])}, sha256 <code>{_e(pm.head[1])}</code>"
            " — check it with <code>cockpit verify</code>.</footer>"
        )
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _alerts(pm: Postmortem) -> str:
    """Each alert that fired, what it said and where it came from. URLs are shown as text,
    not links: they come from alert rules, and the export never fetches or links out."""
    items = []
    for a in pm.alerts:
        fields = [
            ("summary", a.summary),
            ("description", a.description),
            ("runbook", a.runbook_url),
            *a.other,
            ("source", a.generator_url),
        ]
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in fields if v)
        severity = f" ({_e(a.severity)})" if a.severity else ""
        items.append(
            f'<div class="alert-detail"><h3>{_e(a.alert)}{severity}, firing since'
            f' {_e(hhmmss(a.starts_at))}</h3><table class="kv">{rows}</table></div>'
        )
    return "".join(items)


def _pinned(pm: Postmortem) -> str:
    items = []
    for entry in pm.pinned:
        e = entry.event
        # a log line is hostile text: controls and escapes made visible, never sent raw
        text = clean("\n".join(pinned_lines(entry)), None, multiline=True)
        block = f"<pre>{_e(text)}</pre>" if text else ""
        items.append(
            f"<li><b>{_e(hhmmss(e.ts))}</b> {_e(e.actor)}: {_e(cut(entry.what))}{block}</li>"
        )
    return f"<ul>{''.join(items)}</ul>"


def _silences(pm: Postmortem) -> str:
    rows = "".join(
        f'<tr><td class="time">{_e(hhmmss(s.created))}</td><td>{_e(s.by)}</td>'
        f"<td>{_e(s.alert)}</td><td><code>{_e(s.silence_id or '—')}</code></td>"
        f"<td><code>{_e(s.matchers_text() or '—')}</code></td><td>{_e(s.comment or '—')}</td>"
        f"<td>{_e(s.outcome())}</td></tr>"
        for s in pm.silences
    )
    return (
        '<table class="silences"><thead><tr><th>Created (UTC)</th><th>By</th><th>Alert</th>'
        "<th>Silence</th><th>Matchers</th><th>Comment</th><th>End</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _charts(pm: Postmortem, cells: list[tuple[str, str, str]]) -> str:
    start, end = pm.window
    outage = (
        '<span class="swatch outage"></span>metric source down (no line drawn)'
        if pm.outages
        else ""
    )
    parts = [
        '<p class="legend">Charts '
        f"{_e(hhmmss_epoch(start))}–{_e(hhmmss_epoch(end))} UTC, from up to 30 min before"
        " the impact."
        f'<span class="swatch" style="border-color:{DEPLOY_COLOUR}"></span>deploy'
        f'<span class="swatch" style="border-color:{ACTION_COLOUR}"></span>'
        f"operator action (numbered as in the table below and the timeline){outage}</p>"
    ]
    for i, series in enumerate(pm.series):
        origin = (
            "sampled by the cockpit"
            if series.origin != "context"
            else "values recorded with each journal event"
        )
        unit = f" ({series.unit})" if series.unit else ""
        svg = chart(
            series,
            window=pm.window,
            markers=pm.markers,
            stroke=colour(i),
            chart_id=f"chart-{i + 1}",
            outages=pm.outages,
        )
        parts.append(
            f'<figure id="figure-{i + 1}"><figcaption>{_e(series.title)}{_e(unit)}'
            f' <span class="legend">— {_e(origin)}</span></figcaption>{svg}</figure>'
        )
    parts.append(_marker_legend(pm, cells))
    return "\n".join(parts)


def _marker_legend(pm: Postmortem, cells: list[tuple[str, str, str]]) -> str:
    """The numbers on the charts, spelled out: time, actor and action of each (the cells
    the timeline shows for that entry)."""
    rows = "".join(
        f'<tr><td class="num">{_e(entry.marker)}</td>'
        f'<td class="time">{when}</td><td class="actor">{actor}</td><td>{what}</td></tr>'
        for entry, (when, actor, what) in zip(pm.entries, cells, strict=True)
        if entry.marker is not None
    )
    if not rows:
        return ""
    return (
        '<table class="markers"><thead><tr><th class="num">#</th><th>Time (UTC)</th>'
        f"<th>Actor</th><th>Action</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def hhmmss_epoch(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(epoch))
