"""`/workshop` (`/workshop access [on|off]`, `/workshop notify [room] [on|off]`), the Get my kubectl access button (on the "How
to follow along" slide and in the App Home) and the `access` text command (@Podium access, DM
`access`). Listeners ack and hand over to the AccessService (bot/access/service.py); they are
registered in one place, `register`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.service import AccessService
from bot.conversation.text_commands import TextCommands
from bot.messages.reply import Reply
from bot.slack.failures import never_silent

COMMAND = "/workshop"
# `/workshop notify …` and `@Podium notify …`: (user, the words after notify) → the answer.
NotifyCommand = Callable[[str, str], Awaitable[Reply]]
ACCESS_ACTION = "get_kubectl_access"


def access_button() -> dict[str, Any]:
    """The button that sends the presser a kubeconfig for their own namespace."""
    return {
        "type": "button",
        "action_id": ACCESS_ACTION,
        "value": "access",
        "text": {"type": "plain_text", "text": "Get my kubectl access"},
    }


async def workshop_command(
    service: AccessService,
    notify: NotifyCommand | None,
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    if notify is not None and word.lower() == "notify":
        reply = await notify(command["user_id"], rest)
        await respond(response_type="ephemeral", replace_original=False, text=reply.text)
        return
    result = await service.workshop(
        command["user_id"],
        command.get("text") or "",
        channel_id=command.get("channel_id"),
        source="slash",
    )
    await respond(response_type="ephemeral", replace_original=False, text=result.text)


async def get_access(
    service: AccessService,
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    await ack()
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id")
    from_home = (body.get("container") or {}).get("type") == "view" or not body.get("response_url")
    result = await service.request(
        user_id, channel_id=channel_id, source="home" if from_home else "button"
    )
    if not from_home:
        await respond(response_type="ephemeral", replace_original=False, text=result.text)
    elif not result.ok:  # the App Home has no response_url: the DM is where the person looks
        await client.chat_postMessage(channel=user_id, text=result.text)


async def access_text(service: AccessService, user: str, channel: str, text: str) -> Reply:
    result = await service.workshop(
        user,
        f"access {text}",
        channel_id=channel,
        source="dm" if channel.startswith("D") else "mention",
    )
    return Reply(result.text, private=True)


async def notify_text(notify: NotifyCommand, user: str, channel: str, text: str) -> Reply:
    reply = await notify(user, text)
    return Reply(reply.text, private=True)


def register(
    app: AsyncApp,
    service: AccessService,
    commands: TextCommands,
    notify: NotifyCommand | None = None,
) -> None:
    app.command(COMMAND)(never_silent(partial(workshop_command, service, notify)))
    app.action(ACCESS_ACTION)(never_silent(partial(get_access, service)))
    commands.register(
        "access",
        partial(access_text, service),
        usage="access",
        summary="your own kubectl access: a kubeconfig file in your DM",
    )
    if notify is not None:
        commands.register(
            "notify",
            partial(notify_text, notify),
            usage="notify off",
            summary="DMs about your failing pods: on or off",
        )
