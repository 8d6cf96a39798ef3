"""Firing alerts: severity, name, labels, since, state (and a correlated deploy when known)."""

from __future__ import annotations

from rich.text import Text

from cockpit.model import Alert
from cockpit.panes.render import age_since, severity_badge
from cockpit.panes.table import TablePane
from cockpit.text import inert

_SEVERITY_RANK = {"critical": 0, "error": 1, "warning": 2, "info": 3}
_STATE_MARK = {"firing": "● firing", "silenced": "◌ silenced", "inhibited": "◌ inhibited"}


class AlertsPane(TablePane):
    COLUMNS = (("Sev", 7), ("Alert", 22), ("Since", 6), ("State", 11), ("Labels", 200))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("1 Alerts", id="alerts", classes="pane", **kwargs)  # type: ignore[arg-type]

    def show(self, alerts: tuple[Alert, ...], now: float) -> None:
        ordered = sorted(alerts, key=lambda a: (_SEVERITY_RANK.get(a.severity, 9), a.starts_at))
        rows = []
        for alert in ordered:
            labels = alert.labels_summary
            if alert.correlated_deploy:
                labels = f"⇐ {alert.correlated_deploy}  {labels}"
            state = _STATE_MARK.get(alert.state, alert.state)
            rows.append(
                (
                    alert.fingerprint,
                    alert,
                    [
                        severity_badge(alert.severity),
                        inert(alert.name, limit=60, style="bold"),
                        Text(age_since(alert.starts_at, now)),
                        Text(state, style="dim" if alert.state != "firing" else "bold"),
                        inert(labels, limit=200),
                    ],
                )
            )
        firing = sum(1 for a in alerts if a.state == "firing")
        self.border_title = f"1 Alerts ({firing} firing)" if alerts else "1 Alerts (none firing)"
        self.sync(rows)
