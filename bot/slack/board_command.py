"""The room board's Slack side: the Web API calls the board makes (with Slack's refusals turned
into what the board does about them), `/workshop board`, and the Describe button on a stuck row.
Listeners stay thin: ack, hand over, answer once."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.notify.board import DESCRIBE_ACTION, parse_describe_value
from bot.notify.room_board import BoardGone, BoardRateLimited
from bot.slack.failures import never_silent
from bot.slack.notify_buttons import CommandButtons, run_for_presser
from bot.slack.publisher import Publisher, retry_after

log = logging.getLogger(__name__)

# Slack's answers that mean the board's message is not there to update any more.
_GONE = frozenset({"message_not_found", "channel_not_found", "is_archived", "cant_update_message"})
NOT_A_BOARD_BUTTON = (
    "That button does not name a pod Podium put on the room board; `/workshop board` posts a "
    "fresh board."
)


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error") or "") if error.response is not None else ""


class BoardPoster:
    """The board's Slack calls through the Publisher (posts keep the DM's pace)."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        return await self._publisher.post_dm(user_id, message)

    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        try:
            # Background: the slides and what people wait for go first; a board edit waiting
            # is replaced by a newer one of the same message.
            await self._publisher.update(channel, ts, message, background=True)
        except SlackApiError as error:
            code = _error_code(error)
            if code in _GONE:
                raise BoardGone(code) from error
            pause = retry_after(error)
            if pause is not None:
                raise BoardRateLimited(pause) from error
            raise

    async def delete(self, channel: str, ts: str) -> None:
        await self._publisher.client.chat_delete(channel=channel, ts=ts)

    async def permalink(self, channel: str, ts: str) -> str | None:
        return await self._publisher.permalink(channel, ts)


async def describe_pressed(
    deps: CommandButtons,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """Describe on a stuck row: `kubectl describe pod NAME -n NS` for the presser, decided by
    their own policy (an instructor may read every participant namespace; anyone else is refused
    another person's), answered privately in the DM where the board is."""
    await ack()
    target = parse_describe_value(action.get("value"))
    if target is None:
        log.info(
            "refused a room board Describe by %s with a value Podium did not make",
            body["user"]["id"],
        )
    command = target.command if target is not None else None
    await run_for_presser(deps, command, NOT_A_BOARD_BUTTON, body, respond)


def register(app: AsyncApp, deps: CommandButtons) -> None:
    app.action(DESCRIBE_ACTION)(never_silent(partial(describe_pressed, deps)))
