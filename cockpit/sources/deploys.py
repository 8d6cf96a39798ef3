"""Deploy history: one row per ReplicaSet revision of a Deployment, newest first.

Pure functions over the raw API dicts of ReplicaSets (as the watch delivers them), so they are
unit-testable without a cluster. A Deployment keeps one ReplicaSet per pod template it ever
ran (up to revisionHistoryLimit); the revision annotation orders them, and the image diff of a
revision is the previous revision's images -> this revision's images.

Optionally the recent commits of a local GitOps repository become Deploy-like rows too.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from cockpit.model import Deploy, format_ts, parse_ts

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
POD_TEMPLATE_HASH = "pod-template-hash"

RawObject = Mapping[str, Any]


def meta(obj: RawObject) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def revision_of(obj: RawObject) -> int | None:
    """The deployment.kubernetes.io/revision annotation, or None when absent or malformed."""
    value = (meta(obj).get("annotations") or {}).get(REVISION)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def owner_deployment(rs: RawObject) -> tuple[str, str] | None:
    """(name, uid) of the Deployment controlling this ReplicaSet, if any."""
    for ref in meta(rs).get("ownerReferences") or ():
        if ref.get("kind") == "Deployment" and ref.get("controller", True):
            return ref.get("name", ""), ref.get("uid", "")
    return None


def template_images(template: RawObject | None) -> tuple[tuple[str, str], ...]:
    """(container name, image) of a pod template, init containers excluded."""
    spec = (template or {}).get("spec") or {}
    return tuple((c.get("name", ""), c.get("image", "")) for c in spec.get("containers") or ())


def rs_images(rs: RawObject) -> tuple[tuple[str, str], ...]:
    return template_images((rs.get("spec") or {}).get("template"))


def images_text(images: Iterable[tuple[str, str]]) -> str:
    """One container: its image; several: "name=image, name=image"."""
    pairs = list(images)
    if len(pairs) == 1:
        return pairs[0][1]
    return ", ".join(f"{name}={image}" for name, image in pairs)


def image_change(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> str:
    """Human image diff, e.g. "registry/checkout:v2.4.0 -> v2.3.9" (repository not repeated)."""
    before, after = dict(old), dict(new)
    parts = []
    for name in [*after, *(n for n in before if n not in after)]:
        a, b = before.get(name, ""), after.get(name, "")
        if a == b:
            continue
        text = f"{a or '(none)'} -> {_short_target(a, b) or '(none)'}"
        parts.append(text if len(before) <= 1 and len(after) <= 1 else f"{name}: {text}")
    return "; ".join(parts)


def _short_target(old: str, new: str) -> str:
    # same repository: show only the new tag, which is what the eye compares
    old_repo, _, _ = old.rpartition(":")
    new_repo, sep, tag = new.rpartition(":")
    if sep and old_repo and old_repo == new_repo and "/" not in tag:
        return tag
    return new


def utc_iso(value: str | None) -> str:
    """An API timestamp (RFC 3339) as the model's UTC ISO with milliseconds; "" if missing."""
    if not value:
        return ""
    try:
        return format_ts(parse_ts(value))
    except ValueError:
        return value


def deploy_history(replicasets: Iterable[RawObject]) -> list[Deploy]:
    """Deploy rows from ReplicaSets: one per (deployment, revision), newest first.

    A ReplicaSet without an owning Deployment or without a revision is not a deploy.
    """
    by_deployment: dict[tuple[str, str], list[tuple[int, RawObject]]] = {}
    for rs in replicasets:
        owner = owner_deployment(rs)
        rev = revision_of(rs)
        if owner is None or rev is None:
            continue
        by_deployment.setdefault((meta(rs).get("namespace", ""), owner[0]), []).append((rev, rs))
    rows: list[Deploy] = []
    for (namespace, deployment), revs in by_deployment.items():
        revs.sort(key=lambda pair: pair[0])
        previous: tuple[tuple[str, str], ...] = ()
        for rev, rs in revs:
            images = rs_images(rs)
            rows.append(
                Deploy(
                    namespace=namespace,
                    deployment=deployment,
                    revision=rev,
                    image_from=images_text(previous),
                    image_to=images_text(images),
                    created=utc_iso(meta(rs).get("creationTimestamp")),
                    change_cause=(meta(rs).get("annotations") or {}).get(CHANGE_CAUSE, ""),
                )
            )
            previous = images
    rows.sort(key=lambda d: (d.created, d.revision), reverse=True)
    return rows


def previous_revision(
    replicasets: Iterable[RawObject], deployment_uid: str, before: int
) -> tuple[int, RawObject] | None:
    """The ReplicaSet of the highest revision below `before` controlled by the deployment.

    With `before` = the current revision this is exactly what `kubectl rollout undo` picks.
    """
    best: tuple[int, RawObject] | None = None
    for rs in replicasets:
        owner = owner_deployment(rs)
        rev = revision_of(rs)
        if owner is None or owner[1] != deployment_uid or rev is None or rev >= before:
            continue
        if best is None or rev > best[0]:
            best = (rev, rs)
    return best


# -- optional: a GitOps repository as deploy history -------------------------------------------


def git_deploys(
    repo: str | Path, paths: Iterable[str] = (), *, limit: int = 20, timeout: float = 5.0
) -> list[Deploy]:
    """Recent commits of a local git repository touching `paths`, as Deploy-like rows.

    namespace is "git", deployment the repository's directory name, revision the number of
    commits touching the paths up to this one, image_from/image_to the previous and this
    commit's short hashes, change_cause the subject. A missing git or repository: no rows.
    """
    fmt = "%h%x1f%p%x1f%ct%x1f%cI%x1f%s"
    cmd = ["git", "-C", str(repo), "log", f"-n{int(limit)}", f"--format={fmt}", "--", *paths]
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    name = Path(repo).resolve().name
    rows: list[Deploy] = []
    for line in out.splitlines():
        fields = line.split("\x1f")
        if len(fields) != 5:
            continue
        short, parents, epoch, iso, subject = fields
        rows.append(
            Deploy(
                namespace="git",
                deployment=name,
                revision=int(epoch),
                image_from=parents.split(" ")[0] if parents else "",  # fixed below
                image_to=short,
                created=format_ts(datetime.fromtimestamp(int(epoch), UTC)) if iso else "",
                change_cause=subject,
            )
        )
    # "from" is the previous commit that touched the paths, not merely the parent commit
    for i in range(len(rows) - 1):
        rows[i] = replace(rows[i], image_from=rows[i + 1].image_to)
    # revision = how many commits touched the paths up to this one: commit times collide
    # within a second, a count does not, and it only grows as the history does
    count_cmd = ["git", "-C", str(repo), "rev-list", "--count", "HEAD", "--", *paths]
    try:
        total = int(
            subprocess.run(
                count_cmd, capture_output=True, text=True, timeout=timeout, check=True
            ).stdout.strip()
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return rows
    return [replace(row, revision=total - i) for i, row in enumerate(rows)]
