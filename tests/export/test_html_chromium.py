"""The html postmortem opens in a real browser: no console error, and the charts are drawn.

Needs Debian's `chromium` (CI installs it; locally `apt-get install -y chromium`): skipped
with a reason when it is missing, except under CI=true where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from cockpit.journal.svg import PALETTE

from .conftest import RunCli, write_incident

WIDTH, HEIGHT = 1200, 2000


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    reason = "chromium not installed (apt-get install -y chromium): html export not rendered"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _screenshot(page: Path, shot: Path, profile: Path) -> str:
    """Render `page` headless into `shot`; return chromium's log (console messages included)."""
    argv = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-color-profile=srgb",  # exact stroke colours in the screenshot
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        page.as_uri(),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists(), result.stderr[-2000:]
    return result.stdout + result.stderr


def _console(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def read_png(data: bytes) -> tuple[int, int, int, list[bytearray]]:
    """A tiny PNG decoder (8-bit RGB/RGBA, not interlaced): width, height, bytes/pixel, rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = bpp = 0
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # sub
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif kind == 2:  # up
            row = bytearray((a + b) & 255 for a, b in zip(row, prev, strict=True))
        elif kind == 3:  # average
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:  # paeth
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (row[i] + pred) & 255
        rows.append(row)
        prev = row
    return width, height, bpp, rows


def _count(rows: list[bytearray], bpp: int, hex_colour: str, tolerance: int = 6) -> int:
    """Pixels of (about) this colour, anti-aliasing aside."""
    want = bytes.fromhex(hex_colour.lstrip("#"))
    count = 0
    for row in rows:
        for i in range(0, len(row), bpp):
            if all(abs(row[i + k] - want[k]) <= tolerance for k in range(3)):
                count += 1
    return count


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """Control: the log check below would see a script error if the page had one."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>throw new Error('boom')</script>")
    log = _screenshot(page, tmp_path / "bad.png", tmp_path / "profile")
    assert any("Uncaught Error: boom" in line for line in _console(log)), log[-2000:]


async def test_html_export_renders_in_chromium(
    db_path: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    await write_incident(db_path)
    page = tmp_path / "postmortem.html"
    result = run_cli("export", "--journal", str(db_path), "--format", "html", "-o", str(page))
    assert result.returncode == 0, result.stderr
    shot = tmp_path / "postmortem.png"
    log = _screenshot(page, shot, tmp_path / "profile")
    assert _console(log) == []  # no script error, no CSP violation, nothing logged at all

    width, height, bpp, rows = read_png(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    # each chart strokes its line in its own palette colour, used nowhere else on the page
    errors = _count(rows, bpp, PALETTE[0])
    latency = _count(rows, bpp, PALETTE[1])
    assert errors > 300, f"5xx rate chart not drawn ({errors} pixels of its colour)"
    assert latency > 300, f"p99 latency chart not drawn ({latency} pixels of its colour)"
    assert _count(rows, bpp, PALETTE[2]) == 0  # no third chart
