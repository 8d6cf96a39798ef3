"""Startup benchmark: process start to the first frame with demo data, vs a bare Textual app.

Run: .venv/bin/python bench/startup.py [--runs N]
Prints figures; not a test. Both programs run in the same private tmux server (160x48); the
screen is polled with capture-pane every ~5 ms from the spawn until a marker shows. Target:
p50 cockpit demo / p50 bare Textual <= 1.3x. Then prints where import time goes.
"""

from __future__ import annotations

import argparse
import compileall
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# the same process helpers as the e2e tests' tmux harness
from tests.e2e.tmux import descendants, reap, start_time  # noqa: E402

BARE_APP = Path(__file__).resolve().parent / "_bare_app.py"
BARE_MARKER = "bare textual ready"  # the label text of bench/_bare_app.py
# the Metrics pane with a value in it: demo data reached the screen, not just the layout
COCKPIT_MARKER = re.compile(r"5xx rate .*\d+\.\d+ req/s|HighErrorRate")
POLL_S = 0.005
TIMEOUT_S = 30.0
TARGET_RATIO = 1.3


class Tmux:
    """A private tmux server (own socket, no user config) that this process owns and kills."""

    def __init__(self, width: int = 160, height: int = 48) -> None:
        self.socket = f"cockpit-bench-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        # a keeper session so the server is already up: its start is not charged to a run
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "keep", "sleep 86400")

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )
        return out.stdout

    def spawn(self, name: str, command: str) -> None:
        size = ("-x", str(self.width), "-y", str(self.height))
        self.run("new-session", "-d", "-s", name, "-c", str(ROOT), *size, command)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name, check=False)

    def pane_pid(self, name: str) -> int:
        return int(self.run("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])

    def server_pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", "keep", "#{pid}").strip())

    def kill_session(self, name: str) -> None:
        started = {pid: start_time(pid) for pid in descendants(self.pane_pid(name))}
        self.run("kill-session", "-t", name, check=False)
        reap(started)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def time_to_marker(tmux: Tmux, name: str, command: str, seen: Callable[[str], bool]) -> float:
    start = time.perf_counter()
    tmux.spawn(name, command)
    try:
        while time.perf_counter() - start < TIMEOUT_S:
            if seen(tmux.screen(name)):
                return time.perf_counter() - start
            time.sleep(POLL_S)
        raise SystemExit(f"{name}: no marker after {TIMEOUT_S:.0f} s; screen:\n{tmux.screen(name)}")
    finally:
        tmux.kill_session(name)


def shell(*argv: str | Path) -> str:
    return " ".join(shlex.quote(str(a)) for a in argv)


def import_costs(top: int = 15) -> None:
    """python -X importtime of what `cockpit demo` imports; top cumulative and by package."""
    code = "import cockpit.launch, cockpit.app, cockpit.sources.demo"
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    rows: list[tuple[int, int, str]] = []  # self us, cumulative us, indented name
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m[1]), int(m[2]), m[3][1:] + m[4]))
    total_self = sum(r[0] for r in rows)
    print(f"\nimport {code!r}: {total_self / 1e3:.0f} ms of imports, {wall * 1e3:.0f} ms process")
    print(f"  top {top} by cumulative time:")
    for self_us, cum_us, name in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"    {cum_us / 1e3:7.1f} ms cum  {self_us / 1e3:6.1f} ms self  {name.strip()}")
    by_pkg: dict[str, int] = defaultdict(int)
    for self_us, _, name in rows:
        by_pkg[name.strip().split(".")[0]] += self_us
    print("  self time by top-level package (what each package costs on its own):")
    for pkg, us in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:10]:
        print(f"    {us / 1e3:7.1f} ms  {us / total_self:5.1%}  {pkg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each program")
    args = parser.parse_args()

    py = sys.executable
    # as installed from a wheel (and as `make demo` leaves it): bytecode compiled, so the
    # figure is not the cost of compiling every module when PYTHONDONTWRITEBYTECODE is set
    compileall.compile_dir(ROOT / "cockpit", quiet=1)
    tmux = Tmux()
    try:
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-startup-") as tmp:
            # one journal for every run, made by the warm-up: the usual case is an existing file
            journal = Path(tmp) / "demo-journal.sqlite"
            programs: dict[str, tuple[str, Callable[[str], bool]]] = {
                "bare": (shell(py, BARE_APP), lambda s: BARE_MARKER in s),
                "cockpit": (
                    shell(py, "-m", "cockpit", "demo", "--seed", "7", "--journal", journal),
                    lambda s: COCKPIT_MARKER.search(s) is not None,
                ),
            }
            samples: dict[str, list[float]] = {name: [] for name in programs}
            for i in range(args.runs + 1):  # run 0 warms the page cache and .pyc files
                for name, (command, seen) in programs.items():  # interleaved: same drift
                    elapsed = time_to_marker(tmux, f"{name}{i}", command, seen)
                    if i:
                        samples[name].append(elapsed)
    finally:
        tmux.kill()

    print(f"startup to first frame with the marker, {args.runs} runs each, tmux 160x48:")
    for name, s in samples.items():
        print(
            f"  {name:8} p50 {statistics.median(s) * 1e3:6.0f} ms   "
            f"min {min(s) * 1e3:6.0f} ms   max {max(s) * 1e3:6.0f} ms"
        )
    ratio = statistics.median(samples["cockpit"]) / statistics.median(samples["bare"])
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  ratio p50 cockpit/bare = {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})")
    import_costs()


if __name__ == "__main__":
    main()
