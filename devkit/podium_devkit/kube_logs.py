"""Container logs for the emulator: timestamps, the devkit ``PodLogs`` seed kind, and filtering.

``PodLogs`` is a devkit-only document that is never served as an API object::

    apiVersion: devkit.podium/v1
    kind: PodLogs
    metadata: {namespace: sandbox, name: <pod name>}
    container: web          # optional when the pod has one container
    previous: false         # true: the logs of the previous (terminated) instance
    lines:
      - {time: "-5m", text: "starting"}        # relative to the emulator's "now"
      - {time: "2025-01-01T10:00:00Z", text: "..."}
      - "a bare string gets a time one second after the previous line"
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PODLOGS_API_VERSION = "devkit.podium/v1"
PODLOGS_KIND = "PodLogs"

_RELATIVE_RE = re.compile(r"^-(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_time(value: Any, now: datetime) -> datetime:
    """RFC3339 (``2025-01-01T10:00:00Z``), a ``datetime``, ``"now"`` or relative (``-5m``, ``-1h30m``)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text == "now":
        return now
    match = _RELATIVE_RE.match(text)
    if match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return now - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a time: {value!r} (use RFC3339 or a relative '-5m')") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_relative_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    match = _RELATIVE_RE.match(value)
    return value == "now" or bool(match and any(match.groups()))


def format_time(moment: datetime) -> str:
    """``metav1.Time``: RFC3339 in UTC with whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_rfc3339_nano(moment: datetime) -> str:
    """Go's ``time.RFC3339Nano`` (trailing zeros of the fraction trimmed), as the kubelet prefixes lines."""
    moment = moment.astimezone(UTC)
    fraction = f"{moment.microsecond:06d}000".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


@dataclass(frozen=True)
class LogLine:
    time: datetime
    text: str


@dataclass(frozen=True)
class LogKey:
    namespace: str
    pod: str
    container: str  # "" when the PodLogs document did not name one (single-container pods)
    previous: bool = False


@dataclass
class LogStore:
    streams: dict[LogKey, list[LogLine]] = field(default_factory=dict)

    def add(self, key: LogKey, lines: Iterable[LogLine]) -> None:
        self.streams.setdefault(key, []).extend(lines)
        self.streams[key].sort(key=lambda line: line.time)

    def add_document(self, doc: Mapping[str, Any], now: datetime) -> None:
        meta = doc.get("metadata") or {}
        key = LogKey(
            namespace=meta.get("namespace") or "default",
            pod=meta["name"],
            container=doc.get("container") or "",
            previous=bool(doc.get("previous", False)),
        )
        lines: list[LogLine] = []
        previous_time = now - timedelta(minutes=5)
        for item in doc.get("lines") or ():
            if isinstance(item, Mapping):
                when = (
                    parse_time(item["time"], now)
                    if item.get("time") is not None
                    else previous_time + timedelta(seconds=1)
                )
                text = str(item.get("text", ""))
            else:
                when, text = previous_time + timedelta(seconds=1), str(item)
            lines.append(LogLine(when, text))
            previous_time = when
        self.add(key, lines)

    def has(self, namespace: str, pod: str, container: str, previous: bool) -> bool:
        return self.lookup(namespace, pod, container, previous, single_container=False) is not None

    def lookup(
        self, namespace: str, pod: str, container: str, previous: bool, *, single_container: bool
    ) -> list[LogLine] | None:
        found = self.streams.get(LogKey(namespace, pod, container, previous))
        if found is None and single_container:
            found = self.streams.get(LogKey(namespace, pod, "", previous))
        return found


def render(
    lines: Sequence[LogLine],
    *,
    now: datetime,
    tail_lines: int | None = None,
    since_seconds: int | None = None,
    since_time: datetime | None = None,
    timestamps: bool = False,
    limit_bytes: int | None = None,
) -> bytes:
    """Apply the kubelet's log options in its order: since, tail, timestamps, byte limit. Bytes,
    as the kubelet sends them: `limitBytes` cuts after exactly that many, even inside a character."""
    start = since_time
    if since_seconds is not None:
        start = now - timedelta(seconds=since_seconds)
    selected = [line for line in lines if start is None or line.time >= start]
    if tail_lines is not None:
        selected = selected[-tail_lines:] if tail_lines > 0 else []
    text = "".join(
        (f"{format_rfc3339_nano(line.time)} " if timestamps else "") + line.text + "\n"
        for line in selected
    )
    data = text.encode()
    return data[:limit_bytes] if limit_bytes is not None else data


# ----------------------------------------------------------------------------------------------
# Plausible default logs for containers that were not given any
# ----------------------------------------------------------------------------------------------

_NGINX_STARTUP = (
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
)


def _nginx_version(image: str) -> str:
    tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "1.27"
    return (
        tag if tag.count(".") == 2 else f"{tag}.5" if re.fullmatch(r"\d+\.\d+", tag) else "1.27.5"
    )


def default_logs(image: str, started: datetime, seed: int) -> list[LogLine]:
    """A few lines like the image would print, or nothing for images we know nothing about."""
    name = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    if name == "nginx":
        stamp = started.strftime("%Y/%m/%d %H:%M:%S")
        lines = [LogLine(started, text) for text in _NGINX_STARTUP]
        notices = (
            'using the "epoll" event method',
            f"nginx/{_nginx_version(image)}",
            "built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ",
            "OS: Linux 6.1.128-136.201.amzn2023.x86_64",
            "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
            "start worker processes",
            "start worker process 29",
            "start worker process 30",
        )
        lines += [LogLine(started, f"{stamp} [notice] 1#1: {text}") for text in notices]
        for i in range(2 + seed % 3):
            when = started + timedelta(seconds=40 + 37 * i + seed % 11)
            client = f"192.168.{(seed >> 3) % 60 + 10}.{(seed + 17 * i) % 200 + 20}"
            request = "GET / HTTP/1.1" if i % 2 == 0 else "GET /favicon.ico HTTP/1.1"
            status, size = ("200", "615") if i % 2 == 0 else ("404", "153")
            agent = "curl/8.5.0" if i % 2 == 0 else "Mozilla/5.0 (X11; Linux x86_64)"
            stamp_access = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
            lines.append(
                LogLine(
                    when,
                    f'{client} - - [{stamp_access}] "{request}" {status} {size} "-" "{agent}" "-"',
                )
            )
        return lines
    if name == "httpd":
        stamp = f"{started:%a %b %d %H:%M:%S}.{started.microsecond:06d} {started.year}"
        return [
            LogLine(
                started,
                f"[{stamp}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations",
            ),
            LogLine(
                started,
                f"[{stamp}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'",
            ),
        ]
    if name == "redis":
        stamp = started.strftime("%d %b %Y %H:%M:%S.000")
        return [
            LogLine(started, text)
            for text in (
                f"1:C {stamp} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                f"1:C {stamp} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started",
                f"1:C {stamp} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf",
                f"1:M {stamp} * monotonic clock: POSIX clock_gettime",
                f"1:M {stamp} * Running mode=standalone, port=6379.",
                f"1:M {stamp} * Server initialized",
                f"1:M {stamp} * Ready to accept connections tcp",
            )
        ]
    if name == "coredns":
        return [
            LogLine(started, ".:53"),
            LogLine(
                started,
                "[INFO] plugin/reload: Running configuration SHA512 = 8a7d59126e7f114ab49c6d2613be93d8ef7d408af8ee61a710210843dc409f03133727e38f64469d9bb180f396c84ebf48a42bde3b3769730865ca9df5eb281c",
            ),
            LogLine(started, "CoreDNS-1.11.4"),
            LogLine(started, "linux/amd64, go1.23.8, 6e5e8b3"),
        ]
    return []
