"""The answer a feature gives to the person who asked: neutral, so every feature and every
transport (slash command, button, @mention, DM) can share it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the person who asked sees (privately). `blocks` is optional richer content. `text` is
    `Mrkdwn` when it carries Podium's markup; a plain str is escaped on the way out."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    # Asked with @Podium in a channel: answered with an ephemeral message there, not in the thread.
    private: bool = False

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"text": self.text}
        if self.blocks:
            message["blocks"] = self.blocks
        return message
