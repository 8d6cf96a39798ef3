"""Deploys from a local GitOps repository: recent commits touching the configured paths."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from cockpit.config import DeploysConfig
from cockpit.model import Snapshot
from cockpit.sources.base import Clock, Source, SourceError
from cockpit.sources.deploys import git_deploys

GITOPS_POLL_S = 30.0


class GitOpsSource(Source):
    name = "gitops"

    def __init__(self, config: DeploysConfig, *, clock: Clock = time.time) -> None:
        super().__init__(interval=GITOPS_POLL_S, clock=clock)
        assert config.gitops_repo is not None
        self.repo = Path(config.gitops_repo).expanduser()
        self.paths = config.gitops_paths

    async def fetch(self) -> Snapshot:
        if not (self.repo / ".git").exists() and not (self.repo / "HEAD").exists():
            raise SourceError(
                f"gitops: {self.repo} is not a git repository: check [deploys] gitops_repo"
            )
        deploys = await asyncio.to_thread(git_deploys, self.repo, self.paths)
        return Snapshot(source=self.name, at=self.clock(), deploys=tuple(deploys))
