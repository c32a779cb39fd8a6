"""Credentials that leak into logs and object data are blanked before anything reaches Slack.
Pure: text in, text and a count out. Errs towards redacting: a chat is the wrong place for any
of these, and the participant can still read the original with kubectl."""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys, also when the END line was cut off by --tail.
    (re.compile(r"-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----(?:[\s\S]*?-----END ([A-Z0-9 ]+ )?PRIVATE KEY-----|[\s\S]*\Z)"),
     f"-----BEGIN PRIVATE KEY----- {REDACTED} -----END PRIVATE KEY-----"),
    # JSON Web Tokens, e.g. Kubernetes service account tokens.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), REDACTED),
    (re.compile(r"(?i)\b(bearer|token)(\s+|=|:\s*)(?!\[REDACTED\])[A-Za-z0-9\-._~+/]{8,}=*"), rf"\1\2{REDACTED}"),
    # AWS access key IDs and secret access keys.
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"(?i)(aws_secret_access_key|secret_?access_?key)(\"?\s*[:=]\s*\"?)[A-Za-z0-9/+=]{20,}"), rf"\1\2{REDACTED}"),
    # Slack and GitHub tokens.
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{8,}"), REDACTED),
    (re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"), REDACTED),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), REDACTED),
    # Passwords in URLs and key=value settings.
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), rf"\1{REDACTED}@"),
    (re.compile(r"(?i)\b(password|passwd|pwd|secret|api[_-]?key)(\"?\s*[:=]\s*\"?)(?!\[REDACTED\])[^\s\"',;]{4,}"), rf"\1\2{REDACTED}"),
)


def redact_credentials(text: str) -> tuple[str, int]:
    """The text with credential-looking strings replaced, and how many were replaced."""
    total = 0
    for pattern, replacement in _PATTERNS:
        text, count = pattern.subn(replacement, text)
        total += count
    return text, total
