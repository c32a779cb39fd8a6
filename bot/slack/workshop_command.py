"""`/workshop` (`/workshop access [on|off]`, `/workshop board`, `/workshop notify [room] [on|off]`),
the Get my kubectl access button (on the "How to follow along" slide and in the App Home) and the
`access`, `board` and `notify` text commands (@Podium access, DM `access`, …). Listeners ack and
hand over to the AccessService (bot/access/service.py), the room board and the notifier; they
are registered in one place, `register`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Protocol

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.service import AccessService
from bot.conversation.text_commands import TextCommands, is_dm
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


class Board(Protocol):
    """`/workshop board` and `@Podium board`: the instructor's room board
    (bot/notify/room_board.py's RoomBoard.show), answered in one line. `in_dm`: asked in the DM
    where the board is posted, so the answer lands below it."""

    def __call__(self, user_id: str, *, in_dm: bool = False) -> Awaitable[str]: ...


async def workshop_command(
    service: AccessService,
    board: Board | None,
    notify: NotifyCommand | None,
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    if board is not None and word.lower() == "board":
        text = await board(command["user_id"])
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
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


async def board_text(board: Board, user: str, channel: str, text: str) -> Reply:
    # Words after `board` are ignored, as `/workshop board …` ignores them.
    return Reply(await board(user, in_dm=is_dm(channel)), private=True)


async def notify_text(notify: NotifyCommand, user: str, channel: str, text: str) -> Reply:
    reply = await notify(user, text)
    return Reply(reply.text, private=True)


def register(
    app: AsyncApp,
    service: AccessService,
    commands: TextCommands,
    *,
    board: Board | None = None,
    notify: NotifyCommand | None = None,
) -> None:
    # Positional: Bolt would fill a keyword parameter it does not know with None.
    app.command(COMMAND)(never_silent(partial(workshop_command, service, board, notify)))
    app.action(ACCESS_ACTION)(never_silent(partial(get_access, service)))
    commands.register(
        "access",
        partial(access_text, service),
        usage="access",
        summary="your own kubectl access: a kubeconfig file in your DM",
    )
    if board is not None:
        commands.register(
            "board",
            partial(board_text, board),
            usage="board",
            summary="instructors: the room board in your DM, who is stuck longest on top",
        )
    if notify is not None:
        commands.register(
            "notify",
            partial(notify_text, notify),
            usage="notify off",
            summary="DMs about your failing pods: on or off",
        )
