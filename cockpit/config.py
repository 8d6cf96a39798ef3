"""TOML config -> frozen dataclasses, with errors that name file:line and how to fix them.

tomllib does not report where a value came from, so semantic errors find the line of the
offending key by scanning the raw text (best effort: tables, arrays of tables, plain and
quoted keys; a key that cannot be located is reported without a line number).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from platformdirs import user_config_path

from cockpit.model import REDUCERS, Panel

__all__ = [
    "AlertmanagerConfig",
    "Config",
    "ConfigError",
    "DeploysConfig",
    "HttpSourceConfig",
    "KubernetesConfig",
    "PrometheusConfig",
    "SigningConfig",
    "TeamConfig",
    "load_config",
]


@dataclass(frozen=True, slots=True)
class HttpSourceConfig:
    url: str
    # repr=False: a config printed in a log or a traceback must not leak credentials
    bearer_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 10.0
    interval: float = 15.0


@dataclass(frozen=True, slots=True)
class PrometheusConfig(HttpSourceConfig):
    pass


@dataclass(frozen=True, slots=True)
class AlertmanagerConfig(HttpSourceConfig):
    pass


@dataclass(frozen=True, slots=True)
class KubernetesConfig:
    context: str | None = None
    namespaces: tuple[str, ...] = ()
    kubeconfig: str | None = None
    in_cluster: bool = False
    timeout: float = 30.0  # seconds a LIST may take; an API server silent longer is down
    watch_timeout: float = 300.0  # seconds a watch request lasts before it is renewed


@dataclass(frozen=True, slots=True)
class DeploysConfig:
    gitops_repo: str | None = None
    gitops_paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SigningConfig:
    """[signing]: checkpoints signed with the operator's SSH key (ssh-keygen -Y sign)."""

    key: str | None = None  # a .pub: its private half in ssh-agent or beside it
    allowed_signers: str | None = None  # what `cockpit verify` checks signatures against


@dataclass(frozen=True, slots=True)
class TeamConfig:
    # repr=False: a URL may carry a password (libpq's ~/.pgpass or PGPASSWORD are better)
    url: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Config:
    theme: str = "cockpit-dark"
    prometheus: PrometheusConfig | None = None
    alertmanager: AlertmanagerConfig | None = None
    kubernetes: KubernetesConfig | None = None
    deploys: DeploysConfig = DeploysConfig()
    panels: tuple[Panel, ...] = ()
    redact: bool = True
    signing: SigningConfig = SigningConfig()
    path: Path | None = None
    team: TeamConfig | None = None

    def configured(self) -> bool:
        """True when at least one live source is configured (else: demo hint / empty panes)."""
        return (
            self.prometheus is not None
            or self.alertmanager is not None
            or self.kubernetes is not None
            or self.deploys.gitops_repo is not None
        )


class ConfigError(Exception):
    """One line for the user: "<file>:<line>: <what is wrong> (<how to fix>)"."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


# -- known keys --------------------------------------------------------------------------

_TOP_KEYS = (
    "theme",
    "prometheus",
    "alertmanager",
    "kubernetes",
    "deploys",
    "panels",
    "redact",
    "signing",
    "team",
)
_SIGNING_KEYS = ("key", "allowed_signers")
_TEAM_KEYS = ("url",)
_HTTP_KEYS = (
    "url",
    "bearer_token",
    "bearer_token_file",
    "username",
    "password",
    "ca_file",
    "timeout",
    "interval",
)
_K8S_KEYS = ("context", "namespaces", "kubeconfig", "in_cluster", "timeout", "watch_timeout")
_DEPLOYS_KEYS = ("gitops_repo", "gitops_paths")
_PANEL_KEYS = ("title", "query", "unit", "warn", "crit", "direction", "reduce")

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _default_path() -> Path:
    # Not paths.default_config(): that reads os.environ, while load_config honours `env`.
    return user_config_path("cockpit") / "config.toml"


def _normalise_table(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


class _Source:
    """The raw text of one config file and the means to point at a line in it."""

    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.lines = text.splitlines()
        # table of each line: "" top level, "prometheus", "panels[0]", ...
        self.tables: list[str] = []
        counts: dict[str, int] = {}
        current = ""
        for line in self.lines:
            m = _HEADER.match(line)
            if m:
                name = _normalise_table(m.group(2))
                if m.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    current = f"{name}[{index}]"
                else:
                    current = name
            self.tables.append(current)

    def line_of(self, table: str, key: str | None = None) -> int | None:
        """1-based line of `key` in `table` (or of the table header when key is None)."""
        if key is None:
            for n, (tab, line) in enumerate(zip(self.tables, self.lines, strict=True)):
                if tab == table and _HEADER.match(line):
                    return n + 1
            # an inline table or dotted keys at top level: `prometheus = {...}`
            return self.line_of("", table.split("[")[0])
        key_re = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
        for n, (tab, line) in enumerate(zip(self.tables, self.lines, strict=True)):
            if tab == table and key_re.match(line):
                return n + 1
        # a key whose value is a table: `[key]`, `[[key]]` or `[key.sub]`
        want = _dotted(table, key).split(".")
        for n, line in enumerate(self.lines):
            m = _HEADER.match(line)
            if m and _normalise_table(m.group(2)).split(".")[: len(want)] == want:
                return n + 1
        # dotted key (`prometheus.url = ...`) or inline table (`prometheus = { url = ... }`)
        loose = re.compile(rf"""(^|[\s{{,.])["']?{re.escape(key)}["']?\s*=""")
        base = table.split("[")[0]
        for n, (tab, line) in enumerate(zip(self.tables, self.lines, strict=True)):
            if tab in (table, "", base) and loose.search(line):
                return n + 1
        return None

    def fail(self, table: str, key: str | None, what: str, fix: str | None = None) -> NoReturn:
        line = self.line_of(table, key)
        where = f"{self.label}:{line}" if line else self.label
        message = f"{where}: {what}"
        if fix:
            message += f" ({fix})"
        raise ConfigError(message, path=self.label, line=line)


def _dotted(table: str, key: str) -> str:
    return f"{table}.{key}" if table else key


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Reader:
    """Typed access to one TOML table, failing with the key's file:line."""

    def __init__(self, src: _Source, table: str, data: Mapping[str, Any], known: tuple[str, ...]):
        self.src = src
        self.table = table
        self.data = data
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                fix = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
                src.fail(table, key, f"unknown key '{_dotted(table, key)}'", fix)

    def fail(self, key: str | None, what: str, fix: str | None = None) -> NoReturn:
        self.src.fail(self.table, key, what, fix)

    def string(self, key: str, required: bool = False, example: str = '"..."') -> str | None:
        if key not in self.data:
            if required:
                where = f"[{self.table}]" if self.table else "the top level"
                self.fail(
                    None,
                    f"{_dotted(self.table, key)} is required",
                    f"add {key} = {example} under {where}",
                )
            return None
        value = self.data[key]
        if not isinstance(value, str):
            self.fail(
                key,
                f"{_dotted(self.table, key)} must be a string (got {_show(value)})",
                f"quote it: {key} = {example}",
            )
        return value

    def number(self, key: str, default: float | None, positive: bool = False) -> float | None:
        if key not in self.data:
            return default
        value = self.data[key]
        # bool is an int subclass in Python; `warn = true` is a mistake, not 1.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(
                key,
                f"{_dotted(self.table, key)} must be a number (got {_show(value)})",
                f"write e.g. {key} = 1.5, without quotes",
            )
        if not math.isfinite(value) or (positive and value <= 0):
            kind = "a positive number" if positive else "a finite number"
            self.fail(
                key,
                f"{_dotted(self.table, key)} must be {kind} (got {_show(value)})",
                f"write e.g. {key} = 10",
            )
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        if key not in self.data:
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.fail(
                key,
                f"{_dotted(self.table, key)} must be true or false (got {_show(value)})",
                f"write {key} = true or {key} = false, without quotes",
            )
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        if key not in self.data:
            return ()
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(
                key,
                f"{_dotted(self.table, key)} must be a list of strings (got {_show(value)})",
                f'write e.g. {key} = ["a", "b"]',
            )
        return tuple(value)


def _check_url(url: str, name: str, fail: Callable[[str, str], NoReturn]) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(
            f"{name} must be an http:// or https:// URL (got {_show(url)})",
            'write e.g. url = "http://127.0.0.1:9090"',
        )
    # no trailing slash: clients append API paths such as /api/v1/query
    return url.strip().rstrip("/")


def _table(src: _Source, data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    if name not in data:
        return None
    value = data[name]
    if not isinstance(value, dict):
        src.fail(
            "",
            name,
            f"'{name}' must be a table (got {_show(value)})",
            f"write it as a [{name}] section",
        )
    return value


_H = TypeVar("_H", bound=HttpSourceConfig)


def _http(
    src: _Source,
    name: str,
    cls: type[_H],
    data: Mapping[str, Any] | None,
    env_var: str,
    env: Mapping[str, str],
) -> _H | None:
    env_url = env.get(env_var, "").strip()
    if data is None and not env_url:
        return None
    r = _Reader(src, name, data or {}, _HTTP_KEYS)
    if env_url:
        # the environment wins over the file, like every other override
        def env_fail(what: str, fix: str) -> NoReturn:
            raise ConfigError(f"${env_var}: {what} ({fix})")

        url = _check_url(env_url, f"${env_var}", env_fail)
    else:
        file_url = r.string("url", required=True, example='"http://127.0.0.1:9090"')
        assert file_url is not None
        url = _check_url(file_url, f"{name}.url", lambda what, fix: r.fail("url", what, fix))
    timeout = r.number("timeout", 10.0, positive=True)
    interval = r.number("interval", 15.0, positive=True)
    assert timeout is not None and interval is not None
    return cls(
        url=url,
        bearer_token=_bearer_token(r, name),
        username=r.string("username"),
        password=r.string("password"),
        ca_file=r.string("ca_file"),
        timeout=timeout,
        interval=interval,
    )


def _bearer_token(r: _Reader, name: str) -> str | None:
    """bearer_token, or the first line of bearer_token_file (read now: a file that cannot be
    read is a config error naming it, not a 401 later)."""
    token = r.string("bearer_token")
    path = r.string("bearer_token_file", example='"/var/run/secrets/token"')
    if path is None:
        return token
    if token is not None:
        r.fail(
            "bearer_token_file",
            f"{name} sets both bearer_token and bearer_token_file",
            "keep one of the two",
        )
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        r.fail(
            "bearer_token_file",
            f"{name}.bearer_token_file: cannot read {path}: {why}",
            "point it at a readable file holding the token",
        )
    if not text or "\n" in text:
        r.fail(
            "bearer_token_file",
            f"{name}.bearer_token_file: {path} must hold one token on one line",
            "write only the token into the file",
        )
    return text


def _kubernetes(
    src: _Source, data: Mapping[str, Any] | None, env: Mapping[str, str]
) -> KubernetesConfig | None:
    env_kubeconfig = env.get("KUBECONFIG", "").strip()
    if data is None and not env_kubeconfig:
        return None
    r = _Reader(src, "kubernetes", data or {}, _K8S_KEYS)
    timeout = r.number("timeout", 30.0, positive=True)
    watch_timeout = r.number("watch_timeout", 300.0, positive=True)
    assert timeout is not None and watch_timeout is not None
    return KubernetesConfig(
        context=r.string("context", example='"prod"'),
        namespaces=r.strings("namespaces"),
        kubeconfig=env_kubeconfig or r.string("kubeconfig", example='"~/.kube/config"'),
        in_cluster=r.boolean("in_cluster", False),
        timeout=timeout,
        watch_timeout=watch_timeout,
    )


def _direction(r: _Reader, index: int, warn: float | None, crit: float | None) -> str:
    """ "above" (higher is worse) or "below": as written, else inferred from warn > crit."""
    written = r.string("direction", example='"below"')
    if written is not None and written not in ("above", "below"):
        r.fail(
            "direction",
            f'panels[{index}].direction must be "above" or "below" (got {_show(written)})',
            'write direction = "below" when lower values are worse',
        )
    inverted = warn is not None and crit is not None and warn > crit
    direction = written or ("below" if inverted else "above")
    if (
        warn is not None
        and crit is not None
        and warn != crit
        and inverted != (direction == "below")
    ):
        side = "above" if warn > crit else "below"
        worse = "higher" if direction == "above" else "lower"
        order = "<=" if direction == "above" else ">="
        other = "below" if direction == "above" else "above"
        r.fail(
            "warn",
            f"panels[{index}].warn ({warn:g}) is {side} crit ({crit:g})"
            f' but direction is "{direction}"',
            f'for direction = "{direction}" ({worse} is worse) warn must be {order} crit;'
            f' swap them, or write direction = "{other}"',
        )
    return direction


def _panels(src: _Source, data: Mapping[str, Any]) -> tuple[Panel, ...]:
    if "panels" not in data:
        return ()
    raw = data["panels"]
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        src.fail(
            "",
            "panels",
            f"panels must be a list of tables (got {_show(raw)})",
            "write each panel as a [[panels]] section",
        )
    panels = []
    for index, item in enumerate(raw):
        r = _Reader(src, f"panels[{index}]", item, _PANEL_KEYS)
        query = r.string("query", required=True, example="'sum(rate(http_requests_total[1m]))'")
        assert query is not None
        if not query.strip():
            r.fail("query", f"panels[{index}].query is empty", "write a PromQL expression in query")
        title = r.string("title") or query
        warn = r.number("warn", None)
        crit = r.number("crit", None)
        direction = _direction(r, index, warn, crit)
        reduce = r.string("reduce") or ""
        if reduce and reduce not in REDUCERS:
            r.fail(
                "reduce",
                f"panels[{index}].reduce must be one of {', '.join(REDUCERS)}"
                f" (got {_show(reduce)})",
                "leave it out to show the worst series by the panel's direction",
            )
        panels.append(
            Panel(
                title=title,
                query=query,
                unit=r.string("unit") or "",
                warn=warn,
                crit=crit,
                direction=direction,
                reduce=reduce,
            )
        )
    return tuple(panels)


def _parse(
    src: _Source, data: Mapping[str, Any], env: Mapping[str, str], path: Path | None
) -> Config:
    top = _Reader(src, "", data, _TOP_KEYS)
    theme = top.string("theme", example='"cockpit-dark"') or "cockpit-dark"
    deploys_data = _table(src, data, "deploys")
    deploys = DeploysConfig()
    if deploys_data is not None:
        d = _Reader(src, "deploys", deploys_data, _DEPLOYS_KEYS)
        deploys = DeploysConfig(
            gitops_repo=d.string("gitops_repo"), gitops_paths=d.strings("gitops_paths")
        )
    prometheus = _http(
        src, "prometheus", PrometheusConfig, _table(src, data, "prometheus"), "PROMETHEUS_URL", env
    )
    alertmanager = _http(
        src,
        "alertmanager",
        AlertmanagerConfig,
        _table(src, data, "alertmanager"),
        "ALERTMANAGER_URL",
        env,
    )
    return Config(
        theme=theme,
        prometheus=prometheus,
        alertmanager=alertmanager,
        kubernetes=_kubernetes(src, _table(src, data, "kubernetes"), env),
        deploys=deploys,
        panels=_panels(src, data),
        redact=top.boolean("redact", True),
        signing=_signing(src, _table(src, data, "signing"), path),
        path=path,
        team=_team(src, _table(src, data, "team"), env),
    )


def _signing(src: _Source, data: Mapping[str, Any] | None, path: Path | None) -> SigningConfig:
    if data is None:
        return SigningConfig()
    r = _Reader(src, "signing", data, _SIGNING_KEYS)
    key = r.string("key", example='"~/.ssh/id_ed25519.pub"')
    allowed = r.string("allowed_signers", example='"~/.ssh/allowed_signers"')
    base = path.parent if path is not None else Path.cwd()

    def resolve(value: str) -> str:
        # ~ expanded; a relative path is relative to the config file, as people write it
        return str(base / Path(value).expanduser())

    if key is not None and not key.strip():
        r.fail("key", "[signing] key is empty", 'name a public key: key = "~/.ssh/id_ed25519.pub"')
    if allowed is not None:
        found = Path(resolve(allowed))
        if not found.is_file():
            r.fail(
                "allowed_signers",
                f"[signing] allowed_signers: no such file {found}",
                "create it (one line per signer: 'alice ssh-ed25519 AAAA...') or fix the path",
            )
    return SigningConfig(
        key=resolve(key) if key else None, allowed_signers=resolve(allowed) if allowed else None
    )


def _team(
    src: _Source, data: Mapping[str, Any] | None, env: Mapping[str, str]
) -> TeamConfig | None:
    """[team] url, or COCKPIT_TEAM_URL (which wins): the shared PostgreSQL journal."""
    url = env.get("COCKPIT_TEAM_URL") or None
    if url is None and data is not None:
        url = _Reader(src, "team", data, _TEAM_KEYS).string(
            "url", example='"postgresql://cockpit@db.internal/incidents"'
        )
    if url is None:
        return None
    if not url.lower().startswith(("postgresql://", "postgres://")):
        where = "COCKPIT_TEAM_URL" if env.get("COCKPIT_TEAM_URL") else "team.url"
        line = None if env.get("COCKPIT_TEAM_URL") else src.line_of("team", "url")
        raise ConfigError(
            f"{src.label}{f':{line}' if line else ''}: {where} must be a postgresql:// URL"
            ' (e.g. "postgresql://cockpit@db.internal/incidents")',
            path=src.label,
            line=line,
        )
    return TeamConfig(url=url)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_config(path: Path | None, env: Mapping[str, str] = os.environ) -> Config:
    """Read the config file (or the default one) and apply environment overrides.

    `path=None` means $COCKPIT_CONFIG, else the XDG default; a missing default file is fine
    (an empty Config), a missing file that was asked for is an error.
    """
    explicit = path is not None
    if path is None and env.get("COCKPIT_CONFIG"):
        path, explicit = Path(env["COCKPIT_CONFIG"]), True
    if path is None:
        path = _default_path()
    path = path.expanduser()
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(
                f"{label}: no such file (check the path, or omit --config to use the default)",
                path=label,
            ) from None
        text = ""
        path_for_config: Path | None = None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{label}: cannot read: {why}", path=label) from None
    else:
        path_for_config = path
    src = _Source(label, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_AT.search(msg)
        line = int(m.group(1)) if m else None
        what = _TOML_AT.sub("", msg) if m else msg
        where = f"{label}:{line}" if line else label
        col = f" at column {m.group(2)}" if m else ""
        raise ConfigError(
            f"{where}: invalid TOML{col}: {what} (fix the syntax; strings need quotes)",
            path=label,
            line=line,
        ) from None
    except RecursionError:  # tomllib recurses once per level of [ or {: a hostile file
        raise ConfigError(
            f"{label}: invalid TOML: arrays or inline tables nested too deeply "
            "(a cockpit config needs no more than a few levels)",
            path=label,
        ) from None
    # `path` records the file actually read; None when running on defaults
    return _parse(src, data, env, path_for_config)
