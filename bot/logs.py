"""Logging set-up: one line per record, and credentials never written out."""

from __future__ import annotations

import logging
import re

# Slack tokens (bot, user, app-level), bearer tokens and signing-secret-like hex strings.
_SECRET_PATTERNS = (
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),
    re.compile(r"xapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(signing[_ ]secret['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9]+"),
)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # urllib3 and slack_sdk debug logs may carry headers; keep them at INFO or above.
    for noisy in ("urllib3", "slack_sdk", "slack_bolt", "kubernetes"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
