"""The secret rules: what redact.py removes before anything is journaled (issue 16, item 2).

One row per rule, modelled on gitleaks' default rule set (config/gitleaks.toml, the de-facto
reference); `reference` names the gitleaks rule id(s) a row mirrors, or says why there is none.
A row is data, not code:

* ``name``: the kind in the ``[REDACTED:<name>]`` marker and in an event's ``_redacted`` list.
  Markers already in journals keep their names (aws_access_key, jwt, ...): never rename one.
* ``pattern``: the regular expression. Rules run in table order on each string, most specific
  first, so a GitHub token inside ``password=...`` is named github_token, not credential.
* ``keep``: the group kept in front of the marker (``password=`` stays, the value goes); 0
  replaces the whole match.
* ``literals``: the pre-check. Every match contains one of them (compared lowercased when
  ``fold`` is set): text without any is clean without running the pattern. This is what keeps
  redaction fast, so a rule without literals is refused by the tests.

Near misses are part of the contract: tests/journal/test_secret_rules.py has a positive and a
near miss for every row.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Rule(NamedTuple):
    name: str
    reference: str  # the gitleaks rule id(s) mirrored, or why none
    pattern: str
    keep: int
    literals: tuple[str, ...]
    fold: bool = False  # literals are lowercase and compared with the lowercased text
    flags: re.RegexFlag = re.NOFLAG


# the end of a token: not followed by another token character
_END = r"(?![A-Za-z0-9_-])"
# a word, not a credential: "Bearer authentication", "Basic auth."
_WORD = r"(?![A-Za-z][a-z]*(?:[\s.,;:!?)'\"]|$))"
# assignment in code, config, YAML, JSON (escaped too), HTTP headers: `=`, `:`, `=>`, `:=`
_ASSIGN = r"\\?[\"']?\s*(?:=>|:=|[=:])\s*"

# api_key, access-key, appkey, ...: the literals of the `(api|access|...)[_-]?key` names
_KEY_NAMES = tuple(
    f"{word}{sep}key"
    for word in ("api", "access", "app", "auth", "private")
    for sep in ("", "_", "-")
)

RULES: tuple[Rule, ...] = (
    # -- private keys ------------------------------------------------------------------------
    Rule(
        "pem_private_key",
        "private-key",
        # a truncated key (no END line) is redacted to the end of the text
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?"
        r"(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|\Z)",
        0,
        ("PRIVATE KEY",),
        flags=re.S,
    ),
    Rule(
        "private_key_base64",
        "private-key, base64-encoded (kubeconfig client-key-data, Kubernetes Secret tls.key)",
        # base64 of "-----BEGIN", then "PRIVATE KEY" at any of its three alignments
        # (the key type between, "RSA ", "OPENSSH ", ..., is at most ~40 base64 characters:
        # bounded, so that a long run of repeated headers is not rescanned from each one)
        r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{0,40}?(?:UFJJVkFURSBLRVk|BSSVZBVEUgS0VZ|QUklWQVRFIEtFWS)"
        r"[A-Za-z0-9+/=]*",
        0,
        ("LS0tLS1CRUdJTi",),
    ),
    Rule(
        "kubeconfig_client_key",
        "none in gitleaks (kubernetes-secret-yaml covers Secrets); the value is a private key",
        r"(\bclient-key-data[\"']?\s*:\s*[\"']?)[A-Za-z0-9+/=]{8,}",
        1,
        ("client-key-data",),
        fold=True,
        flags=re.I,
    ),
    Rule(
        "jwt",
        "jwt",
        # the signature is optional: an unsigned (alg none) token is still a credential
        # starts only where a token starts: "eyJ" repeated inside one long run is not a
        # fresh start each time (that rescanned the run from every one: quadratic)
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?",
        0,
        ("eyJ",),
    ),
    # -- HTTP authorization and URLs ---------------------------------------------------------
    Rule(
        "bearer_token",
        "curl-auth-header (its Bearer form)",
        rf"(\b(?i:bearer)\s+){_WORD}[A-Za-z0-9._~+/=-]{{8,}}",
        1,
        ("bearer",),
        fold=True,
    ),
    Rule(
        "basic_auth",
        "curl-auth-header (its Basic form), curl-auth-user",
        rf"(\b(?i:basic)\s+){_WORD}[A-Za-z0-9+/]{{8,}}={{0,2}}",
        1,
        ("basic",),
        fold=True,
    ),
    Rule(
        "authorization_header",
        "curl-auth-header (any other scheme: token, SSWS, ApiKey ...)",
        # the scheme word is taken possessively: "Bearer [REDACTED:...]" is not re-matched as
        # a bare value "Bearer"
        r"(\b(?i:(?:proxy-)?authorization)[\"']?\s*[:=]\s*[\"']?(?:[A-Za-z-]+\s+)?+)"
        rf"(?!\[REDACTED:){_WORD}[^\s\"',;]{{6,}}",
        1,
        ("authorization",),
        fold=True,
    ),
    Rule(
        "url_credentials",
        "none in gitleaks; detect-secrets BasicAuthDetector, trufflehog URI",
        # scheme://user:password@host; the password may itself hold '@' (the last one before
        # the path ends the userinfo)
        r"(\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s:/?#@\"'<>]*:)[^\s/?#\"'<>]+(?=@)",
        1,
        ("://",),
    ),
    Rule(
        "slack_webhook",
        "slack-webhook-url",
        r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9+/_-]{20,}",
        1,
        ("hooks.slack.com",),
        fold=True,
        flags=re.I,
    ),
    Rule(
        "discord_webhook",
        "none in gitleaks (discord-api-token is the bot token); trufflehog DiscordWebhook",
        r"(discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z0-9_-]{20,}",
        1,
        ("discord",),
        fold=True,
        flags=re.I,
    ),
    Rule(
        "teams_webhook",
        "microsoft-teams-webhook",
        r"(\.webhook\.office\.com/webhookb2/)[^\s\"'<>]+",
        1,
        ("webhook.office.com",),
        fold=True,
        flags=re.I,
    ),
    # -- credentials in commands and client config files -------------------------------------
    Rule(
        "cli_credential",
        "curl-auth-user (curl -u user:password), and --password/--token VALUE flags",
        # the value must not look like a word ("--password is required") or another flag
        rf"((?:(?<=\s)|^)(?:-u|--user)\s+[\"']?[^\s:\"']+:|"
        rf"--(?i:password|passwd|token|secret|api-key|apikey)(?:\s+|=)[\"']?)"
        rf"(?!-){_WORD}[^\s\"']{{4,}}",
        1,
        ("-u", "--user", "--password", "--passwd", "--token", "--secret", "--api-key", "--apikey"),
        fold=True,
    ),
    Rule(
        "netrc_password",
        "none in gitleaks; ~/.netrc and .git-credentials-style lines",
        r"(\bmachine\s+\S+\s+login\s+\S+\s+password\s+)\S+",
        1,
        ("machine",),
        fold=True,
        flags=re.I,
    ),
    Rule(
        "docker_config_auth",
        "none in gitleaks; Docker config.json auths (base64 user:password)",
        r"((?i:\bauth)\\?[\"']\s*:\s*\\?[\"'])(?![a-z]+\\?[\"'])[A-Za-z0-9+/]{8,}={0,2}",
        1,
        ("auth",),
        fold=True,
    ),
    # -- cloud providers ---------------------------------------------------------------------
    Rule(
        "aws_access_key",
        "aws-access-token",
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b",
        0,
        ("A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA"),
    ),
    Rule("gcp_api_key", "gcp-api-key", rf"\bAIza[0-9A-Za-z_-]{{35}}{_END}", 0, ("AIza",)),
    Rule(
        "azure_ad_client_secret",
        "azure-ad-client-secret",
        r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        0,
        ("Q~",),
    ),
    Rule(
        "azure_storage_key",
        "none in gitleaks; trufflehog AzureStorage (connection strings: Storage, Service Bus)",
        r"(\b(?i:AccountKey|SharedAccessKey)\s*=\s*)[A-Za-z0-9+/]{20,}={0,2}",
        1,
        ("accountkey", "sharedaccesskey"),
        fold=True,
    ),
    Rule(
        "alibaba_access_key",
        "alibaba-access-key-id",
        r"\bLTAI[A-Za-z0-9]{20}\b",
        0,
        ("LTAI",),
    ),
    Rule(
        "digitalocean_token",
        "digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token",
        r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        0,
        ("_v1_",),
    ),
    # -- code hosting, CI, registries --------------------------------------------------------
    Rule(
        "github_token",
        "github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        0,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    Rule(
        "gitlab_token",
        "gitlab-pat, gitlab-ptt, gitlab-rrt, gitlab-runner-authentication-token, "
        "gitlab-deploy-token, gitlab-cicd-job-token, gitlab-feed-token, gitlab-oauth-app-secret",
        r"\b(?:(?:glpat|gldt|glrt|glptt|glcbt|glft|glsoat|glimt|glagent|gloas)-"
        r"|GR1348941)[0-9A-Za-z_-]{20,}",
        0,
        (
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glcbt-",
            "glft-",
            "glsoat-",
            "glimt-",
            "glagent-",
            "gloas-",
            "GR1348941",
        ),
    ),
    Rule("npm_token", "npm-access-token", r"\bnpm_[A-Za-z0-9]{36}\b", 0, ("npm_",)),
    Rule(
        "pypi_token",
        "pypi-upload-token",
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        0,
        ("pypi-AgEIcHlwaS5vcmc",),
    ),
    Rule(
        "docker_pat",
        "none in gitleaks; Docker Hub personal access token format",
        r"\bdckr_pat_[A-Za-z0-9_-]{27,}",
        0,
        ("dckr_pat_",),
    ),
    Rule(
        "atlassian_token",
        "atlassian-api-token",
        r"\bATATT3[A-Za-z0-9_=-]{180,}",
        0,
        ("ATATT3",),
    ),
    Rule("pulumi_token", "pulumi-api-token", r"\bpul-[a-f0-9]{40}\b", 0, ("pul-",)),
    Rule(
        "terraform_cloud_token",
        "hashicorp-tf-api-token",
        r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
        0,
        ("atlasv1",),
    ),
    Rule(
        "vault_token",
        "vault-service-token, vault-batch-token",
        r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}",
        0,
        ("hvs.", "hvb.", "hvr."),
    ),
    Rule("doppler_token", "doppler-api-token", r"\bdp\.pt\.[A-Za-z0-9]{43}\b", 0, ("dp.pt.",)),
    # -- chat, mail, payments ----------------------------------------------------------------
    Rule(
        "slack_token",
        "slack-bot-token, slack-user-token, slack-app-token, slack-legacy-token, "
        "slack-config-access-token",
        r"\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xoxe\.xox[bp]-[A-Za-z0-9-]{10,}"
        r"|xapp-\d-[A-Za-z0-9-]{10,})",
        0,
        ("xox", "xapp-"),
    ),
    Rule(
        "stripe_key",
        "stripe-access-token (secret and restricted keys; pk_ keys are public)",
        r"\b(?:(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}|whsec_[A-Za-z0-9]{24,})\b",
        0,
        ("sk_", "rk_", "whsec_"),
    ),
    Rule("twilio_api_key", "twilio-api-key", r"\bSK[0-9a-fA-F]{32}\b", 0, ("SK",)),
    Rule(
        "sendgrid_api_key",
        "sendgrid-api-token",
        r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}",
        0,
        ("SG.",),
    ),
    Rule("mailgun_key", "mailgun-private-api-token", r"\bkey-[a-f0-9]{32}\b", 0, ("key-",)),
    Rule("mailchimp_key", "mailchimp-api-key", r"\b[a-f0-9]{32}-us\d{1,2}\b", 0, ("-us",)),
    Rule(
        "shopify_token",
        "shopify-access-token, shopify-custom-access-token, "
        "shopify-private-app-access-token, shopify-shared-secret",
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
        0,
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    Rule(
        "postman_key",
        "postman-api-token",
        r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
        0,
        ("PMAK-",),
    ),
    Rule("linear_key", "linear-api-key", r"\blin_api_[A-Za-z0-9]{40}\b", 0, ("lin_api_",)),
    # -- observability and AI vendors --------------------------------------------------------
    Rule(
        "datadog_key",
        "datadog-access-token",
        # keyword, up to 20 characters of name, an assignment, then 32 (API) or 40 (app) chars
        rf"(\b(?i:datadog|dd(?=[_.-]))[\w .-]{{0,20}}?{_ASSIGN}[\"']?)[A-Za-z0-9]{{32,40}}\b",
        1,
        ("datadog", "dd_", "dd-", "dd."),
        fold=True,
    ),
    Rule(
        "grafana_token",
        "grafana-api-key, grafana-cloud-api-token, grafana-service-account-token",
        r"(?<![A-Za-z0-9+/])(?:eyJrIjoi[A-Za-z0-9+/]{70,400}={0,2}|glc_[A-Za-z0-9+/]{32,400}={0,2}"
        r"|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b)",
        0,
        ("eyJrIjoi", "glc_", "glsa_"),
    ),
    Rule(
        "new_relic_key",
        "new-relic-user-api-key, new-relic-insert-key, new-relic-browser-api-token",
        r"\bNR(?:AK|II|JS)-[A-Za-z0-9-]{19,32}\b",
        0,
        ("NRAK-", "NRII-", "NRJS-"),
    ),
    Rule(
        "sentry_token",
        "sentry-org-token, sentry-user-token",
        r"\bsntry[su]_[A-Za-z0-9_=+/-]{40,}",
        0,
        ("sntrys_", "sntryu_"),
    ),
    Rule(
        "openai_key",
        "openai-api-key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}",
        0,
        ("T3BlbkFJ",),
    ),
    Rule(
        "anthropic_key",
        "anthropic-api-key, anthropic-admin-api-key",
        r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}",
        0,
        ("sk-ant-",),
    ),
    Rule(
        "huggingface_token",
        "huggingface-access-token",
        r"\bhf_[A-Za-z]{34}\b",
        0,
        ("hf_",),
    ),
    Rule(
        "age_secret_key",
        "age-secret-key",
        r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
        0,
        ("AGE-SECRET-KEY-1",),
    ),
    # -- generic: last, so that every specific rule names what it found first -----------------
    Rule(
        "credential",
        "generic-api-key (without its entropy filter: a typed password is often low-entropy)",
        # the name may be part of a longer one: DB_PASSWORD=, csrftoken=, client-secret:,
        # ?token=. (No \b(prefix_)* in front: from every word start of "a-a-a-...-token" that
        # rescanned the run, quadratic: 100 kB took minutes.) A quoted value keeps its quotes
        # (group 2 is the opening one, `\"` in escaped JSON): "password": "[REDACTED:...]".
        r"((?:password|passwd|passphrase|pwd|token|secret"
        r"|api[_-]?key|access[_-]?key|app[_-]?key|auth[_-]?key|private[_-]?key)"
        rf"{_ASSIGN}(\\?[\"'])?)(?(2)(?:(?!\2)[^\n])+|[^\s\"',;&]+)",
        1,
        ("pass", "pwd", "token", "secret", *_KEY_NAMES),
        fold=True,
        flags=re.I,
    ),
    Rule(
        "url_query_secret",
        "generic-api-key, as a URL query parameter (webhook and signed URLs: ?key=, &sig=)",
        r"([?&;](?i:(?:[a-z0-9]+[_.-])*(?:key|apikey|sig|signature|auth|credential)"
        r")=)(?!\[REDACTED:)[^&#\s\"'<>]+",
        1,
        ("key=", "sig=", "signature=", "auth=", "credential="),
        fold=True,
    ),
)


# A payload key that names a secret: its whole value goes, whatever it looks like (marked
# "credential"). Matched against the whole key, so "tokenizer" or "keyboard" stay.
SECRET_KEY_PATTERN = (
    r"(?i)^(?:.*[_.-])?(?:password|passwd|passphrase|pwd|token|secret|api[_-]?key"
    r"|access[_-]?key|app[_-]?key|private[_-]?key|client-key-data|authorization|cookie"
    r"|credentials?)$"
)
# the pre-check for SECRET_KEY_PATTERN (lowercased; not a bare "key": every system event has a
# data key named "key", and that alone must not send the whole payload through the rules)
SECRET_KEY_LITERALS = (
    "pass",
    "pwd",
    "token",
    "secret",
    *_KEY_NAMES,
    "client-key-data",
    "authorization",
    "cookie",
    "credential",
)
