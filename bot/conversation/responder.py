"""One mention or DM, from its text to what Podium answers: a kubectl Answer (rendered like
`/kubectl`'s), or a Reply from help, a text command or the slide search. No Slack here: the
listener in bot/slack/mentions.py posts the Response and sets the reactions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from bot.conversation.help import help_text
from bot.conversation.parsing import Help, Kubectl, Question, TextCommand, understand
from bot.conversation.questions import search_term
from bot.conversation.text_commands import TextCommands, is_dm
from bot.kubectl.answer import Answer
from bot.kubectl.service import KubectlService
from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.slides.rooms import SlideRooms
from bot.store.presentations import PresentationStore

log = logging.getLogger(__name__)
# A question quoted back in a "no slide answers" line: enough to recognise it, not a wall of text.
QUOTED_QUESTION = 200


@dataclass(frozen=True)
class Response:
    """Exactly one of `answer` and `reply` is set. `ok` decides ✅ or ⚠️ on the asking message;
    `offer` is a plain-words question that may go to the instructor's queue (button)."""

    answer: Answer | None = None
    reply: Reply | None = None
    ok: bool = True
    offer: str | None = None


class Responder:
    def __init__(
        self,
        kubectl: KubectlService,
        slides: SlideRooms,
        presentations: PresentationStore,
        commands: TextCommands,
        aliases: Mapping[str, str],
    ) -> None:
        self._kubectl = kubectl
        self._slides = slides
        self._presentations = presentations
        self._commands = commands
        self._aliases = aliases

    async def respond(
        self, user: str, channel: str, text: str, *, bot_user_id: str | None
    ) -> Response:
        intent = understand(
            text,
            bot_user_id=bot_user_id,
            aliases=self._aliases,
            commands=self._commands.commands.keys(),
        )
        if isinstance(intent, Kubectl):
            source = "dm" if channel.startswith("D") else "mention"
            answer = await self._kubectl.run(intent.text, user=user, channel=channel, source=source)
            return Response(answer=answer, ok=answer.ok)
        if isinstance(intent, Help):
            return Response(
                reply=Reply(
                    help_text(
                        self._aliases,
                        self._commands.commands.values(),
                        self._kubectl.policy_for(user).allowed_namespaces,
                    )
                )
            )
        if isinstance(intent, TextCommand):
            command = self._commands.commands[intent.word]
            try:
                return Response(reply=await command.handler(user, channel, intent.rest))
            except Exception:  # another feature's bug: say so with a reference, never a traceback
                reference = uuid.uuid4().hex[:8]
                log.exception("text command %r failed (ref %s)", intent.word, reference)
                return Response(
                    reply=Reply(
                        mrkdwn(
                            "Podium hit an internal error running `{}` (ref {}). Try "
                            "again, or tell the instructor the ref.",
                            intent.word,
                            reference,
                        )
                    ),
                    ok=False,
                )
        assert isinstance(intent, Question)
        return await self._question(channel, intent.text)

    async def _question(self, channel: str, question: str) -> Response:
        room = await self._room(channel)
        live = room is not None and await self._presentations.get(room) is not None
        offer = question if live and self._commands.offers_questions else None
        term = search_term(self._slides.catalogue.decks.values(), question)
        if term is None:
            ask = " or press *Ask the instructor*" if offer else ""
            return Response(
                reply=Reply(
                    mrkdwn(
                        "No slide answers “{}”. Try other words, `slides search WORD`{}; `help` lists what Podium does.",
                        question[:QUOTED_QUESTION],
                        ask,
                    )
                ),
                ok=False,
                offer=offer,
            )
        return Response(reply=await self._slides.search.search(room, term), offer=offer)

    async def _room(self, channel: str) -> str | None:
        """Where the slides to link to were posted: the channel asked in; from a DM, the one
        live room (when exactly one is live)."""
        if not is_dm(channel):
            return channel
        live = await self._presentations.all()
        return live[0].channel_id if len(live) == 1 else None
