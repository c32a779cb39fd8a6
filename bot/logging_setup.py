"""Logging set-up: one JSON object per line for servers (text for the console), and credentials
never written out, whatever the record carries."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import re2

# Slack tokens (bot, user, app-level), bearer tokens and signing-secret-like hex strings. RE2:
# log records carry text people and the cluster chose, and RE2 never backtracks.
_SECRET_PATTERNS = (
    re2.compile(r"xox[abposr]-[A-Za-z0-9-]+"),
    re2.compile(r"xapp-[A-Za-z0-9-]+"),
    re2.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re2.compile(r"(?i)(signing[_ ]secret['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9]+"),
    re2.compile(r"(?i)(['\"]?token['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9._~+/=-]{8,}"),
)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """Structured logs: time, level, logger, message (and the exception), redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # urllib3 and slack_sdk debug logs may carry headers; keep them at INFO or above.
    for noisy in ("urllib3", "slack_sdk", "slack_bolt", "kubernetes"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
