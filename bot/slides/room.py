"""Presenting a deck in a channel: start, move, end, status, refreshing the slide on screen and
the presenter's speaker notes.

State lives in the store, not in memory: every press reads the presentation from SQLite under a
per-channel lock, so quick presses move the deck exactly once each, in order, and a restarted
Podium continues where the room was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.messages.limits import echo_typed
from bot.messages.reply import Reply
from bot.messages.text import join, mrkdwn
from bot.slides.catalogue import DeckCatalogue
from bot.slides.deck import Deck
from bot.slides.ports import SlidePublisher
from bot.slides.render import ControlMode
from bot.slides.showing import SlideSender
from bot.store.presentations import Presentation, PresentationStore


def leads(user: str, instructors: frozenset[str], presenters: Iterable[str]) -> bool:
    """Who runs the room: the instructors when PODIUM_INSTRUCTORS names them, otherwise whoever
    presents a deck. One rule for driving the slides, releasing solutions and the board."""
    if instructors:
        return user in instructors
    return user in set(presenters)


def goto_out_of_range(number: int, slides: int) -> str:
    """`/slides goto N` past either end: say the valid range, not where the deck stands."""
    return f"There is no slide {number}: this deck has slides 1–{slides}."


class PresentingRoom:
    def __init__(
        self,
        catalogue: DeckCatalogue,
        store: PresentationStore,
        sender: SlideSender,
        publisher: SlidePublisher,
        instructors: frozenset[str],
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._sender = sender
        self._publisher = publisher
        self._instructors = instructors
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self, channel: str, user: str, deck_key: str | None) -> Reply:
        if self._instructors and user not in self._instructors:
            return Reply(
                "Only the workshop's instructors can start a presentation. "
                "You can page through the deck on your own with `/slides browse`."
            )
        deck = self._catalogue.find(deck_key)
        if deck is None:
            return self._catalogue.list_decks(
                prefix=mrkdwn("There is no deck called `{}`. ", echo_typed(deck_key or ""))
            )
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is not None:
                return Reply(
                    mrkdwn(
                        "*{}* is already live here at slide {}, presented by <@{}>. "
                        "Use `/slides end` first, or `/slides goto N`.",
                        self._catalogue.title_of(running.deck_key),
                        running.slide,
                        running.presenter_id,
                    )
                )
            # Every picture of the deck goes to Slack now, so Slack has processed it by its slide.
            self._sender.prepare_images(deck)
            ts = await self._sender.post_live(channel, deck, 1)
            await self._store.save(Presentation(channel, deck.key, 1, user, ts))
            await self._store.record_post(channel, deck.key, 1, ts)
        await self._sender.send_notes(user, deck, 1)
        return Reply(
            mrkdwn(
                "Started *{}* ({} slides). Drive it with the buttons or `/slides next`; your "
                "speaker notes arrive in your DM with Podium.",
                deck.title,
                len(deck.slides),
            )
        )

    async def move(
        self, channel: str, user: str, *, delta: int = 0, to: int | None = None
    ) -> Reply | None:
        """Next/Prev (`delta`) or goto (`to`). None when the room simply sees the new slide."""
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is None:
                return Reply(
                    "No presentation is running in this channel. `/slides start` begins one."
                )
            if not self._may_drive(user, running):
                return Reply(
                    mrkdwn(
                        "Only the presenter (<@{}>) drives the slides. "
                        "Press *Browse privately* to page through them on your own.",
                        running.presenter_id,
                    )
                )
            deck = self._catalogue.get(running.deck_key)
            if deck is None:
                return Reply(
                    mrkdwn(
                        "The deck `{}` is no longer installed; `/slides end` and start another.",
                        running.deck_key,
                    )
                )
            refusal = _refuse_target(running.slide, len(deck.slides), delta=delta, to=to)
            if refusal is not None:
                return refusal
            target = to if to is not None else running.slide + delta
            ts = await self._sender.post_live(channel, deck, target)
            # Saved before anything else: a crash from here on never posts this slide twice.
            await self._store.save(
                Presentation(channel, deck.key, target, running.presenter_id, ts)
            )
            await self._store.record_post(channel, deck.key, target, ts)
            if running.message_ts:
                await self._sender.drop_controls(channel, running.message_ts, deck, running.slide)
        await self._sender.send_notes(running.presenter_id, deck, target)
        return None

    async def end(self, channel: str, user: str) -> Reply:
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is None:
                return Reply("No presentation is running in this channel.")
            if not self._may_drive(user, running):
                return Reply(
                    mrkdwn(
                        "Only the presenter (<@{}>) can end the presentation.", running.presenter_id
                    )
                )
            deck = self._catalogue.get(running.deck_key)
            if deck is not None and running.message_ts:
                await self._sender.drop_controls(channel, running.message_ts, deck, running.slide)
            await self._store.end(channel)
        title = self._catalogue.title_of(running.deck_key)
        await self._publisher.post(
            channel,
            {
                "text": mrkdwn(
                    "That's the end of *{}*. Thank you! Every slide stays "
                    "in this channel; `/slides browse` pages through the "
                    "deck any time.",
                    title,
                )
            },
            first=True,
        )
        return Reply(mrkdwn("Ended *{}*.", title))

    async def status(self, channel: str) -> Reply:
        running = await self._store.get(channel)
        if running is None:
            return Reply(
                "No presentation is running in this channel. `/slides list` shows the decks."
            )
        deck = self._catalogue.get(running.deck_key)
        total = len(deck.slides) if deck else "?"
        title = deck.slide(running.slide).title if deck else ""
        return Reply(
            mrkdwn(
                "*{}* is live: slide {}/{}{}, presented by <@{}>.",
                self._catalogue.title_of(running.deck_key),
                running.slide,
                total,
                mrkdwn(" · {}", title) if title else "",
                running.presenter_id,
            )
        )

    async def status_everywhere(self) -> Reply:
        """From a DM, where no one room is meant: every live room."""
        live = await self._store.all()
        if not live:
            return Reply("No presentation is live right now. `slides list` shows the decks.")
        lines = [
            mrkdwn(
                "• <#{}>: *{}*, slide {}",
                presentation.channel_id,
                self._catalogue.title_of(presentation.deck_key),
                presentation.slide,
            )
            for presentation in live
        ]
        return Reply(mrkdwn("Live now:\n{}", join("\n", lines)))

    async def only_live_room(self) -> str | None:
        """The channel presenting, when exactly one is (what a DM means by "the room")."""
        live = await self._store.all()
        return live[0].channel_id if len(live) == 1 else None

    async def leads_workshop(self, user: str) -> bool:
        """Whether `user` may do what the instructors do outside one channel's presentation
        (release a solution, read the board): `leads` with every live presentation's presenter."""
        presenters = [] if self._instructors else [p.presenter_id for p in await self._store.all()]
        return leads(user, self._instructors, presenters)

    async def live_slide(self, channel: str) -> tuple[Deck, int] | None:
        running = await self._store.get(channel)
        deck = self._catalogue.get(running.deck_key) if running else None
        return (deck, running.slide) if running and deck else None

    async def refresh(self, channel: str) -> None:
        """Re-render the slide on screen in place (its live content changed, e.g. new questions).
        The lock is held only to read what is on screen, never while Slack answers (a 429 makes
        chat.update wait seconds, and the instructor's next move must not wait with it)."""
        async with self._lock(channel):
            running = await self._store.get(channel)
            deck = self._catalogue.get(running.deck_key) if running else None
            if running is None or deck is None or not running.message_ts:
                return
        ts = running.message_ts
        # Rendered and sent outside the lock: Slack may make it wait seconds (429).
        await self._sender.edit(channel, ts, deck, running.slide, ControlMode.LIVE, channel)
        async with self._lock(channel):
            now = await self._store.get(channel)
        if now is None or now.message_ts != ts:
            # The slide moved on while Slack was answering: the refreshed copy must not keep the
            # live buttons (the move removed them before this edit landed).
            await self._sender.drop_controls(channel, ts, deck, running.slide)

    def _lock(self, channel: str) -> asyncio.Lock:
        return self._locks.setdefault(channel, asyncio.Lock())

    def _may_drive(self, user: str, presentation: Presentation) -> bool:
        return leads(user, self._instructors, [presentation.presenter_id])


def _refuse_target(current: int, slides: int, *, delta: int, to: int | None) -> Reply | None:
    """Why a move cannot go where it was asked, or None when it can."""
    target = to if to is not None else current + delta
    if to is not None and not 1 <= to <= slides:
        return Reply(goto_out_of_range(to, slides))
    if not 1 <= target <= slides:
        edge = "last" if target > slides else "first"
        return Reply(f"Already at the {edge} slide ({current}/{slides}).")
    if target == current and to is not None:
        return Reply(f"Slide {target} is already on screen.")
    return None
