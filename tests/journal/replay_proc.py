"""Helper run as a separate OS process by the damage tests (not a test module).

`python replay_proc.py ARGS...` runs `cockpit replay ARGS` through the real CLI (journal open,
incident pick, replay model load, error lines) but with a screen that ends at once, so a
damaged journal's replay can be checked without a terminal.
"""

from __future__ import annotations

import sys
from typing import Any

import cockpit.launch
from cockpit.cli import main


class _NoScreen:
    async def run_async(self) -> int:
        print("replay loaded", flush=True)
        return 0


def _no_screen(*_args: Any, **_kwargs: Any) -> _NoScreen:
    return _NoScreen()


if __name__ == "__main__":
    cockpit.launch._replay_app = _no_screen  # type: ignore[assignment]
    sys.exit(main(["replay", *sys.argv[1:]]))
