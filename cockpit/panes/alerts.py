"""Firing alerts: severity, name, labels, since, state (and a correlated deploy when known)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from cockpit.model import Ack, Alert
from cockpit.panes.render import age_since, severity_badge
from cockpit.panes.table import TablePane
from cockpit.text import inert

_SEVERITY_RANK = {"critical": 0, "error": 1, "warning": 2, "info": 3}
_STATE_MARK = {"firing": "● firing", "silenced": "◌ silenced", "inhibited": "◌ inhibited"}


class AlertsPane(TablePane):
    COLUMNS = (
        ("Sev", 7),
        ("Alert", 22),
        ("Since", 6),
        ("State", 15),  # "ack alice 01:14", "◌ until 12:14"
        ("Labels", 200),
    )
    AGE_COLUMN = 2  # "Since" moves every second (TablePane.refresh_ages)

    def __init__(self, **kwargs: object) -> None:
        super().__init__("1 Alerts", id="alerts", classes="pane", **kwargs)  # type: ignore[arg-type]
        self.firing: int | None = None  # firing alerts last shown; None before any list
        self.has_alerts = False  # any alert at all (silenced ones too) in the last list
        self.outage: tuple[str, str | None] | None = None  # (source down, age of the list)
        # the last list shown and the acknowledgements folded from the journal: an ack from
        # any cockpit on the incident redraws the rows without waiting for the next poll
        self.shown: tuple[tuple[Alert, ...], float] = ((), 0.0)
        self.acks: Mapping[str, Ack] = {}

    def show_source(self, down: str | None, data_age: str | None = None) -> None:
        """The alert source is down (`down` names it): the title says the list is the last
        known one and how old it is, never "(none firing)"."""
        outage = (down, data_age) if down else None
        if outage != self.outage:
            self.outage = outage
            self.refresh_title()

    def age_moment(self, item: Alert) -> str:
        return item.starts_at

    def title_text(self) -> str:
        return self._title()

    def title_warning(self) -> str | None:
        return self._title().removeprefix("1 Alerts: ") if self.outage is not None else None

    def _title(self) -> str:
        if self.outage is not None:
            down, data_age = self.outage
            if self.firing is None:
                return f"1 Alerts: {down} down, no alerts known yet"
            old = f" ({data_age} old)" if data_age else ""
            return f"1 Alerts: {down} down: last known {self.firing} firing{old}"
        if self.firing is None:
            return "1 Alerts"
        return f"1 Alerts ({self.firing} firing)" if self.has_alerts else "1 Alerts (none firing)"

    def show_acks(self, acks: Mapping[str, Ack]) -> None:
        """The incident's acknowledgements changed (journal): redraw the rows that show them."""
        if acks != self.acks:
            self.acks = acks
            if self.shown[0]:
                self.show(*self.shown)

    def _ack(self, alert: Alert) -> Ack | None:
        return self.acks.get(alert.fingerprint) or self.acks.get(alert.name)

    def _state(self, alert: Alert) -> Text:
        """A firing alert someone acknowledged says who and when (UTC, from the journal) in
        its State cell, which every layout shows; a silence's end wins over the ack."""
        ack = self._ack(alert)
        if alert.state == "firing" and ack is not None:
            return inert(f"ack {ack.by} {ack.at[11:16]}", limit=40, style="bold")
        state = _STATE_MARK.get(alert.state, alert.state)
        if alert.state == "silenced" and alert.silence_ends[11:16]:
            state = f"◌ until {alert.silence_ends[11:16]}"  # the silence's end (UTC)
        return Text(state, style="dim" if alert.state != "firing" else "bold")

    def _labels(self, alert: Alert, labels: str) -> Text:
        """The labels cell; a silenced alert's ack leads it, like a suspect deploy."""
        ack = self._ack(alert)
        cell = inert(labels, limit=200)
        if ack is None or alert.state == "firing":
            return cell
        lead = inert(f"ack {ack.by} {ack.at[11:16]}", limit=40, style="bold")
        return lead.append("  ").append_text(cell)

    def show(self, alerts: tuple[Alert, ...], now: float) -> None:
        self.shown = (alerts, now)
        ordered = sorted(alerts, key=lambda a: (_SEVERITY_RANK.get(a.severity, 9), a.starts_at))
        rows = []
        for alert in ordered:
            labels = alert.labels_summary
            if alert.correlated_deploy:
                labels = f"⇐ {alert.correlated_deploy}  {labels}"
            rows.append(
                (
                    alert.fingerprint,
                    alert,
                    [
                        severity_badge(alert.severity),
                        inert(alert.name, limit=60, style="bold"),
                        Text(age_since(alert.starts_at, now)),
                        self._state(alert),
                        self._labels(alert, labels),
                    ],
                )
            )
        self.firing = sum(1 for a in alerts if a.state == "firing")
        self.has_alerts = bool(alerts)
        self.refresh_title()
        self.sync(rows)
