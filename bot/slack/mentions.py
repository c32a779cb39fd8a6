"""@Podium in channels and threads, and the DM with Podium. Listeners stay thin: drop what is
not a person asking, claim the event (Slack redelivers), mark the message 👀, hand the text to
the Responder, post its answer in the thread or DM, then mark the message ✅ or ⚠️."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.conversation.aliases import aliases_from_settings
from bot.conversation.events import (
    Kind,
    attached_files_only,
    command_key,
    event_key,
    reply_thread,
    should_answer,
)
from bot.conversation.responder import Responder, Response
from bot.conversation.slides import slides_text_command
from bot.conversation.text_commands import TextCommands, is_dm
from bot.kubectl.service import KubectlService
from bot.messages.limits import MAX_BUTTON_VALUE
from bot.messages.reply import Reply
from bot.settings import Settings
from bot.slack import home
from bot.slack.failures import failure_line
from bot.slack.kubectl_command import KubectlDelivery
from bot.slack.publisher import Publisher
from bot.slides.rooms import SlideRooms
from bot.store import Database
from bot.store.events import ProcessedEvents
from bot.store.presentations import PresentationStore

log = logging.getLogger(__name__)

WORKING, DONE, FAILED = "eyes", "white_check_mark", "warning"
FILES_ONLY = (
    "Podium reads what you type, not attached files: write the command or question in the message "
    "(`get pods`, `logs deploy/nginx`; `help` lists them)."
)
OFFER_ACTION = (
    "questions_offer"  # handled by the questions feature (see TextCommands.offer_questions)
)


def offer_button(question: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OFFER_ACTION,
                "value": question[:MAX_BUTTON_VALUE],
                "text": {"type": "plain_text", "text": "Ask the instructor"},
            }
        ],
    }


class ConversationReplies:
    """Posts Responses where the question was asked, and shows progress as reactions."""

    def __init__(self, publisher: Publisher, delivery: KubectlDelivery) -> None:
        self._publisher = publisher  # every post keeps the channel's pace, behind the slides
        self._client = publisher.client
        self._delivery = delivery

    async def post(
        self, response: Response, *, user: str, channel: str, thread_ts: str | None
    ) -> None:
        if response.answer is not None:
            # Same rendering as /kubectl's Share in channel; long output as a snippet in the thread.
            await self._delivery.share(
                response.answer, user_id=user, channel_id=channel, thread_ts=thread_ts
            )
            return
        assert response.reply is not None
        message = response.reply.message()
        if response.reply.private and not is_dm(channel):
            # Only for the asker (e.g. "sent to your DM"): an ephemeral message in the thread.
            options: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
            await self._client.chat_postEphemeral(channel=channel, user=user, **message, **options)
            return
        if response.offer:
            blocks = list(
                message.get("blocks")
                or [{"type": "section", "text": {"type": "mrkdwn", "text": message["text"]}}]
            )
            message["blocks"] = [*blocks, offer_button(response.offer)]
        await self._publisher.post(channel, {"unfurl_links": False, **message}, thread_ts=thread_ts)

    async def tell(self, channel: str, thread_ts: str, text: str) -> None:
        await self._publisher.post(channel, {"text": text}, thread_ts=thread_ts)

    async def react(self, channel: str, ts: str, name: str, *, remove: bool = False) -> None:
        """Reactions are a courtesy: a failure (no scope yet, message deleted) never stops the answer."""
        try:
            if remove:
                await self._client.reactions_remove(channel=channel, timestamp=ts, name=name)
            else:
                await self._client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as error:
            log.info("reaction %s on %s/%s: %s", name, channel, ts, error.response.get("error"))


@dataclass(frozen=True)
class MentionListeners:
    """What the @mention and DM listeners need."""

    responder: Responder  # text → Response
    replies: ConversationReplies  # the Response posted, the progress shown as reactions
    processed: ProcessedEvents  # Slack redelivers: each event answered once


async def answer(
    deps: MentionListeners,
    kind: Kind,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
) -> None:
    if not should_answer(event, kind=kind, bot_user_id=context.bot_user_id):
        return
    if not await deps.processed.claim(event_key(body)):
        return  # a redelivery (retry, restart, second replica): answered already
    if not await deps.processed.claim(command_key(event, bot_user_id=context.bot_user_id)):
        log.info("not answering %s again: edited, but the command is the same", event.get("ts"))
        return  # an edited mention whose command did not change: answered already
    channel, ts, user = str(event["channel"]), str(event["ts"]), str(event["user"])
    thread = reply_thread(event, kind=kind)
    await deps.replies.react(channel, ts, WORKING)
    ok = False
    try:
        if attached_files_only(event, bot_user_id=context.bot_user_id):
            response = Response(reply=Reply(FILES_ONLY), ok=False)
        else:
            response = await deps.responder.respond(
                user, channel, str(event.get("text") or ""), bot_user_id=context.bot_user_id
            )
        await deps.replies.post(response, user=user, channel=channel, thread_ts=thread)
        ok = response.ok
    except Exception as error:  # never silence: the asker sees ⚠️, why, and a reference to quote
        reference = uuid.uuid4().hex[:8]
        log.exception("answering %s in %s failed (ref %s)", ts, channel, reference)
        try:
            await deps.replies.tell(channel, thread or ts, failure_line(error, reference, channel))
        except SlackApiError:
            log.warning("could not tell %s about ref %s", user, reference)
    await deps.replies.react(channel, ts, WORKING, remove=True)
    await deps.replies.react(channel, ts, DONE if ok else FAILED)


async def mentioned(
    deps: MentionListeners, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    await answer(deps, "mention", body, event, context)


async def direct_message(
    deps: MentionListeners, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    # Only message.im is subscribed; channel messages and edits are dropped by should_answer.
    await answer(deps, "dm", body, event, context)


def register(
    app: AsyncApp,
    settings: Settings,
    kubectl: KubectlService,
    delivery: KubectlDelivery,
    slides: SlideRooms,
    presentations: PresentationStore,
    publisher: Publisher,
    commands: TextCommands,
    database: Database,
) -> None:
    """Mentions, DMs and the App Home. Registers the `slides` text command on `commands`."""
    aliases: Mapping[str, str] = aliases_from_settings(settings)
    commands.register(
        "slides",
        slides_text_command(slides),
        usage="slides search etcd",
        summary="find slides; also browse, status, list",
    )
    deps = MentionListeners(
        Responder(kubectl, slides, presentations, commands, aliases),
        ConversationReplies(publisher, delivery),
        ProcessedEvents(database),
    )
    app.event("app_mention")(partial(mentioned, deps))
    app.event("message")(partial(direct_message, deps))
    home.register(
        app,
        decks=slides.catalogue.decks,
        presentations=presentations,
        commands=commands,
        aliases=aliases,
        namespaces=lambda user_id: kubectl.policy_for(user_id).allowed_namespaces,
        access=settings.access_enabled,
    )
