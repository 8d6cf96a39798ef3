"""The five panes as one layout, shared by the live cockpit and replay."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import Container
from textual.screen import Screen

from cockpit.panes.alerts import AlertsPane
from cockpit.panes.deploys import DeploysPane
from cockpit.panes.kubernetes import KubernetesPane
from cockpit.panes.metrics import MetricsPane
from cockpit.panes.timeline import TimelinePane

PANE_IDS = ("alerts", "metrics", "kubernetes", "deploys", "timeline")
PANE_NAMES = {
    "alerts": "Alerts",
    "metrics": "Metrics",
    "kubernetes": "Kubernetes",
    "deploys": "Deploys",
    "timeline": "Timeline",
}


def pane_grid(active: str = "alerts") -> Container:
    """The five panes in their container (#main), as the live cockpit and replay show them."""
    panes = (AlertsPane(), KubernetesPane(), MetricsPane(), DeploysPane(), TimelinePane())
    for pane in panes:
        # marked before mounting: marking it after restyles the pane on the first frame
        pane.set_class(pane.id == active, "-active")
    return Container(*panes, id="main")


def pane_tabs(active: str) -> Text:
    """The one-line pane switcher shown in narrow terminals."""
    tabs = Text()
    for number, pane in enumerate(PANE_IDS, start=1):
        style = "reverse bold" if pane == active else "dim"
        tabs.append(f" {number} {PANE_NAMES[pane]} ", style=style)
    return tabs


def activate_pane(screen: Screen[Any], pane: str) -> None:
    """Mark `pane` active (the one shown when narrow) and put the keyboard in its table."""
    for pane_id in PANE_IDS:
        screen.query_one(f"#{pane_id}").set_class(pane_id == pane, "-active")
    if pane_of(screen.focused) == pane:
        return  # the keyboard is already there: focusing again would echo a focus event
    screen.query_one(f"#{pane}").focus()  # every pane is a focusable list


def pane_of(widget: Any) -> str | None:
    """The id of the pane holding `widget` (tab and mouse move focus too)."""
    node = widget
    while node is not None:
        if getattr(node, "id", None) in PANE_IDS:
            return str(node.id)
        node = node.parent
    return None
