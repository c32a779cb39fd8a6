"""The one settings object: built from the environment (and optionally a YAML file), validated
before anything listens, then passed to whoever needs it. No module reads os.environ elsewhere."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import yaml

Mode = Literal["serve", "socket", "console"]

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_STATE_PATH = "podium-state.db"

# The public interface: these names are documented in README.md and must stay stable.
KNOWN_KEYS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "PORT",
    "KUBECONFIG",
    "PODIUM_SANDBOX_NAMESPACE",
    "PODIUM_NAMESPACES",
    "PODIUM_INSTRUCTORS",
    "PODIUM_STATE",
    "PODIUM_CLUSTER_TIMEOUT",
    "PODIUM_KUBECONFIG_B64",
    "PODIUM_SLIDES",
    "PODIUM_POST_INTERVAL",
    "PODIUM_ALIASES",
    "PODIUM_READ_CACHE_SECONDS",
    "PODIUM_USER_RATE",
    "PODIUM_PARTICIPANT_NAMESPACE",
    "PODIUM_BUDGETS",
    "PODIUM_MAX_READS",
    "PODIUM_METRICS_TOKEN",
    "PODIUM_IMAGE_WAIT",
    "PODIUM_SOCKET_HEALTH_SECONDS",
    "PODIUM_ACCESS",
    "PODIUM_ACCESS_TTL",
    "PODIUM_ACCESS_UNTIL",
    "PODIUM_ACCESS_SERVER",
    "PODIUM_ACCESS_CA_FILE",
    "PODIUM_PARTICIPANT_SERVICE_ACCOUNT",
    "PODIUM_PARTICIPANTS",
    "PODIUM_WATCH",
)

# Per-person budgets of the families besides /kubectl (whose budget is PODIUM_USER_RATE):
# (count, seconds). Generous for a person, a wall for a script or a stuck key.
DEFAULT_BUDGETS: Mapping[str, tuple[int, float]] = {
    "ask": (5, 60.0),  # questions to the instructor: each one is a post in the channel
    "exercise": (10, 60.0),  # /exercise, Check my work, Hint: a check reads the cluster
    "share": (5, 60.0),  # Share in channel: each one is a post in the channel
    "run": (10, 60.0),  # Run in sandbox: a cluster read and a post in the slide's thread
    "upvote": (30, 60.0),  # upvotes: each one edits the question's message
    "access": (5, 3600.0),  # kubectl access: each one mints a token in the cluster
    "notify": (5, 600.0),  # failing-pod DMs Podium sends a person, however many pods fail
}
BUDGET_FAMILIES = ("kubectl", *DEFAULT_BUDGETS)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class SettingsError(Exception):
    """A setting is missing or malformed. The message is one line: the name and what to do."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    kubeconfig: str | None = None
    # A whole kubeconfig handed over as base64 (PaaS secrets are strings, not files).
    kubeconfig_data: Mapping[str, Any] | None = None
    # True when running in a pod: use the mounted service account instead of a kubeconfig.
    in_cluster: bool = False
    sandbox_namespace: str = "sandbox"
    # PODIUM_NAMESPACES: shared namespaces everyone may read. Who reads what beyond these is
    # decided per person (bot/kubectl/access.py).
    extra_namespaces: tuple[str, ...] = ()
    instructors: frozenset[str] = field(default_factory=frozenset)
    state_path: Path | None = None  # None: not configured, use DEFAULT_STATE_PATH
    cluster_timeout: float = 10.0
    slides_dir: Path | None = None  # None: slides/ in the working directory, else the repository's
    # Seconds between chat.postMessage calls per channel (Slack allows about one per second).
    post_interval: float = 1.0
    # PODIUM_ALIASES as written (`kgp=get pods;kd=`): the conversation feature reads and checks it
    # (bot/conversation/aliases.py), so settings need not know kubectl's words.
    aliases: str = ""
    # Identical cluster reads within this many seconds share one API request.
    read_cache_seconds: float = 1.0
    # Each person may run this many commands per this many seconds (0 commands: no limit).
    user_rate_limit: int = 10
    user_rate_seconds: float = 10.0
    # Each participant's namespace; {user} is their Slack user ID in lower case.
    participant_namespace: str = "ws-{user}"
    # Per-person budgets of the other families (ask, exercise, share, run, upvote): (count, seconds).
    budgets: Mapping[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))
    # The most Kubernetes API reads one command may cause (kinds × names, as planned).
    max_reads_per_command: int = 20
    # When set, GET /metrics needs `Authorization: Bearer <token>`.
    metrics_token: str | None = None
    # Seconds to wait for Slack to process an uploaded slide image before showing its alt text.
    image_wait: float = 15.0
    # Socket Mode: /healthz fails (503) once the connection to Slack has been down this long.
    socket_health_seconds: float = 60.0
    # "Get my kubectl access" (bot/access/): on unless PODIUM_ACCESS=off.
    access_enabled: bool = True
    # Tokens live this long (PODIUM_ACCESS_TTL), or until access_until when that is set.
    access_ttl_seconds: int = 8 * 3600
    access_until: datetime | None = None  # the end of the workshop, UTC
    # The API server URL and CA participants' kubectl uses; None: the ones Podium itself uses.
    access_server: str | None = None
    access_ca_file: Path | None = None
    # The ServiceAccount in each participant namespace whose tokens participants get.
    participant_service_account: str = "participant"
    # PODIUM_PARTICIPANTS: people whose namespaces are watched for failing pods from the start,
    # besides everyone who runs a command, checks an exercise or gets kubectl access.
    participants: frozenset[str] = field(default_factory=frozenset)
    # The shared namespace streams (bot/watch/): on unless PODIUM_WATCH=off; off, the features
    # that need them (notifications, the room board, `get -w`) say so or read once instead.
    watch_enabled: bool = True

    def budget(self, family: str) -> tuple[int, float]:
        """(count, seconds) one person may spend on `family` (count 0: no limit)."""
        if family == "kubectl":
            return self.user_rate_limit, self.user_rate_seconds
        return self.budgets.get(family, DEFAULT_BUDGETS[family])

    @property
    def state_file(self) -> Path:
        return self.state_path or Path(DEFAULT_STATE_PATH)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def __repr__(self) -> str:  # secrets never end up in logs or tracebacks
        hidden = {
            "slack_bot_token",
            "slack_signing_secret",
            "slack_app_token",
            "kubeconfig_data",
            "metrics_token",
        }
        parts = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            parts.append(f"{name}={'***' if name in hidden and value else value!r}")
        return f"Settings({', '.join(parts)})"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from PODIUM_CONFIG (YAML, optional) overlaid by the environment.

    Environment wins over the file. Raises SettingsError naming the first bad setting.
    """
    env = dict(os.environ if environ is None else environ)
    values: dict[str, str] = {}
    config_path = env.get("PODIUM_CONFIG")
    if config_path:
        values.update(_read_config_file(config_path))
    values.update({k: v for k, v in env.items() if k in KNOWN_KEYS})
    return _parse(values, env)


def require_mode(settings: Settings, mode: Mode) -> None:
    """Check that what `mode` needs is present; raise one clear line otherwise."""
    if mode == "serve":
        if not settings.slack_bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: HTTP mode needs the app's bot token (xoxb-…) "
                "from the Slack app's OAuth & Permissions page."
            )
        if not settings.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it; "
                "copy it from the Slack app's Basic Information page."
            )
    elif mode == "socket":
        if not settings.slack_bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: Socket Mode needs the app's bot token (xoxb-…)."
            )
        if not settings.slack_app_token:
            raise SettingsError(
                "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope."
            )


def default_mode(settings: Settings) -> Mode:
    """What `python -m bot` with no sub-command runs: the console unless Slack credentials exist."""
    if settings.slack_bot_token and settings.slack_app_token:
        return "socket"
    if settings.slack_bot_token and settings.slack_signing_secret:
        return "serve"
    return "console"


def _read_config_file(path: str) -> dict[str, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(
            f"PODIUM_CONFIG={path}: cannot read it ({exc.strerror}); fix the path or unset it."
        ) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SettingsError(f"PODIUM_CONFIG={path}: not valid YAML{where}; fix the file.") from None
    if not isinstance(data, dict):
        raise SettingsError(f"PODIUM_CONFIG={path}: expected a mapping of setting names to values.")
    values: dict[str, str] = {}
    for key, value in data.items():
        name = str(key).upper()
        if name not in KNOWN_KEYS:
            raise SettingsError(
                f"PODIUM_CONFIG={path}: unknown setting {key!r}; known: {', '.join(KNOWN_KEYS)}."
            )
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        values[name] = "" if value is None else str(value)
    return values


def _number(
    get: Callable[[str], str | None],
    name: str,
    default: str,
    valid: Callable[[float], bool],
    rule: str,
) -> float:
    """A number setting: `default` when unset; `rule` says what is expected when it is not valid."""
    text = get(name) or default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")  # fails every range check
    if not valid(value):
        raise SettingsError(f"{name}={text!r} {rule}")
    return value


def _parse(values: Mapping[str, str], env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        raw = values.get(name)
        return raw.strip() if raw is not None and raw.strip() else None

    sandbox = get("PODIUM_SANDBOX_NAMESPACE") or "sandbox"
    _check_namespace("PODIUM_SANDBOX_NAMESPACE", sandbox)
    extra = tuple(_split(get("PODIUM_NAMESPACES")))
    for namespace in extra:
        _check_namespace("PODIUM_NAMESPACES", namespace)

    instructors = frozenset(_split(get("PODIUM_INSTRUCTORS")))
    for user_id in instructors:
        if not _SLACK_USER_ID.match(user_id):
            raise SettingsError(
                f"PODIUM_INSTRUCTORS: {user_id!r} is not a Slack user ID (like U012ABCDEF); "
                "copy it from the person's profile, ⋮ → Copy member ID."
            )

    participants = frozenset(_split(get("PODIUM_PARTICIPANTS")))
    for user_id in participants:
        if not _SLACK_USER_ID.match(user_id):
            raise SettingsError(
                f"PODIUM_PARTICIPANTS: {user_id!r} is not a Slack user ID (like U012ABCDEF); "
                "copy it from the person's profile, ⋮ → Copy member ID."
            )

    timeout = _number(
        get,
        "PODIUM_CLUSTER_TIMEOUT",
        "10",
        lambda v: 0 < v <= 300,
        "must be a number of seconds between 0 and 300.",
    )

    post_interval = _number(
        get,
        "PODIUM_POST_INTERVAL",
        "1",
        lambda v: 0 <= v <= 60,
        "must be seconds between posts per channel (0-60).",
    )
    socket_health_seconds = _number(
        get,
        "PODIUM_SOCKET_HEALTH_SECONDS",
        "60",
        lambda v: 1 <= v <= 3600,
        "must be the seconds (1-3600) the Socket Mode "
        "connection may be down before /healthz fails.",
    )
    read_cache_seconds = _number(
        get,
        "PODIUM_READ_CACHE_SECONDS",
        "1",
        lambda v: 0 <= v <= 30,
        "must be seconds (0-30) that a cluster read stays fresh.",
    )
    image_wait = _number(
        get,
        "PODIUM_IMAGE_WAIT",
        "15",
        lambda v: 0 <= v <= 300,
        "must be seconds (0-300) to wait for Slack to process a slide image.",
    )
    rate_text = get("PODIUM_USER_RATE") or "10/10s"
    rate = _parse_rate(rate_text)
    if rate is None:
        raise SettingsError(
            f"PODIUM_USER_RATE={rate_text!r} must read like 10/10s (commands per seconds, per person; 0/1s: no limit)."
        )
    budgets = _parse_budgets(get("PODIUM_BUDGETS") or "")
    max_reads_text = get("PODIUM_MAX_READS") or "20"
    if not max_reads_text.isdigit() or not 1 <= int(max_reads_text) <= 1000:
        raise SettingsError(
            f"PODIUM_MAX_READS={max_reads_text!r} must be the most API reads one command may cause (1-1000)."
        )
    metrics_token = get("PODIUM_METRICS_TOKEN")
    if metrics_token is not None and (
        len(metrics_token) < 16 or not metrics_token.isprintable() or " " in metrics_token
    ):
        raise SettingsError(
            "PODIUM_METRICS_TOKEN must be at least 16 printable characters without spaces "
            "(e.g. from `openssl rand -hex 32`)."
        )
    participant_template = get("PODIUM_PARTICIPANT_NAMESPACE") or "ws-{user}"
    problem = _template_problem(participant_template)
    if problem:
        raise SettingsError(f"PODIUM_PARTICIPANT_NAMESPACE={participant_template!r}: {problem}.")
    watch_switch = (get("PODIUM_WATCH") or "on").lower()
    if watch_switch not in ("on", "off"):
        raise SettingsError(f"PODIUM_WATCH={watch_switch!r} must be on or off.")
    slides_dir = get("PODIUM_SLIDES")
    if slides_dir and not Path(slides_dir).is_dir():
        raise SettingsError(
            f"PODIUM_SLIDES={slides_dir}: no such folder; point it at the folder of decks."
        )

    return Settings(
        sandbox_namespace=sandbox,
        extra_namespaces=extra,
        instructors=instructors,
        participants=participants,
        state_path=Path(state) if (state := get("PODIUM_STATE")) else None,
        cluster_timeout=timeout,
        slides_dir=Path(slides_dir) if slides_dir else None,
        post_interval=post_interval,
        socket_health_seconds=socket_health_seconds,
        aliases=get("PODIUM_ALIASES") or "",
        read_cache_seconds=read_cache_seconds,
        user_rate_limit=rate[0],
        user_rate_seconds=rate[1],
        participant_namespace=participant_template,
        budgets=budgets,
        max_reads_per_command=int(max_reads_text),
        metrics_token=metrics_token,
        image_wait=image_wait,
        watch_enabled=watch_switch == "on",
        **_parse_slack(get),
        **_parse_cluster(get, env),
        **_parse_access(get),
    )


def _parse_slack(get: Callable[[str], str | None]) -> dict[str, Any]:
    """Slack's credentials and where to reach it, and the HTTP port Slack calls."""
    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")

    api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            f"SLACK_API_URL={api_url!r} is not an http(s) URL; use e.g. {DEFAULT_SLACK_API_URL}"
        )
    if not api_url.endswith("/"):
        api_url += "/"  # slack_sdk appends the method name to the base URL

    port_text = get("PORT") or "3000"
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise SettingsError(f"PORT={port_text!r} is not a TCP port number (0-65535).")
    return {
        "slack_bot_token": bot_token,
        "slack_signing_secret": get("SLACK_SIGNING_SECRET"),
        "slack_app_token": app_token,
        "slack_api_url": api_url,
        "port": port,
    }


def _parse_cluster(get: Callable[[str], str | None], env: Mapping[str, str]) -> dict[str, Any]:
    """Which credentials reach the cluster: a kubeconfig file, one passed inline, or in-cluster."""
    kubeconfig = get("KUBECONFIG")
    if kubeconfig:
        first = kubeconfig.split(os.pathsep)[0]
        if not Path(first).expanduser().is_file():
            raise SettingsError(
                f"KUBECONFIG={kubeconfig}: no such file; point it at a kubeconfig or unset it."
            )
    kubeconfig_data = _decode_kubeconfig(get("PODIUM_KUBECONFIG_B64"))
    if kubeconfig_data is not None and kubeconfig:
        raise SettingsError("Set either KUBECONFIG or PODIUM_KUBECONFIG_B64, not both.")
    in_cluster = (
        not kubeconfig and kubeconfig_data is None and bool(env.get("KUBERNETES_SERVICE_HOST"))
    )
    return {"kubeconfig": kubeconfig, "kubeconfig_data": kubeconfig_data, "in_cluster": in_cluster}


ACCESS_MIN_SECONDS = 600  # the API server refuses TokenRequests shorter than 10 minutes
ACCESS_MAX_SECONDS = 48 * 3600


def _parse_access(get: Any) -> dict[str, Any]:
    """PODIUM_ACCESS, PODIUM_ACCESS_TTL or PODIUM_ACCESS_UNTIL, PODIUM_ACCESS_SERVER,
    PODIUM_ACCESS_CA_FILE and PODIUM_PARTICIPANT_SERVICE_ACCOUNT."""
    switch = (get("PODIUM_ACCESS") or "on").lower()
    if switch not in ("on", "off"):
        raise SettingsError(f"PODIUM_ACCESS={switch!r} must be on or off.")
    ttl_text, until_text = get("PODIUM_ACCESS_TTL"), get("PODIUM_ACCESS_UNTIL")
    if ttl_text and until_text:
        raise SettingsError("Set either PODIUM_ACCESS_TTL or PODIUM_ACCESS_UNTIL, not both.")
    ttl = parse_duration(ttl_text or "8h")
    if ttl is None or not ACCESS_MIN_SECONDS <= ttl <= ACCESS_MAX_SECONDS:
        raise SettingsError(
            f"PODIUM_ACCESS_TTL={ttl_text!r} must be a duration from 10m (the API server's minimum) to 48h, "
            "like 8h or 90m."
        )
    until = None
    if until_text:
        until = _parse_utc(until_text)
        if until is None:
            raise SettingsError(
                f"PODIUM_ACCESS_UNTIL={until_text!r} must be an ISO 8601 UTC time, like 2026-12-03T17:00:00Z."
            )
    server = get("PODIUM_ACCESS_SERVER")
    if server is not None:
        parsed = urlparse(server)
        if parsed.scheme != "https" or not parsed.netloc:
            raise SettingsError(
                f"PODIUM_ACCESS_SERVER={server!r} must be the https URL of the API server, "
                "e.g. from `aws eks describe-cluster --query cluster.endpoint`."
            )
    ca_file = get("PODIUM_ACCESS_CA_FILE")
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise SettingsError(
            f"PODIUM_ACCESS_CA_FILE={ca_file}: no such file; point it at the cluster's CA (PEM)."
        )
    account = get("PODIUM_PARTICIPANT_SERVICE_ACCOUNT") or "participant"
    if not _DNS_LABEL.match(account):
        raise SettingsError(
            f"PODIUM_PARTICIPANT_SERVICE_ACCOUNT={account!r} is not a valid ServiceAccount name."
        )
    return {
        "access_enabled": switch == "on",
        "access_ttl_seconds": ttl,
        "access_until": until,
        "access_server": server.rstrip("/") if server else None,
        "access_ca_file": Path(ca_file).expanduser() if ca_file else None,
        "participant_service_account": account,
    }


def parse_duration(text: str) -> int | None:
    """`7d`, `8h`, `90m`, `1h30m`, `45s` or plain seconds (`600`) → seconds; None if it does not
    read like that. Callers decide the range."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _parse_utc(text: str) -> datetime | None:
    """An ISO 8601 time in UTC (`Z` or `+00:00`; no offset is read as UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    if moment.utcoffset() != UTC.utcoffset(None):
        return None
    return moment


def _parse_rate(text: str) -> tuple[int, float] | None:
    """`10/10s` → (10, 10.0); None if it does not read like that."""
    rate = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?", text.strip())
    if not rate or float(rate.group(2)) <= 0:
        return None
    return int(rate.group(1)), float(rate.group(2))


def _parse_budgets(text: str) -> dict[str, tuple[int, float]]:
    """`ask=3/60s,share=0/1s` over the defaults; unknown families and bad rates are errors."""
    budgets = dict(DEFAULT_BUDGETS)
    for entry in _split(text):
        family, _, rate_text = entry.partition("=")
        family = family.strip().lower()
        if family == "kubectl":
            raise SettingsError(
                "PODIUM_BUDGETS: the /kubectl budget is PODIUM_USER_RATE; set it there."
            )
        if family not in DEFAULT_BUDGETS:
            raise SettingsError(
                f"PODIUM_BUDGETS: unknown family {family!r}; known: {', '.join(DEFAULT_BUDGETS)}."
            )
        rate = _parse_rate(rate_text)
        if rate is None:
            raise SettingsError(
                f"PODIUM_BUDGETS: {entry!r} must read like {family}=5/60s (per person; {family}=0/1s: no limit)."
            )
        budgets[family] = rate
    return budgets


def _decode_kubeconfig(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        data = yaml.safe_load(base64.b64decode(text, validate=False))
    except (binascii.Error, ValueError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict) or not data.get("clusters") or not data.get("users"):
        raise SettingsError(
            "PODIUM_KUBECONFIG_B64 is not a base64-encoded kubeconfig; make one with "
            "`python -m bot kubeconfig --base64`."
        )
    return data


def _template_problem(template: str) -> str | None:
    """Why a participant namespace template cannot work, or None; tried on a sample user ID."""
    try:
        sample = template.format(user="u012abcdef", user_id="U012ABCDEF")
    except (KeyError, IndexError, ValueError) as error:
        return f"only {{user}} and {{user_id}} may appear ({error})"
    if "{" in template and "user" not in template:
        return "it must contain {user}"
    if not _DNS_LABEL.match(sample):
        return f"it makes {sample!r}, which is not a valid namespace name"
    return None


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _check_namespace(setting: str, namespace: str) -> None:
    if not _DNS_LABEL.match(namespace):
        raise SettingsError(
            f"{setting}: {namespace!r} is not a valid namespace name "
            "(lower-case letters, digits and '-', at most 63 characters)."
        )
