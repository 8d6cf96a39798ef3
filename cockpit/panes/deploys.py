"""Recent rollouts: deployment, revision, image from -> to, age, change-cause."""

from __future__ import annotations

from rich.text import Text

from cockpit.model import Deploy
from cockpit.panes.render import age_since
from cockpit.panes.table import TablePane
from cockpit.text import inert


def short_image(image: str) -> str:
    """registry.example/team/checkout:v2.4.0 -> checkout:v2.4.0 (the part that changes)."""
    return image.rsplit("/", 1)[-1]


def image_change(before: str, after: str) -> str:
    """'v2.4.0 → v2.3.9' when only the tag moved, else both short image names."""
    old, new = short_image(before), short_image(after)
    old_name, _, old_tag = old.partition(":")
    new_name, _, new_tag = new.partition(":")
    if old_name == new_name and old_tag and new_tag:
        return f"{old_tag} → {new_tag}"
    return f"{old} → {new}" if old else new


class DeploysPane(TablePane):
    COLUMNS = (("Deployment", 18), ("Rev", 4), ("Image", 24), ("Age", 6), ("Cause", 120))
    AGE_COLUMN = 3  # moves every second (TablePane.refresh_ages)

    def __init__(self, **kwargs: object) -> None:
        super().__init__("4 Deploys", id="deploys", classes="pane", **kwargs)  # type: ignore[arg-type]

    def age_moment(self, item: Deploy) -> str:
        return item.created

    def show(self, deploys: tuple[Deploy, ...], now: float) -> None:
        ordered = sorted(deploys, key=lambda d: d.created, reverse=True)[:50]
        rows = []
        for d in ordered:
            image = image_change(d.image_from, d.image_to)
            rows.append(
                (
                    d.key,
                    d,
                    [
                        inert(f"{d.namespace}/{d.deployment}", limit=60, style="bold"),
                        Text(str(d.revision)),
                        inert(image, limit=80),
                        Text(age_since(d.created, now)),
                        inert(d.change_cause, limit=120),
                    ],
                )
            )
        self.sync(rows)
