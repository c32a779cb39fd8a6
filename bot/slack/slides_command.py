"""`/slides` and the buttons on slides. Listeners ack, then hand over to the Presenter."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.kubectl.grammar import in_namespace
from bot.kubectl.service import KubectlService
from bot.slack.failures import never_silent
from bot.slack.kubectl_command import KubectlDelivery
from bot.slides.grammar import USAGE, SlidesUsageError, parse_slides_command
from bot.slack.text import mrkdwn
from bot.messages.reply import Reply
from bot.slides.presenter import OPEN_ACTION, Presenter
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

COMMAND = "/slides"


async def _answer(respond: AsyncRespond, reply: Reply | None) -> None:
    """A private answer to the person who pressed or typed; nothing changes for the room."""
    if reply is not None:
        await respond(response_type="ephemeral", replace_original=False, **reply.message())


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, message ts) of the message whose button was pressed."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    return str(channel), str(ts)


def deck_commands(presenter: Presenter) -> frozenset[str]:
    """Every command a Run in sandbox button may carry: those written on the decks' slides."""
    return frozenset(command for deck in presenter.decks.values() for slide in deck.slides
                     for command in slide.commands)


def exercise_commands(presenter: Presenter) -> frozenset[str]:
    """Commands written only on exercise slides: about each participant's own work."""
    on_exercises = {c for deck in presenter.decks.values() for slide in deck.slides
                    if slide.exercise is not None for c in slide.commands}
    elsewhere = {c for deck in presenter.decks.values() for slide in deck.slides
                 if slide.exercise is None for c in slide.commands}
    return frozenset(on_exercises - elsewhere)


def register(app: AsyncApp, presenter: Presenter, kubectl: KubectlService, delivery: KubectlDelivery) -> None:
    @app.command(COMMAND)
    @never_silent
    async def slides_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        user, channel = command["user_id"], command["channel_id"]
        parsed = parse_slides_command(command.get("text") or "")
        if isinstance(parsed, SlidesUsageError):
            await _answer(respond, Reply(mrkdwn("{}\n{}", parsed.message, USAGE)))
            return
        reply: Reply | None
        if parsed.action == "help":
            reply = Reply(USAGE)
        elif parsed.action == "start":
            reply = await presenter.start(channel, user, parsed.deck)
        elif parsed.action in ("next", "prev"):
            reply = await presenter.move(channel, user, delta=1 if parsed.action == "next" else -1)
            reply = reply or Reply("Moved. The slide is in the channel.")
        elif parsed.action == "goto":
            reply = await presenter.move(channel, user, to=parsed.number)
            reply = reply or Reply(f"Slide {parsed.number} is on screen.")
        elif parsed.action == "end":
            reply = await presenter.end(channel, user)
        elif parsed.action == "status":
            reply = await presenter.status(channel)
        elif parsed.action == "list":
            reply = presenter.list_decks()
        elif parsed.action == "browse":
            reply = await presenter.browse(user, channel, deck_key=parsed.deck, slide=parsed.number)
        else:
            reply = await presenter.search(channel, parsed.term)
        await _answer(respond, reply)

    @app.action(NEXT_ACTION)
    @never_silent
    async def next_slide(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await _answer(respond, await presenter.move(_where(body)[0], body["user"]["id"], delta=1))

    @app.action(PREV_ACTION)
    @never_silent
    async def previous_slide(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await _answer(respond, await presenter.move(_where(body)[0], body["user"]["id"], delta=-1))

    @app.action(BROWSE_ACTION)
    @never_silent
    async def browse_privately(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await _answer(respond, await presenter.browse(body["user"]["id"], _where(body)[0]))

    @app.action(OPEN_ACTION)
    @never_silent
    async def open_privately(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                             respond: AsyncRespond) -> None:
        await ack()
        target = parse_slide_value(action.get("value") or "")
        deck, number = target if target else (None, None)
        await _answer(respond, await presenter.browse(body["user"]["id"], None, deck_key=deck, slide=number))

    @app.action(re.compile(f"^({PRIVATE_PREV_ACTION}|{PRIVATE_NEXT_ACTION})$"))
    @never_silent
    async def private_move(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                           respond: AsyncRespond) -> None:
        await ack()
        target = parse_slide_value(action.get("value") or "")
        if target is None:
            await _answer(respond, Reply("That button no longer works; `/slides browse` opens the deck again."))
            return
        channel, ts = _where(body)
        await _answer(respond, await presenter.browse_to(body["user"]["id"], channel, ts, *target))

    @app.action(BACK_TO_LIVE_ACTION)
    @never_silent
    async def back_to_live(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        channel, ts = _where(body)
        await _answer(respond, await presenter.back_to_live(body["user"]["id"], channel, ts))

    @app.action(re.compile(f"^{RUN_ACTION}:\\d+$"))
    @never_silent
    async def run_in_sandbox(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                             respond: AsyncRespond) -> None:
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
        exercise_only = exercise_commands(presenter)
        if command not in deck_commands(presenter):
            await _answer(respond, Reply("That button does not carry a command from the slides, so nothing ran. "
                                         "Type it with `/kubectl` instead."))
            return
        own = kubectl.own_namespace(user) if command in exercise_only else None
        text = in_namespace(command, own) if own else command
        answer = await kubectl.run(text, user=user, channel=channel, source="button", budget="run")
        await delivery.reply_privately(answer, text=text, user_id=user, respond=respond,
                                       thread_ts=ts if ts and ts != "None" else None, snippets=False)
