"""Prometheus metrics, one registry per Podium (no process-wide globals), served at /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Seconds: chat-scale latencies, from a cached read to a slow API server's timeout.
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "podium_commands", "kubectl commands answered, by verb and outcome",
            ["verb", "outcome"], registry=self.registry)
        self.command_seconds = Histogram(
            "podium_command_seconds", "time from command text to answer, by verb",
            ["verb"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.kube_requests = Counter(
            "podium_kube_api_requests", "requests sent to the Kubernetes API, by outcome",
            ["outcome"], registry=self.registry)
        self.kube_request_seconds = Histogram(
            "podium_kube_api_request_seconds", "Kubernetes API request latency",
            buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.slack_errors = Counter(
            "podium_slack_api_errors", "Slack Web API calls that failed, by method and error",
            ["method", "error"], registry=self.registry)
        self.slack_retries = Counter(
            "podium_slack_api_retries", "Slack Web API calls retried, by reason",
            ["reason"], registry=self.registry)
        self.undelivered = Counter(
            "podium_undelivered", "answers that could not be delivered where asked, by fallback",
            ["fallback"], registry=self.registry)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
