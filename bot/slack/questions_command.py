"""`/ask`, `/questions` and the question buttons. Listeners ack, then hand over to the queue; they
are registered in one place, `register`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.questions.queue import QuestionQueue
from bot.questions.render import (
    ANSWERED_ACTION,
    ASK_ACTION,
    ASK_DIALOG,
    HIDE_ACTION,
    MAX_QUESTION,
    OFFER_ACTION,
    UPVOTE_ACTION,
    AskError,
    ask_dialog,
    parse_ask,
)
from bot.slack.failures import never_silent
from bot.slack.places import is_membership_error
from bot.store.presentations import PresentationStore

ASK_COMMAND = "/ask"
QUESTIONS_COMMAND = "/questions"


async def _answer(respond: AsyncRespond, reply: Reply | None, *, replace: bool = False) -> None:
    if reply is not None:
        await respond(response_type="ephemeral", replace_original=replace, **reply.message())


def _channel(body: dict[str, Any]) -> str:
    return str(
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or ""
    )


@dataclass(frozen=True)
class QuestionsListeners:
    """What the question listeners need."""

    queue: QuestionQueue
    presentations: PresentationStore  # which room a question asked in a DM belongs to

    async def room_for(self, channel: str) -> str | None:
        """Questions asked in a DM go to the one live room, if there is exactly one."""
        if not channel.startswith("D"):
            return channel
        live = await self.presentations.all()
        return live[0].channel_id if len(live) == 1 else None


async def ask_command(
    deps: QuestionsListeners, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    parsed = parse_ask(command.get("text") or "")
    if isinstance(parsed, AskError):
        await _answer(respond, Reply(parsed.message))
        return
    room = await deps.room_for(command["channel_id"])
    if room is None:
        await _answer(
            respond, Reply("Ask in the workshop channel, so the question reaches its instructors.")
        )
        return
    await _answer(
        respond,
        await deps.queue.ask(room, command["user_id"], parsed.text, anonymous=parsed.anonymous),
    )


async def questions_command(
    deps: QuestionsListeners, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    await _answer(respond, await deps.queue.queue(command["channel_id"], command["user_id"]))


async def upvote(
    deps: QuestionsListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    await _answer(respond, await deps.queue.upvote(int(action["value"]), body["user"]["id"]))


async def close_question(
    deps: QuestionsListeners,
    status: str,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """Answered or Hide pressed on a question: the queue decides who may close it."""
    await ack()
    await _answer(
        respond,
        await deps.queue.close(int(action["value"]), body["user"]["id"], status),
        replace=True,
    )


async def open_ask_dialog(
    deps: QuestionsListeners, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
) -> None:
    await ack()
    view = ask_dialog()
    view["private_metadata"] = _channel(body)  # the room the question belongs to
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def ask_dialog_submitted(
    deps: QuestionsListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    values = view["state"]["values"]
    parsed = parse_ask(values["question"]["text"].get("value") or "")
    if isinstance(parsed, AskError):
        await ack(response_action="errors", errors={"question": parsed.message})
        return
    await ack()
    anonymous = bool((values.get("anonymous", {}).get("anon", {}) or {}).get("selected_options"))
    user = body["user"]["id"]
    room = await deps.room_for(view.get("private_metadata") or "")
    if room is None:
        await deps.queue.publisher.post_dm(
            user, {"text": "Ask in the workshop channel, so the question reaches its instructors."}
        )
        return
    reply = await deps.queue.ask(room, user, parsed.text, anonymous=anonymous)
    try:
        await client.chat_postEphemeral(channel=room, user=user, text=reply.text)
    except SlackApiError as error:
        # The question may well be posted (a public channel Podium has not joined takes posts
        # but not private notes): say what happened in the asker's DM, never "it failed".
        if not is_membership_error(str(error.response.get("error") or "")):
            raise
        await deps.queue.publisher.post_dm(user, {"text": reply.text})


async def offer_to_instructor(
    deps: QuestionsListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """A question asked in plain words, passed on to the instructor's queue."""
    await ack()
    question = action.get("value") or ""
    shortened = len(question) > MAX_QUESTION  # asked in plain words, so never checked for length
    if shortened:
        question = question[: MAX_QUESTION - 1].rstrip() + "…"
    parsed = parse_ask(question)
    room = await deps.room_for(_channel(body))
    if isinstance(parsed, AskError) or room is None:
        await _answer(respond, Reply("Ask it with `/ask` in the workshop channel."))
        return
    reply = await deps.queue.ask(room, body["user"]["id"], parsed.text, anonymous=False)
    if shortened:
        reply = Reply(
            mrkdwn(
                "{} It was long: the instructor sees its first {:,} characters.",
                reply.text,
                MAX_QUESTION,
            ),
            reply.blocks,
        )
    await _answer(respond, reply)


def register(app: AsyncApp, deps: QuestionsListeners) -> None:
    app.command(ASK_COMMAND)(never_silent(partial(ask_command, deps)))
    app.command(QUESTIONS_COMMAND)(never_silent(partial(questions_command, deps)))
    app.action(UPVOTE_ACTION)(never_silent(partial(upvote, deps)))
    app.action(ANSWERED_ACTION)(never_silent(partial(close_question, deps, "answered")))
    app.action(HIDE_ACTION)(never_silent(partial(close_question, deps, "hidden")))
    app.action(ASK_ACTION)(never_silent(partial(open_ask_dialog, deps)))
    app.view(ASK_DIALOG)(never_silent(partial(ask_dialog_submitted, deps)))
    app.action(OFFER_ACTION)(never_silent(partial(offer_to_instructor, deps)))
