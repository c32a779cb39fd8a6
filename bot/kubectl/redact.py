"""One redaction policy for everything Podium shows: tables, describe, -o yaml|json, logs,
exercise check messages, snippets and Share all pass through here. Pure: text (or an object) in,
the redacted copy and a count out. Errs towards redacting: a chat is the wrong place for a
credential, and the participant can still read the original with their own kubectl.

Three layers:

1. **Lines are cut at `MAX_LINE_CHARS`** (`cap_lines`) before any pattern sees them, and the cut
   says so (`… [line cut at 10000 characters]`).
2. **Objects are redacted structurally** (`redact_object`), before they are printed, so `-o yaml`
   and `-o json` stay valid and `describe` and yaml/json agree: an env entry (any
   `{name, value}` pair) or a map key (ConfigMap data, annotations) whose *name* looks secret
   (`is_secret_name`) has its value replaced; the `kubectl.kubernetes.io/last-applied-configuration`
   annotation is parsed as JSON, redacted the same way, and re-serialised; every other string is
   redacted as text.
3. **Text is redacted** (`redact_credentials`) for credential *shapes*, wherever they stand.

The redacted form says what was hidden: `[redacted: password]`, `[redacted: token]`,
`[redacted: key]`, `[redacted: secret]`, `[redacted: credential]`, `[redacted: private key]`.

Linear time, whatever the input: every pattern is compiled with RE2 (google-re2), whose
automaton never backtracks, and each pass is one `subn` over the text (tests/hostile/
test_redact_linear_time.py times adversarial inputs). RE2 has no lookarounds, so a value that is
already `[redacted: …]` is skipped because no value may start with `[`; that also makes the
policy idempotent.

Where the token shapes come from: gitleaks' rule catalogue (github.com/gitleaks/gitleaks,
cmd/generate/config/rules/*.go: aws, github, gitlab, slack, stripe, gcp, sendgrid, npm, pypi,
openai, anthropic, hashicorp, digitalocean, shopify, twilio, jwt, private-key, generic-api-key)
and detect-secrets' plugins (github.com/Yelp/detect-secrets, detect_secrets/plugins: keyword.py
for the secret-looking names, basic_auth.py for `scheme://user:pass@`, private_key.py,
jwt.py, aws.py, azure_storage_key.py, slack.py, stripe.py, github_token.py). Why this is
complete enough for a workshop chat: the prefix-shaped tokens cover the services a workshop's
pods talk to; anything else that is a credential is, in a Kubernetes object or a log line,
almost always written as `NAME=value` / `NAME: value` with a secret-looking NAME (detect-secrets'
keyword plugin rests on the same observation), a URL with a password, an `Authorization`
header, a PEM block or a JWT, and each of those is caught whatever the service. What is *not*
caught: a bare high-entropy string with no telling name or prefix (entropy detectors flag too
much ordinary Kubernetes output: uids, hashes, image digests).

Secret-looking names (`is_secret_name`), case-insensitive:
- anywhere in the name: PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, CREDENTIAL, APIKEY,
  ACCESSKEY, ACCOUNTKEY, PRIVATEKEY, SIGNINGKEY, ENCRYPTIONKEY, MASTERKEY, CLIENTKEY
  (`PGPASSWORD`, `SECRET_KEY_BASE`, `GITHUB_TOKEN`, `client_secret`, `AccountKey`);
- as a whole part of the name, parts split at `_`, `-`, `.`: KEY, KEYS, PWD, PASS, AUTH,
  AUTHORIZATION, PRIVATE, CREDS, DSN, SIG, SALT, COOKIE (`API_KEY`, `DB_PASS`, `sig`), so
  `KEYCLOAK_URL`, `MONKEY`, `AUTHOR` and `PASSENGERS` are *not* secret;
- except Kubernetes' own field names that merely mention one (`secretName`, `secretRef`,
  `secretKeyRef`, `automountServiceAccountToken`, `expirationSeconds`…: `NOT_SECRET_FIELDS`).

Known limits (the price of one linear pass): a bare `key=value` value ends at whitespace or one of
`"',;&`, so `password=ab&cd` shows `&cd`; a value starting with `[`, `<`, `(` or `{` is left
alone (`<set to the key …>` in describe, `[redacted: …]` itself).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import re2

__all__ = [
    "LAST_APPLIED",
    "MAX_LINE_CHARS",
    "REDACTED_MARK",
    "cap_lines",
    "is_secret_name",
    "redact_credentials",
    "redact_object",
    "redact_text",
    "redacted",
]

# Longer lines are cut before any pattern sees them: no log line a person needs to read in
# chat is this long, and it bounds the work per line whatever a pod prints.
MAX_LINE_CHARS = 10_000
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


REDACTED_MARK = "[redacted: "


def redacted(what: str) -> str:
    return f"{REDACTED_MARK}{what}]"


def cut_marker(limit: int = MAX_LINE_CHARS) -> str:
    return f" … [line cut at {limit} characters]"


def cap_lines(text: str, limit: int = MAX_LINE_CHARS) -> tuple[str, int]:
    """`text` with every line longer than `limit` characters cut there (and saying so), and how
    many lines were cut. Linear: one split, one join."""
    if len(text) <= limit:
        return text, 0
    lines = text.split("\n")
    cut = 0
    for i, line in enumerate(lines):
        if len(line) > limit:
            lines[i] = line[:limit] + cut_marker(limit)
            cut += 1
    return ("\n".join(lines), cut) if cut else (text, 0)


# --- secret-looking names ------------------------------------------------------------------------

_ANYWHERE = (
    "password|passwd|passphrase|secret|token|credential|apikey|accesskey|accountkey|"
    "privatekey|signingkey|encryptionkey|masterkey|clientkey"
)
_WHOLE_PART = "key|keys|pwd|pass|auth|authorization|private|creds|dsn|sig|salt|cookie"
_NAME_CHAR = "[A-Za-z0-9_.-]"
# A name: a run of name characters that holds a secret word anywhere, or a whole-part word
# between separators. `\b` (RE2 has it; it is not a lookaround) keeps `monkey` from matching
# at its `key`.
_SECRET_NAME = (
    rf"\b(?:{_NAME_CHAR}*(?:{_ANYWHERE}){_NAME_CHAR}*"
    rf"|(?:{_NAME_CHAR}*[_.-])?(?:{_WHOLE_PART})(?:[_.-]{_NAME_CHAR}*)?)"
)

# Kubernetes' own names that mention a secret but hold a name, a flag or a number (fields in
# yaml/json, labels in describe). Never skipped in free text: `key=…` in a log is a secret.
NOT_SECRET_FIELDS = frozenset(
    {
        "secretname",
        "secretref",
        "secretkeyref",
        "automountserviceaccounttoken",
        "serviceaccounttoken",
        "tokenexpirationseconds",
        "imagepullsecrets",
    }
)
# In an object, `key` also names the key of a secretKeyRef / configMapKeyRef / items entry.
_NOT_SECRET_OBJECT_FIELDS = NOT_SECRET_FIELDS | {"key"}

_SECRET_NAME_RE = re2.compile(f"(?i){_SECRET_NAME}")

# Only the values no one would call a credential are left; everything else is redacted.
_HARMLESS_VALUES = frozenset({"", "true", "false", "null", "none", "<none>", "yes", "no"})


@functools.lru_cache(maxsize=4096)  # objects repeat the same few hundred keys and env names
def is_secret_name(name: str) -> bool:
    """Does this env var name / map key look like it holds a credential? (Rules in the module
    docstring.) Kubernetes' own field names are judged by the caller (`NOT_SECRET_FIELDS`)."""
    return _SECRET_NAME_RE.fullmatch(name) is not None


def label_for_name(name: str) -> str:
    """What a secret-looking name holds, for `[redacted: …]`."""
    lower = name.lower()
    if "private" in lower:
        return "private key"
    for word, label in (
        ("pass", "password"),
        ("pwd", "password"),
        ("token", "token"),
        ("secret", "secret"),
        ("cred", "credential"),
        ("auth", "credential"),
        ("key", "key"),
    ):
        if word in lower:
            return label
    return "secret"


# --- token shapes ---------------------------------------------------------------------------------

# (RE2 pattern, label). The replacement keeps groups 1 and 2 (what stands before and after the
# secret), if the pattern has them.
_SHAPES: tuple[tuple[str, str], ...] = (
    # PEM private keys (detect-secrets private_key.py, gitleaks private-key), also when the END
    # line was cut off by --tail.
    (
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\z)",
        "private key",
    ),
    # Passwords in URLs: scheme://user:pass@host, scheme://:pass@host (detect-secrets basic_auth.py).
    (r"(://[^/\s:@]*:)[^@\s/\[]+(@)", "password"),
    # JSON Web Tokens, e.g. Kubernetes service account tokens (gitleaks jwt, detect-secrets jwt.py).
    (
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+",
        "token",
    ),
    # Cloud keys: AWS access key IDs (gitleaks aws-access-token), Google API keys (gcp-api-key),
    # Azure storage connection strings' AccountKey / SharedAccessSignature are caught by name.
    (r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b", "key"),
    (r"\bAIza[0-9A-Za-z_-]{35}", "key"),
    # Source hosting: GitHub (github-pat, -oauth, -app-token, -refresh-token, fine-grained),
    # GitLab (gitlab-pat, -ptt, -rrt, -deploy-token, runner tokens).
    (r"\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{40,}", "token"),
    (
        r"\b(?:glpat|glptt|gldt|glrt|glcbt|glft|glimt|glagent|gloas|glsoat)-[A-Za-z0-9_-]{20,}|\bGR1348941[A-Za-z0-9_-]{20,}",
        "token",
    ),
    # Chat: Slack bot/user/app tokens and webhooks (slack.py, gitleaks slack-*).
    (r"\bxox[abposre]-[A-Za-z0-9-]{8,}|\bxapp-[A-Za-z0-9-]{8,}", "token"),
    (r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}", "token"),
    # Payments and SaaS: Stripe (stripe.py), SendGrid, Twilio, npm, PyPI, OpenAI, Anthropic,
    # HashiCorp Vault, DigitalOcean, Shopify, Docker Hub.
    (r"\b(?:sk|rk|pk)_(?:live|test|prod)_[A-Za-z0-9]{10,}", "key"),
    (r"\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}", "key"),
    (r"\bSK[0-9a-fA-F]{32}\b", "key"),
    (r"\bnpm_[A-Za-z0-9]{36}\b|\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", "token"),
    (r"\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", "key"),
    (
        r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}|\bdo[por]_v1_[a-f0-9]{64}\b|\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"
        r"|\bdckr_pat_[A-Za-z0-9_-]{20,}",
        "token",
    ),
    # Bearer tokens in free text (an `Authorization:` header is caught by name below).
    (r"(?i)(\bbearer[ \t]+)[A-Za-z0-9._~+/-]{8,}=*", "token"),
)

# NAME=value, NAME: value, "NAME": "value", NAME := value, with a secret-looking NAME; an
# HTTP auth scheme (`Authorization: Basic …`) stays visible, the credential after it does not.
_SCHEME = r"(?i:basic|bearer|digest|negotiate|token|aws4-hmac-sha256)"
_KEY_VALUE = re2.compile(
    rf"(?i)({_SECRET_NAME})"  # 1: the name
    rf"([\"']?[ \t]*:?=>?[ \t]*|[\"']?[ \t]*:[ \t]*)"  # 2: = : := => with optional quote before
    rf"(?:({_SCHEME})([ \t]+))?"  # 3, 4: an auth scheme and its space
    r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'`,;&<>\[\](){}][^\s\"'`,;&]*)"  # 5: the value
)

_COMPILED_SHAPES = tuple((re2.compile(pattern), label) for pattern, label in _SHAPES)
# Every pattern above in one: most strings of an object (names, images, timestamps) match none,
# and one linear scan tells so, instead of one scan per pattern.
_ANY_SECRET = re2.compile(
    "|".join(f"(?:{pattern})" for pattern, _ in _SHAPES) + f"|(?:{_KEY_VALUE.pattern})"
)


def _shape_replacer(label: str, counter: list[int]) -> Callable[[Any], str]:
    replacement = redacted(label)

    def replace(match: Any) -> str:
        counter[0] += 1
        groups = [group or "" for group in match.groups()] + ["", ""]
        return groups[0] + replacement + groups[1]

    return replace


def _key_value_replacer(counter: list[int]) -> Callable[[Any], str]:
    def replace(match: Any) -> str:
        name, separator, scheme, space, value = match.groups()
        kept: str = match.group(0)
        if name.lower() in NOT_SECRET_FIELDS:
            return kept
        quote = value[0] if value[0] in "\"'" else ""
        inner = value[1:-1] if quote else value
        if inner.lower() in _HARMLESS_VALUES or inner.startswith("[redacted: "):
            return kept
        if scheme is None and inner.lower() in ("basic", "bearer", "digest", "negotiate", "token"):
            return kept  # `Authorization: Basic [redacted: …]` read again
        counter[0] += 1
        label = (
            "credential" if scheme is not None or "auth" in name.lower() else label_for_name(name)
        )
        return f"{name}{separator}{scheme or ''}{space or ''}{quote}{redacted(label)}{quote}"

    return replace


def redact_text(text: str) -> tuple[str, int]:
    """Credential shapes in `text` replaced (lines must already be capped), and how many."""
    if _ANY_SECRET.search(text) is None:
        return text, 0
    counter = [0]
    for pattern, label in _COMPILED_SHAPES:
        text = pattern.sub(_shape_replacer(label, counter), text)
    text = _KEY_VALUE.sub(_key_value_replacer(counter), text)
    return text, counter[0]


def redact_credentials(text: str) -> tuple[str, int]:
    """The text with long lines cut and credential-looking strings replaced, and how many
    strings were replaced. For any text Podium shows: output, logs, check messages."""
    capped, _ = cap_lines(text)
    return redact_text(capped)


# --- objects --------------------------------------------------------------------------------------


def _redacted_value(name: str, value: Any) -> tuple[Any, int]:
    if not isinstance(value, str) or value.strip().lower() in _HARMLESS_VALUES:
        return value, 0
    if value.startswith("[redacted: "):
        return value, 0
    return redacted(label_for_name(name)), 1


def _is_secret_field(name: str) -> bool:
    return name.lower() not in _NOT_SECRET_OBJECT_FIELDS and is_secret_name(name)


def _redact_last_applied(text: str) -> tuple[str, int]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return redact_credentials(text)
    cleaned, count = redact_object(parsed)
    if not count:
        return text, 0
    # kubectl writes it compact, with a final newline.
    return json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False) + (
        "\n" if text.endswith("\n") else ""
    ), count


def redact_object(value: Any) -> tuple[Any, int]:
    """A redacted copy of a Kubernetes object (or any JSON value), and how many values were
    hidden. Structure and keys are kept, so it prints as valid yaml/json."""
    if isinstance(value, str):
        return redact_credentials(value)
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            cleaned, count = redact_object(item)
            items.append(cleaned)
            total += count
        return items, total
    if not isinstance(value, Mapping):
        return value, 0
    total = 0
    result: dict[str, Any] = {}
    # An env entry, or any {name, value} pair (e.g. a container's env, an init container's).
    env_name = value.get("name") if "value" in value else None
    for key, item in value.items():
        count = 0
        if key == "value" and isinstance(env_name, str) and is_secret_name(env_name):
            cleaned, count = _redacted_value(env_name, item)
            if not count:
                cleaned, count = redact_object(item)
        elif key == LAST_APPLIED and isinstance(item, str):
            cleaned, count = _redact_last_applied(item)
        elif isinstance(key, str) and isinstance(item, str) and _is_secret_field(key):
            cleaned, count = _redacted_value(key, item)
            if not count:
                cleaned, count = redact_credentials(item)
        else:
            cleaned, count = redact_object(item)
        result[key] = cleaned
        total += count
    return result, total
