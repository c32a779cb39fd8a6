"""Signed button values. A button's `value` comes back from the client, which can send anything:
what Podium must trust in it (the Share button's answer key and command) carries an HMAC-SHA256
over the action_id and the fields, checked in constant time. Pure: no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

from bot.messages.limits import MAX_BUTTON_VALUE

SIGNATURE = "s"
MAX_VALUE = MAX_BUTTON_VALUE  # Slack's limit for a button value (bot/messages/limits.py)


def _mac(key: bytes, action_id: str, fields: Mapping[str, str]) -> str:
    canonical = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hmac.new(key, f"{action_id}\n{canonical}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_button_value(key: bytes, action_id: str, fields: Mapping[str, str]) -> str:
    """`fields` as JSON with their signature; bound to `action_id`, so a value signed for one
    button is refused by another."""
    return json.dumps({**fields, SIGNATURE: _mac(key, action_id, fields)}, separators=(",", ":"))


def verify_button_value(key: bytes, action_id: str, value: str | None) -> dict[str, str] | None:
    """The signed fields if `value` is exactly what Podium signed for `action_id`; None for an
    unsigned, altered, re-targeted or malformed value."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        return None
    given = data.pop(SIGNATURE, None)
    if given is None:
        return None
    if not hmac.compare_digest(given.encode(), _mac(key, action_id, data).encode()):
        return None
    return data


def fit_text_field(key: bytes, action_id: str, fields: Mapping[str, str], field: str) -> str:
    """The signed value, with `field` shortened until the whole value fits Slack's limit
    (JSON escaping can make a text longer than it looks)."""
    text = fields[field]
    while True:
        value = sign_button_value(key, action_id, {**fields, field: text})
        if len(value) <= MAX_VALUE or not text:
            return value
        text = text[: max(0, len(text) - max(1, (len(value) - MAX_VALUE) // 2 + 1))]
