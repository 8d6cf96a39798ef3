"""Build the real sources a config asks for; clients are imported only when configured."""

from __future__ import annotations

import time

from cockpit.config import Config
from cockpit.paths import default_config
from cockpit.sources.base import Clock, Source


def no_source_message(config: Config) -> str:
    """The one line for a config that asks for no live source (live run and doctor alike):
    what is wrong, where, and how to fix it."""
    where = config.path or default_config()
    return (
        f"no source configured: set [prometheus] url, [alertmanager] url or [kubernetes] in "
        f"{where} (or PROMETHEUS_URL / ALERTMANAGER_URL / KUBECONFIG); or try `cockpit demo`"
    )


def build_sources(
    config: Config, *, read_only: bool = False, clock: Clock = time.time
) -> list[Source]:
    sources: list[Source] = []
    if config.prometheus is not None and config.panels:
        from cockpit.sources.prometheus import PrometheusSource

        sources.append(PrometheusSource(config.prometheus, config.panels, clock=clock))
    if config.prometheus is not None or config.alertmanager is not None:
        from cockpit.sources.alerts import make_alert_source

        alerts = make_alert_source(config.prometheus, config.alertmanager, clock=clock)
        if alerts is not None:
            sources.append(alerts)
    if config.kubernetes is not None:
        from cockpit.sources.kubernetes import KubernetesSource

        sources.append(KubernetesSource(config.kubernetes, clock=clock, read_only=read_only))
    if config.deploys.gitops_repo:
        from cockpit.sources.gitops import GitOpsSource

        sources.append(GitOpsSource(config.deploys, clock=clock))
    return sources
