"""The buttons of a failing-pod DM: Show logs and Describe run `/kubectl logs …` / `/kubectl
describe …` for whoever presses them, through the command service, so the presser's own policy
decides (a neighbour pressing a forwarded button gets their own refusal). Check my exercise is
the exercises' own button (bot/slack/exercise_command.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.kubectl.service import KubectlService
from bot.notify.render import DESCRIBE_ACTION, LOGS_ACTION, button_command
from bot.slack.failures import never_silent
from bot.slack.kubectl_command import KubectlDelivery

NOT_PODIUMS = (
    "That button does not carry a command Podium wrote, so nothing ran. "
    "Type it with `/kubectl` instead."
)


@dataclass(frozen=True)
class CommandButtons:
    """What a button that runs a `/kubectl` command for its presser needs (the DM's Show logs
    and Describe, the room board's Describe)."""

    kubectl: KubectlService
    delivery: KubectlDelivery


async def run_for_presser(
    deps: CommandButtons,
    command: str | None,
    refusal: str,
    body: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """Run `command` as the presser's own `/kubectl` (their policy decides) and answer them
    privately; None (a value Podium did not write) gets `refusal` and runs nothing."""
    if command is None:
        await respond(response_type="ephemeral", replace_original=False, text=refusal)
        return
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    answer = await deps.kubectl.run(command, user=user, channel=channel, source="button")
    await deps.delivery.reply_privately(answer, text=command, user_id=user, respond=respond)


async def run_button(
    deps: CommandButtons,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    text = button_command(str(action.get("action_id") or ""), str(action.get("value") or ""))
    await run_for_presser(deps, text, NOT_PODIUMS, body, respond)


def register(app: AsyncApp, deps: CommandButtons) -> None:
    app.action(re.compile(f"^({LOGS_ACTION}|{DESCRIBE_ACTION})$"))(
        never_silent(partial(run_button, deps))
    )
