"""Config loading: shapes, env overrides and one-line errors naming file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cockpit.config import (
    AlertmanagerConfig,
    Config,
    ConfigError,
    DeploysConfig,
    KubernetesConfig,
    PrometheusConfig,
    load_config,
)
from cockpit.model import Panel

DESIGN_EXAMPLE = """\
theme = "cockpit-dark"
[prometheus]
url = "http://127.0.0.1:9090"
[alertmanager]
url = "http://127.0.0.1:9093"
[kubernetes]
context = "prod"                 # default: kubeconfig current-context
namespaces = ["checkout"]        # default: all namespaces the user may list
[[panels]]
title = "5xx rate"
query = 'sum(rate(http_requests_total{code=~"5.."}[1m]))'
unit = "req/s"
warn = 1.0
crit = 5.0
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={} if env is None else env)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message.replace(str(path), "config.toml")


def test_design_example_loads(tmp_path: Path) -> None:
    path = write(tmp_path, DESIGN_EXAMPLE)
    config = load_config(path, env={})
    assert config == Config(
        theme="cockpit-dark",
        prometheus=PrometheusConfig(url="http://127.0.0.1:9090"),
        alertmanager=AlertmanagerConfig(url="http://127.0.0.1:9093"),
        kubernetes=KubernetesConfig(context="prod", namespaces=("checkout",)),
        deploys=DeploysConfig(),
        panels=(
            Panel(
                title="5xx rate",
                query='sum(rate(http_requests_total{code=~"5.."}[1m]))',
                unit="req/s",
                warn=1.0,
                crit=5.0,
            ),
        ),
        redact=True,
        path=path,
    )
    assert config.configured()


def test_every_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
theme = "high-contrast"
redact = false
[prometheus]
url = "https://prom.example.invalid/"
bearer_token = "s3cret"
ca_file = "/etc/ca.pem"
timeout = 3
interval = 30.5
[alertmanager]
url = "http://am:9093"
username = "u"
password = "p"
[kubernetes]
kubeconfig = "/k/config"
in_cluster = true
[deploys]
gitops_repo = "/srv/gitops"
gitops_paths = ["apps/checkout", "apps/cart"]
[[panels]]
query = "up"
[[panels]]
title = "p99"
query = "histogram_quantile(0.99, x)"
warn = 1
""",
    )
    config = load_config(path, env={})
    assert config.theme == "high-contrast" and config.redact is False
    assert config.prometheus == PrometheusConfig(
        url="https://prom.example.invalid",  # trailing slash dropped
        bearer_token="s3cret",
        ca_file="/etc/ca.pem",
        timeout=3.0,
        interval=30.5,
    )
    assert isinstance(config.prometheus.timeout, float)
    assert config.alertmanager == AlertmanagerConfig(
        url="http://am:9093", username="u", password="p"
    )
    assert config.kubernetes == KubernetesConfig(kubeconfig="/k/config", in_cluster=True)
    assert config.deploys == DeploysConfig("/srv/gitops", ("apps/checkout", "apps/cart"))
    assert config.panels == (
        Panel(title="up", query="up"),  # title defaults to the query
        Panel(title="p99", query="histogram_quantile(0.99, x)", warn=1.0),
    )


def test_secrets_not_in_repr(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[prometheus]\nurl = "http://p"\nbearer_token = "tok-123"\npassword = "pw-456"\n'
    )
    text = repr(load_config(path, env={}))
    assert "tok-123" not in text and "pw-456" not in text


def test_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={})
    with pytest.raises(AttributeError):
        config.theme = "x"  # type: ignore[misc]


def test_missing_default_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    config = load_config(None, env={})
    assert config == Config()
    assert not config.configured()


def test_default_from_cockpit_config_env(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "cockpit-light"\n')
    assert load_config(None, env={"COCKPIT_CONFIG": str(path)}).theme == "cockpit-light"


def test_missing_explicit_file_is_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: no such file"):
        load_config(tmp_path / "missing.toml", env={})
    with pytest.raises(ConfigError, match="no such file"):
        load_config(None, env={"COCKPIT_CONFIG": str(tmp_path / "missing.toml")})


def test_unreadable_is_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path, env={})  # a directory
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(bad, env={})


# -- environment overrides -------------------------------------------------------------


def test_env_creates_sections(tmp_path: Path) -> None:
    env = {
        "PROMETHEUS_URL": "http://p:9090",
        "ALERTMANAGER_URL": "http://a:9093",
        "KUBECONFIG": "/home/x/.kube/config",
    }
    config = load_config(write(tmp_path, ""), env=env)
    assert config.prometheus == PrometheusConfig(url="http://p:9090")
    assert config.alertmanager == AlertmanagerConfig(url="http://a:9093")
    assert config.kubernetes == KubernetesConfig(kubeconfig="/home/x/.kube/config")
    assert config.configured()


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[prometheus]\nurl = "http://file:9090"\ntimeout = 2\n'
        '[kubernetes]\ncontext = "prod"\nkubeconfig = "/file"\n',
    )
    config = load_config(path, env={"PROMETHEUS_URL": "http://env:9090", "KUBECONFIG": "/env"})
    assert config.prometheus == PrometheusConfig(url="http://env:9090", timeout=2.0)
    assert config.kubernetes == KubernetesConfig(context="prod", kubeconfig="/env")


def test_env_supplies_missing_url(tmp_path: Path) -> None:
    path = write(tmp_path, "[alertmanager]\ninterval = 5\n")
    config = load_config(path, env={"ALERTMANAGER_URL": "http://a"})
    assert config.alertmanager == AlertmanagerConfig(url="http://a", interval=5.0)


def test_empty_env_is_ignored(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={"PROMETHEUS_URL": "", "KUBECONFIG": " "})
    assert config == Config(path=tmp_path / "config.toml")


def test_bad_env_url(tmp_path: Path) -> None:
    message = error_of(tmp_path, "", env={"PROMETHEUS_URL": "prometheus:9090"})
    assert message.startswith("$PROMETHEUS_URL: $PROMETHEUS_URL must be an http:// or https://")


def test_empty_kubernetes_section_enables_it(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[kubernetes]\n"), env={})
    assert config.kubernetes == KubernetesConfig()


# -- errors -----------------------------------------------------------------------------


def test_toml_syntax_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'theme = "x"\n[prometheus]\nurl = http://p\n')
    assert re.match(r"config\.toml:3: invalid TOML at column \d+: .+ \(fix the syntax", message)


def test_unknown_top_key_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'theme = "x"\n\n[promethus]\nurl = "http://p"\n')
    assert message == "config.toml:3: unknown key 'promethus' (did you mean 'prometheus'?)"


def test_unknown_nested_key_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[prometheus]\nulr = "http://p"\n')
    assert message == "config.toml:2: unknown key 'prometheus.ulr' (did you mean 'url'?)"


def test_unknown_key_lists_known(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[kubernetes]\nzzz = 1\n")
    assert message.startswith("config.toml:2: unknown key 'kubernetes.zzz' (known keys: context,")


def test_wrong_type(tmp_path: Path) -> None:
    text = """\
[prometheus]
url = "http://p"

[[panels]]
title = "a"
query = "up"

[[panels]]
title = "b"
query = "up"
warn = "high"
"""
    message = error_of(tmp_path, text)
    assert message.startswith("config.toml:11: panels[1].warn must be a number (got 'high')")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theme = 3\n", "config.toml:1: theme must be a string (got 3)"),
        ("redact = 'no'\n", "config.toml:1: redact must be true or false (got 'no')"),
        ("prometheus = 1\n", "config.toml:1: 'prometheus' must be a table (got 1)"),
        (
            "[kubernetes]\nnamespaces = 'a'\n",
            "config.toml:2: kubernetes.namespaces must be a list of strings (got 'a')",
        ),
        (
            '[prometheus]\nurl = "http://p"\ntimeout = 0\n',
            "config.toml:3: prometheus.timeout must be a positive number (got 0)",
        ),
        (
            '[prometheus]\nurl = "http://p"\ninterval = true\n',
            "config.toml:3: prometheus.interval must be a number (got True)",
        ),
        ("panels = 3\n", "config.toml:1: panels must be a list of tables (got 3)"),
        (
            "[[panels]]\nquery = 'up'\ncrit = nan\n",
            "config.toml:3: panels[0].crit must be a finite",
        ),
    ],
)
def test_type_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


def test_panel_without_query(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[[panels]]\nquery = "up"\n\n[[panels]]\ntitle = "errors"\n')
    assert message.startswith("config.toml:4: panels[1].query is required (add query = ")


def test_panel_empty_query(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[[panels]]\ntitle = "x"\nquery = "  "\n')
    assert message.startswith("config.toml:3: panels[0].query is empty")


def test_warn_above_crit_is_lower_is_worse(tmp_path: Path) -> None:
    # issue 11 item 6: no longer refused; more cases in tests/panels/test_thresholds.py
    (panel,) = load_config(
        write(tmp_path, '[[panels]]\nquery = "up"\nwarn = 5\ncrit = 1\n'), env={}
    ).panels
    assert panel.direction == "below"


@pytest.mark.parametrize("url", ["ftp://p:21", "127.0.0.1:9090", "http://", "file:///etc/x"])
def test_bad_url_scheme(tmp_path: Path, url: str) -> None:
    message = error_of(tmp_path, f'theme = "x"\n[alertmanager]\nurl = "{url}"\n')
    assert message.startswith("config.toml:3: alertmanager.url must be an http:// or https:// URL")
    assert "(write e.g. url = " in message


def test_missing_url(tmp_path: Path) -> None:
    message = error_of(tmp_path, "\n[prometheus]\ntimeout = 5\n")
    assert message == (
        'config.toml:2: prometheus.url is required (add url = "http://127.0.0.1:9090"'
        " under [prometheus])"
    )


def test_inline_table_best_effort_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'theme = "x"\nprometheus = { url = "gopher://p" }\n')
    assert message.startswith("config.toml:2: prometheus.url must be an http")


def test_signing_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "signers").write_text("alice ssh-ed25519 AAAA\n")
    config = load_config(
        write(tmp_path, '[signing]\nkey = "~/.ssh/id_ed25519.pub"\nallowed_signers = "signers"\n')
    )
    assert config.signing.key == str(tmp_path / "home" / ".ssh" / "id_ed25519.pub")
    # relative to the config file, as written there
    assert config.signing.allowed_signers == str(tmp_path / "signers")
    assert load_config(write(tmp_path, "")).signing.key is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[signing]\nkey = "k.pub"\nallowed_signers = "nope"\n',
            r"config\.toml:3: \[signing\] allowed_signers: no such file .*nope \(create it",
        ),
        (
            '[signing]\nkeys = "k.pub"\n',
            r"config\.toml:2: unknown key 'signing\.keys' \(did you mean 'key'\?\)",
        ),
        ('[signing]\nkey = ""\n', r"config\.toml:2: \[signing\] key is empty"),
    ],
)
def test_signing_mistakes_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))
