"""The `/kubectl` slash command: ack at once, run the command, answer through respond()."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.kubectl.service import KubectlService
from bot.slack.output import answer_message


COMMAND = "/kubectl"


def register(app: AsyncApp, service: KubectlService) -> None:
    @app.command(COMMAND)
    async def kubectl_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # Slack wants its 200 within 3 s; the cluster call happens after
        answer = await service.run(command.get("text") or "")
        await respond(**answer_message(answer))
