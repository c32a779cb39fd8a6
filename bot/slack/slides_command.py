"""`/slides` and the buttons on slides. Listeners ack, hand over to the slides' rooms, and answer
the person privately; they are registered in one place, `register`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.kubectl.grammar import in_namespace
from bot.kubectl.service import KubectlService
from bot.messages.reply import Reply
from bot.slack.failures import never_silent
from bot.slack.kubectl_command import KubectlDelivery
from bot.slides.dispatch import answer_slides
from bot.slides.render import (
    BACK_TO_LIVE_ACTION,
    BROWSE_ACTION,
    NEXT_ACTION,
    PREV_ACTION,
    PRIVATE_NEXT_ACTION,
    PRIVATE_PREV_ACTION,
    RUN_ACTION,
    parse_slide_value,
)
from bot.slides.rooms import SlideRooms
from bot.slides.searching import OPEN_ACTION

COMMAND = "/slides"


@dataclass(frozen=True)
class SlidesListeners:
    """What the `/slides` listeners need."""

    rooms: SlideRooms
    kubectl: KubectlService  # ▶ Run in sandbox
    delivery: KubectlDelivery  # its private answer and Share button


async def _answer(respond: AsyncRespond, reply: Reply | None) -> None:
    """A private answer to the person who pressed or typed; nothing changes for the room."""
    if reply is not None:
        await respond(response_type="ephemeral", replace_original=False, **reply.message())


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, message ts) of the message whose button was pressed."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    return str(channel), str(ts)


async def slides_command(
    deps: SlidesListeners, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    text = command.get("text") or ""
    await _answer(
        respond,
        await answer_slides(
            deps.rooms, text, command["user_id"], command["channel_id"], in_dm=False
        ),
    )


async def next_slide(
    deps: SlidesListeners, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    await _answer(respond, await deps.rooms.room.move(_where(body)[0], body["user"]["id"], delta=1))


async def previous_slide(
    deps: SlidesListeners, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    await _answer(
        respond, await deps.rooms.room.move(_where(body)[0], body["user"]["id"], delta=-1)
    )


async def browse_privately(
    deps: SlidesListeners, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    await _answer(respond, await deps.rooms.browsing.browse(body["user"]["id"], _where(body)[0]))


async def open_privately(
    deps: SlidesListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    target = parse_slide_value(action.get("value") or "")
    deck, number = target or (None, None)
    await _answer(
        respond,
        await deps.rooms.browsing.browse(body["user"]["id"], None, deck_key=deck, slide=number),
    )


async def private_move(
    deps: SlidesListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    target = parse_slide_value(action.get("value") or "")
    if target is None:
        await _answer(
            respond, Reply("That button no longer works; `/slides browse` opens the deck again.")
        )
        return
    channel, ts = _where(body)
    await _answer(
        respond, await deps.rooms.browsing.browse_to(body["user"]["id"], channel, ts, *target)
    )


async def back_to_live(
    deps: SlidesListeners, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    channel, ts = _where(body)
    await _answer(respond, await deps.rooms.browsing.back_to_live(body["user"]["id"], channel, ts))


async def run_in_sandbox(
    deps: SlidesListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """Run a slide's command and answer the presser privately, with a Share button into the
    slide's thread: a room pressing ▶ Run at once gets one answer each and posts nothing in
    the channel (identical reads within the freshness window are one cluster read and one
    rendering). The value comes back from the client: only a command written on a slide is
    run (no signature needed, the decks are the allow-list). On an exercise slide the command
    is about the presser's own work: without `-n` it runs in their participant namespace."""
    await ack()
    channel, ts = _where(body)
    user = body["user"]["id"]
    command = action.get("value") or ""
    catalogue = deps.rooms.catalogue
    if command not in catalogue.commands():
        await _answer(
            respond,
            Reply(
                "That button does not carry a command from the slides, so nothing ran. "
                "Type it with `/kubectl` instead."
            ),
        )
        return
    own = deps.kubectl.own_namespace(user) if command in catalogue.exercise_commands() else None
    text = in_namespace(command, own) if own else command
    answer = await deps.kubectl.run(text, user=user, channel=channel, source="button", budget="run")
    await deps.delivery.reply_privately(
        answer,
        text=text,
        user_id=user,
        respond=respond,
        thread_ts=ts if ts and ts != "None" else None,
        snippets=False,
    )


def register(app: AsyncApp, deps: SlidesListeners) -> None:
    app.command(COMMAND)(never_silent(partial(slides_command, deps)))
    app.action(NEXT_ACTION)(never_silent(partial(next_slide, deps)))
    app.action(PREV_ACTION)(never_silent(partial(previous_slide, deps)))
    app.action(BROWSE_ACTION)(never_silent(partial(browse_privately, deps)))
    app.action(OPEN_ACTION)(never_silent(partial(open_privately, deps)))
    app.action(re.compile(f"^({PRIVATE_PREV_ACTION}|{PRIVATE_NEXT_ACTION})$"))(
        never_silent(partial(private_move, deps))
    )
    app.action(BACK_TO_LIVE_ACTION)(never_silent(partial(back_to_live, deps)))
    app.action(re.compile(f"^{RUN_ACTION}:\\d+$"))(never_silent(partial(run_in_sandbox, deps)))
