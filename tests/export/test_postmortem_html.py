"""`cockpit export --format html`: one self-contained, escaped file with SVG charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from cockpit.journal.export import FORMATS, to_html
from cockpit.journal.store import Journal
from cockpit.model import Draft

from .conftest import ERRORS, INC, LATENCY, RunCli, write_incident


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <script> elements if any."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


async def _html(db_path: Path, run_cli: RunCli, **kw: bool) -> str:
    await write_incident(db_path, **kw)
    out = db_path.with_name("pm.html")
    result = run_cli("export", "--journal", str(db_path), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_html_is_a_format() -> None:
    assert "html" in FORMATS


async def test_html_escapes_untrusted_text(db_path: Path, run_cli: RunCli) -> None:
    html = await _html(db_path, run_cli)
    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "img")]
    assert "<script>" not in html.lower() and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;pwn&#x27;)&lt;/script&gt;" in html
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]  # no handlers


async def test_html_is_self_contained(db_path: Path, run_cli: RunCli) -> None:
    html = await _html(db_path, run_cli)
    tags = _tags(html)
    # nothing to fetch: no src, no stylesheet link; the only URL is the SVG namespace
    assert not [t for t, attrs in tags if "src" in attrs or t == "link"]
    assert set(re.findall(r"https?://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}
    (csp,) = [a for t, a in tags if t == "meta" and a.get("http-equiv")]
    assert "default-src 'none'" in (csp["content"] or "")
    assert "@media print" in html


async def test_html_has_the_postmortem_content(db_path: Path, run_cli: RunCli) -> None:
    html = await _html(db_path, run_cli)
    ids = {attrs.get("id") for _, attrs in _tags(html)}
    for section in ("summary", "timings", "correlations", "metrics", "timeline", "system"):
        assert section in ids
    assert "<th>Time to mitigate</th><td>9m 30s</td>" in html  # from the alert at 19:05
    assert "suspect deploy: checkout rev 42, 3 min before" in html
    assert 'bad deploy rev 42 <span class="amended">(amended)</span>' in html
    assert '<span class="alert critical">HighErrorRate (critical)</span>' in html
    assert f"{LATENCY} = <b>1.4</b>" in html  # evidence of the rollback request
    head = re.search(r"Journal head: seq (\d+), sha256 <code>([0-9a-f]{64})</code>", html)
    assert head is not None


async def test_charts_from_observations_and_contexts(db_path: Path, run_cli: RunCli) -> None:
    html = await _html(db_path, run_cli)
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 2
    errors, latency = svgs
    assert f'aria-label="{ERRORS} (req/s)"' in errors  # sampled series has a unit
    (path,) = re.findall(r'<path class="series" d="([^"]*)"', errors)
    assert path.count("M") == 2  # the scrape gap splits the line
    assert 'class="threshold warn"' in errors and 'class="threshold crit"' in errors
    assert f'aria-label="{LATENCY}"' in latency  # fallback: values stored with the events
    assert latency.count('class="series"') == 1 and "threshold" not in latency
    for svg in svgs:
        assert svg.count('class="marker deploy"') == 1
        assert svg.count('class="marker action"') == 11  # every operator action, numbered


async def test_charts_fall_back_to_event_contexts(db_path: Path, run_cli: RunCli) -> None:
    html = await _html(db_path, run_cli, observations=False)
    assert len(re.findall(r"<svg ", html)) == 2
    assert "values recorded with each journal event" in html
    assert "sampled by the cockpit" not in html


async def test_no_metrics_no_chart(db_path: Path) -> None:
    async with await Journal.open(db_path) as journal:
        await journal.append(Draft(INC, "note.added", "a", {"type": "note", "text": "hi"}))
        events = await journal.events(INC)
    html = to_html(events)
    assert "<svg" not in html and 'id="metrics"' not in html
    assert "hi" in html
