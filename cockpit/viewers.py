"""Who is looking at this cockpit: the clients attached to our tmux session.

Pairing in one tmux session means one process and several people; tmux knows each attached
client's user and tty, so the cockpit can show and journal who joined and left.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

import msgspec


class Viewer(msgspec.Struct, frozen=True, order=True):
    user: str
    tty: str

    @property
    def label(self) -> str:
        return f"{self.user}@{self.tty.removeprefix('/dev/')}"


class TmuxViewers:
    """Lists the clients of the tmux session this process runs in ($TMUX, $TMUX_PANE)."""

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        tmux = env.get("TMUX", "")
        self.socket = tmux.split(",")[0] if tmux else ""
        self.pane = env.get("TMUX_PANE", "")
        self._session: str | None = None

    @property
    def available(self) -> bool:
        return bool(self.socket and self.pane)

    async def _tmux(self, *args: str) -> str | None:
        try:
            proc = await asyncio.create_subprocess_exec(
                "tmux",
                "-S",
                self.socket,
                *args,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=2)
        except (OSError, TimeoutError):
            return None
        return out.decode("utf-8", "replace") if proc.returncode == 0 else None

    async def clients(self) -> set[Viewer] | None:
        """The attached clients now; None when tmux cannot be asked (then change nothing)."""
        if self._session is None:
            name = await self._tmux("display-message", "-p", "-t", self.pane, "#{session_id}")
            if not name:
                return None
            self._session = name.strip()
        out = await self._tmux(
            "list-clients", "-t", self._session, "-F", "#{client_user}\t#{client_tty}"
        )
        if out is None:
            return None
        viewers = set()
        for line in out.splitlines():
            user, _, tty = line.partition("\t")
            if tty:
                viewers.add(Viewer(user or "?", tty))
        return viewers
