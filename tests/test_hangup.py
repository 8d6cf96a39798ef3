"""A hang-up whose clean shutdown hangs still ends the process (no stray cockpit)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, signal
    import cockpit.launch as launch

    launch.SHUTDOWN_GRACE_S = 0.5

    class StuckApp:  # its shutdown never gets to run: the loop below is blocked
        def call_later(self, callback):
            pass

    async def main():
        launch._end_on_signals(StuckApp())
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.sleep(0.05)  # the handler runs
        time.sleep(30)  # a hung shutdown: the event loop is blocked

    import time
    asyncio.run(main())
    """
)


def test_hung_shutdown_after_hangup_exits_within_the_grace() -> None:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, timeout=20)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr.decode()
    assert elapsed < 10  # the 30 s hang was cut short
