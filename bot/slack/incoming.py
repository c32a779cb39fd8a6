"""What Slack sends, decoded once before any listener reads it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.messages.text import decode_slack_text


def install_slash_text_decoding(app: AsyncApp) -> None:
    """Slack sends a slash command's typed `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`. Every command
    (`/kubectl`, `/ask`, `/slides`, …) reads the decoded text; it is escaped again on the way out.
    Message events are decoded in bot/conversation/parsing.py, after their `<@U…>` markup."""

    async def decode_slash_text(body: dict[str, Any], context: AsyncBoltContext, next: Any) -> None:
        if "command" in body and isinstance(body.get("text"), str):
            body["text"] = decode_slack_text(body["text"])
        await next()

    app.middleware(decode_slash_text)
