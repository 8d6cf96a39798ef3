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


class DeploysPane(TablePane):
    COLUMNS = (("Deployment", 18), ("Rev", 4), ("Image", 32), ("Age", 6), ("Cause", None))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("4 Deploys", id="deploys", classes="pane", **kwargs)  # type: ignore[arg-type]

    def show(self, deploys: tuple[Deploy, ...], now: float) -> None:
        ordered = sorted(deploys, key=lambda d: d.created, reverse=True)[:50]
        rows = []
        for d in ordered:
            image = f"{short_image(d.image_from)} → {short_image(d.image_to)}"
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
