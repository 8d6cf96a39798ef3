"""GitOps deploys from a real git repository made in the test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cockpit.config import DeploysConfig
from cockpit.model import SystemChange
from cockpit.sources.gitops import GitOpsSource


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=ci",
            "-c",
            "user.email=ci@example.invalid",
            *args,
        ],
        check=True,
        capture_output=True,
    )


def commit(repo: Path, path: str, text: str, message: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message)


async def test_commits_touching_paths_are_deploys_and_new_ones_are_journaled(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "gitops"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "apps/checkout/values.yaml", "tag: v2.3.9\n", "checkout v2.3.9")
    commit(repo, "apps/cart/values.yaml", "tag: v1\n", "cart v1")
    source = GitOpsSource(DeploysConfig(gitops_repo=str(repo), gitops_paths=("apps/checkout",)))
    changes: list[SystemChange] = []
    source.subscribe(on_change=changes.append)
    await source.refresh()
    assert source.latest is not None and source.latest.deploys is not None
    assert [d.change_cause for d in source.latest.deploys] == ["checkout v2.3.9"]
    assert changes == []  # the first look is the baseline

    commit(repo, "apps/checkout/values.yaml", "tag: v2.4.0\n", "checkout v2.4.0")
    await source.refresh()
    assert [d.change_cause for d in source.latest.deploys] == [
        "checkout v2.4.0",
        "checkout v2.3.9",
    ]
    assert [c.kind for c in changes] == ["system.deploy"]
    assert changes[0].data["change_cause"] == "checkout v2.4.0"


async def test_missing_repository_marks_the_source_down(tmp_path: Path) -> None:
    source = GitOpsSource(DeploysConfig(gitops_repo=str(tmp_path / "nope")))
    await source.refresh()
    assert not source.health.up
    assert source.health.error is not None and "gitops_repo" in source.health.error


@pytest.mark.parametrize("paths", [(), ("apps",)])
async def test_paths_filter(tmp_path: Path, paths: tuple[str, ...]) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "apps/a.yaml", "a", "a")
    commit(repo, "README", "r", "readme")
    source = GitOpsSource(DeploysConfig(gitops_repo=str(repo), gitops_paths=paths))
    snap = await source.fetch()
    causes = [d.change_cause for d in snap.deploys or ()]
    assert causes == (["readme", "a"] if not paths else ["a"])
