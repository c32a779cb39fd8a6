"""Prometheus metrics, one registry per Podium (no process-wide globals), served at /metrics.

Every label takes its value from a fixed set (anything else is counted as `other`): a label fed
from what people type (the first word of a command) or what a server answers would give each
made-up value its own series, and /metrics would grow without limit."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Seconds: chat-scale latencies, from a cached read to a slow API server's timeout.
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

OTHER = "other"
# The verbs Podium answers, and how a command that is not one is recorded.
VERBS = frozenset(
    {"get", "describe", "logs", "auth", "help", "invalid", "access"}
)  # access: kubeconfig files
OUTCOMES = frozenset({"ok", "refused", "error", "rate_limited", "internal"})
# Kubernetes StatusReasons (metav1), plus the gateway's own Timeout and Unreachable.
KUBE_OUTCOMES = frozenset(
    {
        "ok",
        "Timeout",
        "Unreachable",
        "NotFound",
        "Forbidden",
        "Unauthorized",
        "BadRequest",
        "Invalid",
        "Conflict",
        "AlreadyExists",
        "Gone",
        "Expired",
        "MethodNotAllowed",
        "NotAcceptable",
        "RequestEntityTooLarge",
        "UnsupportedMediaType",
        "TooManyRequests",
        "InternalError",
        "ServiceUnavailable",
        "ServerTimeout",
        "Unknown",
    }
)
# What the namespace streams (bot/watch/hub.py) send and receive.
WATCH_VERBS = frozenset({"list", "watch"})
WATCH_EVENTS = frozenset({"ADDED", "MODIFIED", "DELETED"})
# Slack Web API errors worth telling apart on a dashboard; the rest are `other`.
SLACK_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "ratelimited",
        "missing_scope",
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "not_authed",
        "expired_trigger_id",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
        "user_not_found",
        "cannot_dm_bot",
        "message_not_found",
        "cant_update_message",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "unknown",
        "ClientConnectorError",
        "ServerDisconnectedError",
        "TimeoutError",
        "ClientOSError",
    }
)
# Slack Web API method names are chosen by Podium's code, but bound them all the same.
_SLACK_METHOD = re.compile(r"^[a-z]+(\.[a-zA-Z]+){1,3}$")


def bounded(value: str, allowed: frozenset[str]) -> str:
    """`value` if it is one of `allowed`, else `other`."""
    return value if value in allowed else OTHER


def slack_method_label(method: str) -> str:
    return method if len(method) <= 40 and _SLACK_METHOD.match(method) else OTHER


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "podium_commands",
            "kubectl commands answered, by verb and outcome",
            ["verb", "outcome"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "podium_command_seconds",
            "time from command text to answer, by verb",
            ["verb"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.kube_requests = Counter(
            "podium_kube_api_requests",
            "requests sent to the Kubernetes API, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.kube_request_seconds = Histogram(
            "podium_kube_api_request_seconds",
            "Kubernetes API request latency",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "podium_slack_api_errors",
            "Slack Web API calls that failed, by method and error",
            ["method", "error"],
            registry=self.registry,
        )
        self.slack_retries = Counter(
            "podium_slack_api_retries",
            "Slack Web API calls retried, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.undelivered = Counter(
            "podium_undelivered",
            "answers that could not be delivered where asked, by fallback",
            ["fallback"],
            registry=self.registry,
        )

        self.watch_requests = Counter(
            "podium_watch_api_requests",
            "requests the namespace streams sent to the Kubernetes API, by verb and outcome",
            ["verb", "outcome"],
            registry=self.registry,
        )
        self.watch_events = Counter(
            "podium_watch_events",
            "changes the namespace streams received, by type",
            ["type"],
            registry=self.registry,
        )
        self.watch_relists = Counter(
            "podium_watch_relists",
            "lists again after a watch's resourceVersion expired (410 Gone)",
            registry=self.registry,
        )
        self.watch_streams = Gauge(
            "podium_watch_streams",
            "namespace streams running (one per namespace and kind)",
            registry=self.registry,
        )

    def command_answered(self, verb: str, outcome: str, seconds: float) -> None:
        verb = bounded(verb, VERBS)
        self.commands.labels(verb, bounded(outcome, OUTCOMES)).inc()
        self.command_seconds.labels(verb).observe(seconds)

    def kube_request(self, outcome: str, seconds: float) -> None:
        self.kube_requests.labels(bounded(outcome, KUBE_OUTCOMES)).inc()
        self.kube_request_seconds.observe(seconds)

    def watch_request(self, verb: str, outcome: str) -> None:
        self.watch_requests.labels(
            bounded(verb, WATCH_VERBS), bounded(outcome, KUBE_OUTCOMES)
        ).inc()

    def watch_event(self, change_type: str) -> None:
        self.watch_events.labels(bounded(change_type, WATCH_EVENTS)).inc()

    def slack_error(self, method: str, error: str) -> None:
        self.slack_errors.labels(slack_method_label(method), bounded(error, SLACK_ERRORS)).inc()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
