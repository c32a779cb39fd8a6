"""The question queue of a room: asking, upvoting, answering, hiding. State in SQLite; every
question is posted in the room's questions thread so nothing asked is lost, presentation or not."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, Protocol

from bot.budgets import Budgets
from bot.messages.reply import Reply
from bot.messages.text import Mrkdwn, mrkdwn
from bot.questions.render import LONG_QUESTION, question_message, queue_blocks
from bot.slides.deck import Deck
from bot.store.presentations import PresentationStore
from bot.store.questions import Question, QuestionStore

log = logging.getLogger(__name__)


class QuestionPublisher(Protocol):
    """What the queue needs of Slack (bot.slack.publisher.Publisher is one): posting, editing,
    DMs, and the reason Slack refused a post, in words for the asker."""

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        first: bool = False,
    ) -> str: ...
    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None: ...
    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]: ...
    def refusal_reason(self, error: Exception, channel: str) -> str | None: ...


class Refreshes(Protocol):
    """Coalesced, never-awaited refreshes (bot.slack.debounce.Debouncer is one): an upvote storm
    costs Slack a few edits, not one per vote."""

    def schedule(self, key: Hashable, refresh: Callable[[], Awaitable[None]]) -> None: ...
    async def close(self) -> None: ...


class QuestionQueue:
    def __init__(
        self,
        store: QuestionStore,
        presentations: PresentationStore,
        publisher: QuestionPublisher,
        decks: Mapping[str, Deck],
        instructors: frozenset[str],
        *,
        refreshes: Refreshes,
        on_change: Callable[[str], Awaitable[None]] | None = None,
        budgets: Budgets | None = None,
    ) -> None:
        self._store = store
        # Edits of a question's message and of the live slide are coalesced per question and per
        # room, and never awaited: an upvote storm costs Slack a few edits, not one per vote.
        self.refreshes = refreshes
        self._budgets = budgets  # each question is a channel post, each upvote an edit
        self._presentations = presentations
        self._publisher = publisher
        self._decks = decks
        self._instructors = instructors
        # Called with the room after any change, so a live "Any questions?" slide can refresh.
        self._on_change = on_change

    @property
    def publisher(self) -> QuestionPublisher:
        return self._publisher

    def slide_title(self, deck_key: str | None, slide: int | None) -> str | None:
        deck = self._decks.get(deck_key or "")
        if deck is None or slide is None or not 1 <= slide <= len(deck.slides):
            return None
        return deck.slide(slide).title or None

    async def ask(self, channel: str, user: str, text: str, *, anonymous: bool) -> Reply:
        if self._budgets is not None and (slow_down := self._budgets.spend("ask", user)):
            return Reply(slow_down)
        running = await self._presentations.get(channel)
        question = await self._store.add(
            channel,
            user,
            text,
            anonymous=anonymous,
            deck_key=running.deck_key if running else None,
            slide=running.slide if running else None,
        )
        try:
            thread = await self._thread(channel, running.deck_key if running else None)
            ts = await self._publisher.post(
                channel, question_message(question, self.slide_title), thread_ts=thread
            )
        except Exception as error:
            # Not posted: no one can see, upvote or answer it, so it must not wait in /questions.
            await self._store.discard(question.id)
            if reason := self._publisher.refusal_reason(error, channel):
                return Reply(mrkdwn("Your question was not posted. {}", Mrkdwn(reason)))
            raise
        await self._store.set_message(question.id, ts)
        if running is None:  # no one is presenting: make sure the instructors hear of it
            await self._notify_instructors(channel, question)
        await self._changed(channel)
        how = " without your name" if anonymous else ""
        return Reply(
            f"Your question (Q{question.id}) is in this channel's questions thread{how}. "
            "Others can upvote it; the instructor sees the most wanted first."
        )

    async def upvote(self, question_id: int, user: str) -> Reply | None:
        if self._budgets is not None and (slow_down := self._budgets.spend("upvote", user)):
            return Reply(slow_down)
        question = await self._store.get(question_id)
        if question is None or question.status != "open":
            return Reply("That question is closed.")
        if not await self._store.vote(question_id, user):
            return Reply(f"You have already upvoted Q{question_id}.")
        await self._refresh_message(question_id)
        await self._changed(question.channel_id)
        return None

    async def queue(self, channel: str, user: str) -> Reply:
        if not await self._may_moderate(channel, user):
            return Reply("`/questions` is for the instructors. Ask your own with `/ask`.")
        questions = await self._store.open_questions(channel)
        return Reply(
            f"{len(questions)} open question{'s' if len(questions) != 1 else ''}",
            queue_blocks(questions, self.slide_title),
        )

    async def close(self, question_id: int, user: str, status: str) -> Reply:
        """Mark answered or hide; returns the refreshed queue for the instructor."""
        question = await self._store.get(question_id)
        if question is None:
            return Reply("That question no longer exists.")
        if not await self._may_moderate(question.channel_id, user):
            return Reply("Only the instructors can answer or hide questions.")
        await self._store.set_status(question_id, status)
        await self._refresh_message(question_id)
        await self._changed(question.channel_id)
        return await self.queue(question.channel_id, user)

    async def top(self, channel: str, limit: int = 5) -> list[Question]:
        return await self._store.open_questions(channel, limit)

    async def _may_moderate(self, channel: str, user: str) -> bool:
        if self._instructors:
            return user in self._instructors
        running = await self._presentations.get(channel)
        # Without configured instructors, the presenter moderates; with no presentation, anyone.
        return running is None or running.presenter_id == user

    async def _thread(self, channel: str, deck_key: str | None) -> str:
        ts = await self._store.thread(channel)
        if ts is None:
            deck = self._decks.get(deck_key or "")
            title = mrkdwn(" for *{}*", deck.title) if deck else ""
            ts = await self._publisher.post(
                channel,
                {
                    "text": mrkdwn(
                        ":raising_hand: Questions{}. Ask with `/ask …` (add `--anon` to leave your name out) "
                        "or the *Ask a question* button; upvote what you want answered too.",
                        title,
                    )
                },
            )
            await self._store.save_thread(channel, ts)
        return ts

    async def _refresh_message(self, question_id: int) -> None:
        self.refreshes.schedule(
            ("question", question_id), lambda: self._update_message(question_id)
        )

    async def _update_message(self, question_id: int) -> None:
        question = await self._store.get(question_id)
        if question and question.message_ts:
            await self._publisher.update(
                question.channel_id,
                question.message_ts,
                question_message(question, self.slide_title),
            )

    async def _notify_instructors(self, channel: str, question: Question) -> None:
        for instructor in sorted(self._instructors):
            try:
                await self._publisher.post_dm(
                    instructor,
                    {
                        "text": mrkdwn(
                            "New question in <#{}> while no presentation runs (Q{}): {}\n`/questions` in that channel "
                            "lists them all.",
                            channel,
                            question.id,
                            question.text[:LONG_QUESTION],
                        )
                    },
                )
            except Exception as error:  # noqa: BLE001 — the thread still has it
                log.warning(
                    "could not tell %s about question %d: %s", instructor, question.id, error
                )

    async def _changed(self, channel: str) -> None:
        on_change = self._on_change
        if on_change is not None:
            self.refreshes.schedule(("room", channel), lambda: on_change(channel))
