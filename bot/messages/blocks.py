"""The few Block Kit elements every feature builds: sections, context lines and buttons. Pure.

`text` is `Mrkdwn` when it carries Podium's own markup (`mrkdwn(...)` in bot/messages/text.py); a
plain str is someone's text and is escaped when the message is sent."""

from __future__ import annotations

from typing import Any


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": text},
    }
    if style:
        element["style"] = style
    return element
