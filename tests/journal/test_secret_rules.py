"""Every secret rule, one positive and one near miss each (issue 16, item 2).

A positive must lose its secret and name the rule; a near miss (the same shape, one detail
off: a public key, a port instead of a password, a word instead of a token) must come back
unchanged. A rule without a case here fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

import re

import pytest

from cockpit.journal.events import PayloadError
from cockpit.journal.prepare import prepare_draft
from cockpit.journal.redact import redact, redact_text, surely_clean
from cockpit.journal.secret_rules import RULES, SECRET_KEY_LITERALS
from cockpit.model import Draft

# Fake secrets are assembled from pieces so that secret scanners do not flag this file.
H32 = "0123456789abcdef" * 2
H40 = H32 + "01234567"
H64 = H32 * 2
A36 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
B64 = "QmFzZTY0RW5jb2RlZFNlY3JldFZhbHVlMTIzNDU2Nzg5MA"
_PEM = "MIIEowIBAAKCAQEA" + "x7Qz" * 16
_PRIV = "PRIVATE" + " KEY"
_K8S_KEY = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo" + "TUlJRW93SUJBQUtD" * 4
_K8S_CERT = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM" + "TUlJRW93SUJBQUtD" * 4

# rule name: (text with a secret, the secret, a near miss that must stay as it is)
CASES: dict[str, tuple[str, str, str]] = {
    "pem_private_key": (
        f"-----BEGIN RSA {_PRIV}-----\n{_PEM}\n-----END RSA {_PRIV}-----",
        _PEM,
        f"-----BEGIN PUBLIC KEY-----\n{_PEM}\n-----END PUBLIC KEY-----",
    ),
    "private_key_base64": (
        f"tls.key: {_K8S_KEY}",
        _K8S_KEY[20:],
        f"tls.crt: {_K8S_CERT}",
    ),
    "kubeconfig_client_key": (
        f"    client-key-data: {B64}",
        B64,
        f"    client-certificate-data: {B64}",
    ),
    "jwt": (
        "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "header eyJhbGciOiJIUzI1NiJ9 alone is not a token",
    ),
    "bearer_token": (
        "curl -H 'Authorization: Bearer s3cr3tT0kenValue42'",
        "s3cr3tT0kenValue42",
        "the API uses Bearer authentication over TLS",
    ),
    "basic_auth": (
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        "YWxhZGRpbjpvcGVuc2VzYW1l",
        "Basic authentication is disabled on this endpoint",
    ),
    "authorization_header": (
        "curl -H 'Authorization: token 9f8e7d6c5b4a39281706'",
        "9f8e7d6c5b4a39281706",
        "authorization: denied",
    ),
    "cli_credential": (
        "curl -u admin:s3cr3t-Curl https://api.internal/v1; mysql --password Myp4ssw0rd",
        "s3cr3t-Curl",
        "curl -u admin https://api.internal/v1; --password is required; --token-file /run/t",
    ),
    "netrc_password": (
        "machine api.github.com login alice password n3tRcPassw0rd",
        "n3tRcPassw0rd",
        "this machine has no login password set",
    ),
    "docker_config_auth": (
        '{"auths": {"ghcr.io": {"auth": "YWxpY2U6ZG9ja2VyLXB3"}}}',
        "YWxpY2U6ZG9ja2VyLXB3",
        '{"auth": "required", "oauth_provider": "github"}',
    ),
    "url_credentials": (
        "dsn postgres://app:pw-Xy9@db.internal:5432/orders, cache redis://:r3d1s@cache:6379",
        "pw-Xy9",
        "scrape https://prometheus.internal:9090/graph?g0.expr=up and mail ops@example.com",
    ),
    "slack_webhook": (
        "notify https://hooks.slack.com/services/T0000ABCD/B0000EFGH/" + "XyZ" * 8,
        "B0000EFGH/" + "XyZ" * 8,
        "see https://hooks.slack.com/ for the docs",
    ),
    "discord_webhook": (
        "https://discord.com/api/webhooks/123456789012345678/" + "Ab_9" * 10,
        "Ab_9" * 10,
        "https://discord.com/api/webhooks/ is where they live",
    ),
    "teams_webhook": (
        "https://contoso.webhook.office.com/webhookb2/" + H32 + "@tenant/IncomingWebhook/" + H32,
        H32,
        "post to contoso.webhook.office.com via the connector",
    ),
    "url_query_secret": (
        "GET https://logs.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=" + B64 + "&x=1",
        B64,
        "GET https://api.example.com/v1/items?page=2&monkey=banana",
    ),
    "aws_access_key": (
        "key AKIA" + "IOSFODNN7EXAMPLE used",
        "AKIA" + "IOSFODNN7EXAMPLE",
        "key AKIA" + "IOSFODNN7EXAMPL used",
    ),
    "gcp_api_key": (
        "maps AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "SyD-9tSrke72PouQMnMX",
        "AIza" + "SyD-9tSrke72PouQ is too short",
    ),
    "azure_ad_client_secret": (
        "client_id=x value=" + "abc8Q~" + "A" * 34,
        "abc8Q~" + "A" * 34,
        "a query like ?q~x is fine",
    ),
    "azure_storage_key": (
        "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=" + B64 + "==;",
        B64,
        "AccountName=logs;EndpointSuffix=core.windows.net",
    ),
    "github_token": (
        "remote ghp_" + A36,
        A36[:16],
        "branch ghp_short",
    ),
    "gitlab_token": (
        "glpat-" + "x1Y2z3W4v5U6t7S8r9Q0",
        "x1Y2z3W4v5U6t7S8r9Q0",
        "glpat-short",
    ),
    "slack_token": (
        "hook xoxb-" + "123456789012-abcdefghijKL",
        "123456789012-abcdefghij",
        "xoxb-123",
    ),
    "stripe_key": (
        "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "4eC39HqLyjWDarjtT1zdp7dc",
        "pk_live_" + "4eC39HqLyjWDarjtT1zdp7dc is publishable",
    ),
    "twilio_api_key": (
        "twilio SK" + H32,
        H32,
        "DISK usage at 91 percent",
    ),
    "sendgrid_api_key": (
        "SG." + "ngeVfQFYQlKU0ufo8x5d1A" + "." + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",
        "TwL2iGABf9DHoTf",
        "SG.example is a config key",
    ),
    "npm_token": ("//registry.npmjs.org/:_authToken=npm_" + A36, A36[:20], "npm_config_cache=/tmp"),
    "pypi_token": (
        "pypi-AgEIcHlwaS5vcmc" + "CJDk" * 20,
        "CJDk" * 20,
        "pypi-AgEIcHlwaS5vcmc",
    ),
    "shopify_token": ("shpat_" + H32, H32, "shpat_123"),
    "datadog_key": (
        "datadog api key: " + H32,
        H32,
        "datadog site: datadoghq.eu",
    ),
    "vault_token": ("VAULT hvs." + A36, A36[:20], "hvs.short"),
    "terraform_cloud_token": (
        "xxxxxxxxxxxxxx.atlasv1." + "Ab9" * 22,
        "Ab9" * 22,
        "atlasv1 is the API version",
    ),
    "digitalocean_token": ("dop_v1_" + H64, H64, "dop_v1_" + H32),
    "openai_key": (
        "sk-" + "Ab3" * 7 + "T3BlbkFJ" + "Cd4" * 7,
        "T3BlbkFJ" + "Cd4" * 7,
        "the task sk-12 is T3BlbkFJ-free",
    ),
    "anthropic_key": (
        "sk-ant-api03-" + "Zz9_" * 24 + "AA",
        "Zz9_" * 24,
        "sk-ant-api03-short",
    ),
    "huggingface_token": ("hf_" + "AbCdEfGhIj" * 3 + "KlMn", "AbCdEfGhIj" * 3, "hf_hub_download"),
    "grafana_token": (
        "glsa_" + "A1b2C3d4" * 4 + "_" + "0a1b2c3d",
        "A1b2C3d4" * 4,
        "glsa_short",
    ),
    "new_relic_key": ("NRAK-" + "A1B2C3D4E5F6G7H8I9J0K1L2M3N", "A1B2C3D4E5F6G7H8I9J0", "NRAK-12"),
    "sentry_token": (
        "sntrys_" + "eyJpYXQiOjE2ODQ4MTQ5NzQuMDYy" + "Qm9" * 10,
        "eyJpYXQiOjE2ODQ4MTQ5NzQuMDYy",
        "sntrys_ is the prefix",
    ),
    "docker_pat": ("dckr_pat_" + "Ab1_" * 7, "Ab1_" * 7, "dckr_pat_x"),
    "atlassian_token": ("ATATT3" + "xFfGF0" * 32, "xFfGF0" * 32, "ATATT3 short"),
    "age_secret_key": (
        "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" + "QPZRY9X8GF2TVDW0S3JN54KHCE",
        "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        "AGE-SECRET-KEY-1 goes first",
    ),
    "mailgun_key": ("api: key-" + H32, H32, "client-key-data is public here: no"),
    "mailchimp_key": (H32 + "-us14", H32, "released in 2023-us"),
    "postman_key": (
        "PMAK-" + H32[:24] + "-" + H32 + "ab",
        H32[:24],
        "PMAK-1234",
    ),
    "pulumi_token": ("pul-" + H40, H40, "pul-request"),
    "linear_key": ("lin_api_" + "Ab1" * 13 + "C", "Ab1" * 13, "lin_api_docs"),
    "doppler_token": ("dp.pt." + "Ab1" * 14 + "C", "Ab1" * 14, "dp.pt.short"),
    "alibaba_access_key": ("LTAI" + "4G8xQ2mZ7pW1rT5yU9iO", "4G8xQ2mZ7pW1rT5y", "LTAI-short"),
    "credential": (
        'db password=hunter2 now; {"api_key": "k-123"}',
        "hunter2",
        "p99 latency of checkout rose; tokenizer=v2; password reset page is slow",
    ),
}


def test_every_rule_has_a_case() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)), "rule names are the [REDACTED:<name>] markers: unique"
    assert sorted(set(names) - set(CASES)) == []
    assert sorted(set(CASES) - set(names)) == []


def test_every_rule_names_its_reference_and_precheck() -> None:
    for rule in RULES:
        assert rule.reference, f"{rule.name}: name the gitleaks rule it mirrors (or why none)"
        assert rule.literals, f"{rule.name}: a rule without a pre-check literal runs on all text"
        if rule.fold:  # compared with the lowercased text
            assert all(lit == lit.lower() for lit in rule.literals), rule.name
        else:  # compared as they are: the pattern must not match other cases either
            assert not rule.flags & re.I and "(?i" not in rule.pattern, rule.name


@pytest.mark.parametrize("name", sorted(CASES))
def test_positive_is_redacted(name: str) -> None:
    text, secret, _ = CASES[name]
    out, found = redact_text(text)
    assert secret not in out, out
    assert f"[REDACTED:{name}]" in out, out
    assert name in found


@pytest.mark.parametrize("name", sorted(CASES))
def test_near_miss_is_left_alone(name: str) -> None:
    _, _, near = CASES[name]
    assert redact_text(near) == (near, set())


@pytest.mark.parametrize("name", sorted(CASES))
def test_redaction_is_idempotent(name: str) -> None:
    once, _ = redact_text(CASES[name][0])
    assert redact_text(once) == (once, set())


@pytest.mark.parametrize("place", ["incident", "actor", "data", "context"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_one_precheck_over_a_whole_draft_misses_no_positive(name: str, place: str) -> None:
    """prepare_draft checks incident, actor, data and context in one pass before redacting
    them one by one: a secret in any one of them still goes (or the incident is refused)."""
    text, secret, _ = CASES[name]
    note = {"type": "note", "text": "ok"}
    fields = {"incident": "INC-1", "actor": "alice", "data": note, "context": {}}
    fields[place] = {**note, "text": text} if place in ("data", "context") else text
    assert not surely_clean(*fields.values())
    draft = Draft(kind="note.added", **fields)  # type: ignore[arg-type]
    if place == "incident":
        with pytest.raises(PayloadError, match="incident id holds"):
            prepare_draft(draft, redact_secrets=True)
        return
    prepared = prepare_draft(draft, redact_secrets=True)
    stored = f"{prepared.actor} {prepared.data} {prepared.context}"
    assert secret not in stored and f"[REDACTED:{name}]" in stored, stored


def test_no_literal_holds_a_character_json_escapes() -> None:
    """What lets surely_clean pre-check JSON text for secrets in plain strings too."""
    literals = {lit for rule in RULES for lit in rule.literals} | set(SECRET_KEY_LITERALS)
    assert [lit for lit in literals if any(c in '"\\' or ord(c) < 0x20 for c in lit)] == []


def test_secret_inside_nested_values_and_under_secret_keys() -> None:
    value = {
        "labels": {"team": "sre", "hook": CASES["slack_webhook"][0]},
        "annotations": [{"description": "rotate " + CASES["github_token"][0]}],
        "client-key-data": "anything",
        "Cookie": "session=abc",
        "n": 3,
    }
    out, found = redact(value)
    text = repr(out)
    assert "XyZXyZ" not in text and A36[:16] not in text and "session=abc" not in text
    assert out["labels"]["team"] == "sre" and out["n"] == 3
    assert found == {"slack_webhook", "github_token", "credential"}


def _hostile(size: int) -> dict[str, str]:
    """Texts built to make a backtracking regex rescan: long runs of the characters a rule
    accepts, its literals repeated, separators between word starts."""
    texts = {
        "a-a-...-token": "a-" * (size // 2) + " token",
        "&a-a-...-key": "&" + "a-" * (size // 2) + "key",
        "a.a.a...://": "a." * (size // 2) + "://x",
        "base64 headers": "LS0tLS1CRUdJTi" * (size // 14),
        "bearer spaces": ("bearer" + " " * 1000) * (size // 1000),
        "x_x_..._password": "x_" * (size // 2) + "password",
    }
    for rule in RULES:
        for lit in rule.literals:
            texts[f"{rule.name} {lit}"] = (lit + "a1_-") * (size // (len(lit) + 4))
    return texts


def test_no_rule_backtracks_on_hostile_text() -> None:
    """Alert annotations are anyone's text and are redacted on the event loop: 64 kB must take
    milliseconds (~30 ms here), not minutes (the prefix form of the credential rule took 90 s)."""
    import time

    for name, text in _hostile(64 * 1024).items():
        start = time.perf_counter()
        redact_text(text)
        assert time.perf_counter() - start < 5.0, name


def test_whole_documents_lose_their_secrets_and_keep_the_rest() -> None:
    """What responders paste: a kubeconfig, an .env file, a curl command."""
    kube_token = "kubeT0ken" + "Value1234567890"
    kubeconfig = f"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {_K8S_CERT}
    server: https://10.0.0.1:6443
  name: prod
users:
- name: admin
  user:
    client-certificate-data: {_K8S_CERT}
    client-key-data: {_K8S_KEY}
- name: ci
  user:
    token: {kube_token}
"""
    out, _ = redact_text(kubeconfig)
    assert _K8S_KEY[14:40] not in out and kube_token not in out
    assert out.count(_K8S_CERT) == 2 and "server: https://10.0.0.1:6443" in out
    assert "client-key-data: [REDACTED:" in out and "token: [REDACTED:credential]" in out

    stripe = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    env = (
        "DATABASE_URL=postgres://app:envDbPw1@db:5432/app\n"
        "REDIS_URL=redis://:envRedisPw2@cache:6379/0\n"
        f"STRIPE_SECRET_KEY={stripe}\n"
        "LOG_LEVEL=debug\n"
    )
    out, found = redact_text(env)
    for secret in ("envDbPw1", "envRedisPw2", stripe):
        assert secret not in out
    assert "LOG_LEVEL=debug" in out and "@db:5432/app" in out
    assert {"url_credentials", "stripe_key"} <= found

    curl = "curl -u ops:curlPw99 -H 'Authorization: Basic b3BzOmN1cmxQdzk5' https://h/api"
    out, _ = redact_text(curl)
    assert "curlPw99" not in out and "b3BzOmN1cmxQdzk5" not in out and "https://h/api" in out


def test_a_secret_in_a_dict_key_is_redacted_and_no_value_is_lost() -> None:
    hook = CASES["slack_webhook"][0]
    value = {"metrics": {f"errors of {hook}": 3, "p99": 0.2}, "labels": {"team": "sre"}}
    out, found = redact(value)
    assert "XyZXyZ" not in repr(out) and found == {"slack_webhook"}
    assert sorted(out["metrics"].values()) == [0.2, 3] and out["labels"] == {"team": "sre"}
    two = {A36 + "x": 1, A36 + "y": 2}  # both become the same marker text
    out, _ = redact({k.replace(A36, "ghp_" + A36): v for k, v in two.items()})
    assert sorted(out.values()) == [1, 2] and A36[:16] not in repr(out)


def test_a_secret_around_another_rules_match_goes_whole() -> None:
    token = "ghp_" + A36
    out, found = redact_text(f"export GH_PASSWORD=pre-{token}-post and done")
    assert out == "export GH_PASSWORD=[REDACTED:credential] and done"
    assert found == {"github_token", "credential"}
