"""Idle benchmark: CPU and memory of `cockpit demo` left running (speed 1) in a tmux pane.

Run: .venv/bin/python bench/idle.py [--seconds 60]
Prints figures; not a test. Samples /proc/PID/stat (utime+stime) and VmRSS once a second from
the first frame with demo data on. Targets: <= 3 % of one core, RSS <= 150 MB, no growth.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from startup import COCKPIT_MARKER, Tmux, descendants

TARGET_CPU_PCT = 3.0
TARGET_RSS_MB = 150.0
TICK_HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    # fields after the ")" of comm: utime and stime are fields 14 and 15 of /proc/PID/stat
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK_HZ


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cockpit_pid(pane_pid: int) -> int:
    """The python process under the pane (tmux may put a shell in between)."""
    for pid in descendants(pane_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"cockpit" in cmdline and b"demo" in cmdline:
            return pid
    raise RuntimeError(f"no cockpit process under pane pid {pane_pid}")


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB), in MB per minute."""
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    return 60 * sum((t - mx) * (v - my) for t, v in points) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()

    tmux = Tmux()
    try:
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-idle-") as tmp:
            journal = Path(tmp) / "demo-journal.sqlite"
            argv = [sys.executable, "-m", "cockpit", "demo", "--speed", "1", "--seed", "7"]
            command = " ".join(shlex.quote(a) for a in [*argv, "--journal", str(journal)])
            tmux.spawn("idle", command)
            pid = cockpit_pid(tmux.pane_pid("idle"))
            deadline = time.monotonic() + 30
            while COCKPIT_MARKER.search(tmux.screen("idle")) is None:
                if time.monotonic() > deadline:
                    raise SystemExit("cockpit demo showed no data within 30 s")
                time.sleep(0.05)
            server = tmux.server_pid()
            # (seconds since start, cpu seconds, rss MB), one a second on a fixed schedule
            samples: list[tuple[float, float, float]] = []
            tmux_cpu0 = cpu_seconds(server)
            start = time.monotonic()
            for i in range(args.seconds + 1):
                time.sleep(max(0.0, start + i - time.monotonic()))
                samples.append((time.monotonic() - start, cpu_seconds(pid), rss_mb(pid)))
            tmux_cpu = cpu_seconds(server) - tmux_cpu0
            tmux.kill_session("idle")
    finally:
        tmux.kill()

    def cpu_pct(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
        return 100 * (b[1] - a[1]) / (b[0] - a[0])

    first, last = samples[0], samples[-1]
    half = samples[max(0, len(samples) - 31)]  # the last 30 s
    at10 = samples[min(10, len(samples) - 1)]
    growth = slope_per_minute([(t, r) for t, _, r in samples[10:]] or [(0, 0), (1, 0)])
    overall, tail = cpu_pct(first, last), cpu_pct(half, last)
    rss_peak = max(r for _, _, r in samples)
    print(f"cockpit demo --speed 1 in tmux 160x48, pid {pid}, {args.seconds} s after first frame:")
    print(f"  CPU  {overall:5.2f} % of one core overall   {tail:5.2f} % over the last 30 s")
    print(
        f"  RSS  {at10[2]:6.1f} MB at 10 s   {last[2]:6.1f} MB at the end   peak {rss_peak:.1f} MB"
    )
    late = slope_per_minute([(t, r) for t, _, r in samples[-31:]])
    print(f"  RSS growth {growth:+.2f} MB/min from 10 s on, {late:+.2f} MB/min over the last 30 s")
    print(f"  (tmux server, not counted: {100 * tmux_cpu / (last[0] - first[0]):.2f} % of a core)")
    ok_cpu = max(overall, tail) <= TARGET_CPU_PCT
    ok_rss = rss_peak <= TARGET_RSS_MB
    ok_growth = late <= 0.5  # MB/min, once warm: caches filling at start are not a leak
    print(
        f"  targets: CPU <= {TARGET_CPU_PCT:.0f} %: {'ok' if ok_cpu else 'MISSED'}; "
        f"RSS <= {TARGET_RSS_MB:.0f} MB: {'ok' if ok_rss else 'MISSED'}; "
        f"no growth (<= 0.5 MB/min): {'ok' if ok_growth else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
