"""Presenting decks in channels and browsing them privately.

State lives in the store, not in memory: every press reads the presentation from SQLite under a
per-channel lock, so quick presses move the deck exactly once each, in order, and a restarted
Podium continues where the room was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.slack.limits import MAX_SECTION_TEXT, echo_typed, fit_text
from bot.slack.text import Mrkdwn, join, mrkdwn
from bot.slack.publisher import Publisher
from bot.slack.slide_images import rejected_file_ids
from bot.messages.reply import Reply
from bot.slides.deck import Deck, search
from bot.slides.render import ControlMode, ImageRef, MissingImage, controls_for, render_message, speaker_notes_blocks
from bot.store.presentations import Browsing, Presentation, PresentationStore

log = logging.getLogger(__name__)

OPEN_ACTION = "slides_open"  # "Open privately" on a search result
MAX_SEARCH_RESULTS = 8

Blocks = list[dict[str, Any]]
T = TypeVar("T")
# What other features add to a slide shown live or privately: (blocks above the footer, buttons).
# Called with the room's channel (None when browsing without a room), the deck and slide number.
SlideExtras = Callable[[str | None, Deck, int, ControlMode], Awaitable[tuple[Blocks, Blocks]]]


async def no_extras(channel: str | None, deck: Deck, number: int, mode: ControlMode) -> tuple[Blocks, Blocks]:
    return [], []


def leads(user: str, instructors: frozenset[str], presenters: Iterable[str]) -> bool:
    """Who runs the room: the instructors when PODIUM_INSTRUCTORS names them, otherwise whoever
    presents a deck. One rule for driving the slides, releasing solutions and the board."""
    if instructors:
        return user in instructors
    return user in set(presenters)


def goto_out_of_range(number: int, slides: int) -> str:
    """`/slides goto N` past either end: say the valid range, not where the deck stands."""
    return f"There is no slide {number}: this deck has slides 1–{slides}."


class Presenter:
    def __init__(self, decks: Iterable[Deck], store: PresentationStore, publisher: Publisher,
                 instructors: frozenset[str], extras: SlideExtras = no_extras) -> None:
        self._decks = {deck.key: deck for deck in decks}
        self.extras = extras
        self._store = store
        self._publisher = publisher
        self._instructors = instructors
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def publisher(self) -> Publisher:
        return self._publisher

    @property
    def decks(self) -> Mapping[str, Deck]:
        return self._decks

    # --- the room --------------------------------------------------------------------------

    async def start(self, channel: str, user: str, deck_key: str | None) -> Reply:
        if self._instructors and user not in self._instructors:
            return Reply("Only the workshop's instructors can start a presentation. "
                         "You can page through the deck on your own with `/slides browse`.")
        deck = self._find_deck(deck_key)
        if deck is None:
            return self.list_decks(prefix=mrkdwn("There is no deck called `{}`. ", echo_typed(deck_key or "")))
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is not None:
                return Reply(mrkdwn("*{}* is already live here at slide {}, presented by <@{}>. "
                                    "Use `/slides end` first, or `/slides goto N`.",
                                    self._title(running), running.slide, running.presenter_id))
            # Every picture of the deck goes to Slack now, so Slack has processed it by its slide.
            self.prepare_images(deck)
            ts = await self._post_live(channel, deck, 1)
            await self._store.save(Presentation(channel, deck.key, 1, user, ts))
            await self._store.record_post(channel, deck.key, 1, ts)
        await self._send_notes(user, deck, 1)
        return Reply(mrkdwn("Started *{}* ({} slides). Drive it with the buttons or `/slides next`; your "
                            "speaker notes arrive in your DM with Podium.", deck.title, len(deck.slides)))

    async def move(self, channel: str, user: str, *, delta: int = 0, to: int | None = None) -> Reply | None:
        """Next/Prev (`delta`) or goto (`to`). None when the room simply sees the new slide."""
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is None:
                return Reply("No presentation is running in this channel. `/slides start` begins one.")
            if not self._may_drive(user, running):
                return Reply(mrkdwn("Only the presenter (<@{}>) drives the slides. "
                                    "Press *Browse privately* to page through them on your own.", running.presenter_id))
            deck = self._decks.get(running.deck_key)
            if deck is None:
                return Reply(mrkdwn("The deck `{}` is no longer installed; `/slides end` and start another.",
                                    running.deck_key))
            target = to if to is not None else running.slide + delta
            if to is not None and not 1 <= to <= len(deck.slides):
                return Reply(goto_out_of_range(to, len(deck.slides)))
            if not 1 <= target <= len(deck.slides):
                edge = "last" if target > len(deck.slides) else "first"
                return Reply(f"Already at the {edge} slide ({running.slide}/{len(deck.slides)}).")
            if target == running.slide and to is not None:
                return Reply(f"Slide {target} is already on screen.")
            ts = await self._post_live(channel, deck, target)
            # Saved before anything else: a crash from here on never posts this slide twice.
            await self._store.save(Presentation(channel, deck.key, target, running.presenter_id, ts))
            await self._store.record_post(channel, deck.key, target, ts)
            if running.message_ts:
                await self._drop_controls(channel, running.message_ts, deck, running.slide)
        await self._send_notes(running.presenter_id, deck, target)
        return None

    async def end(self, channel: str, user: str) -> Reply:
        async with self._lock(channel):
            running = await self._store.get(channel)
            if running is None:
                return Reply("No presentation is running in this channel.")
            if not self._may_drive(user, running):
                return Reply(mrkdwn("Only the presenter (<@{}>) can end the presentation.", running.presenter_id))
            deck = self._decks.get(running.deck_key)
            if deck is not None and running.message_ts:
                await self._drop_controls(channel, running.message_ts, deck, running.slide)
            await self._store.end(channel)
        title = self._title(running)
        await self._publisher.post(channel, {"text": mrkdwn("That's the end of *{}*. Thank you! Every slide stays "
                                                            "in this channel; `/slides browse` pages through the "
                                                            "deck any time.", title)}, first=True)
        return Reply(mrkdwn("Ended *{}*.", title))

    async def status(self, channel: str) -> Reply:
        running = await self._store.get(channel)
        if running is None:
            return Reply("No presentation is running in this channel. `/slides list` shows the decks.")
        deck = self._decks.get(running.deck_key)
        total = len(deck.slides) if deck else "?"
        title = deck.slide(running.slide).title if deck else ""
        return Reply(mrkdwn("*{}* is live: slide {}/{}{}, presented by <@{}>.", self._title(running), running.slide,
                            total, mrkdwn(" · {}", title) if title else "", running.presenter_id))

    def list_decks(self, prefix: str = "") -> Reply:
        if not self._decks:
            return Reply(mrkdwn("{}No decks are installed (Markdown files in `slides/`).", prefix))
        lines = join("\n", (mrkdwn("• `{}`: *{}*, {} slides", key, deck.title, len(deck.slides))
                            for key, deck in self._decks.items()))
        return Reply(mrkdwn("{}Decks: \n{}\n`/slides start DECK` presents one here.", prefix, lines))

    # --- on your own -----------------------------------------------------------------------

    async def browse(self, user: str, channel: str | None, *, deck_key: str | None = None,
                     slide: int | None = None) -> Reply:
        """Open a deck in the user's DM: where the room is, or where they asked."""
        running = await self._store.get(channel) if channel else None
        deck = self._find_deck(deck_key or (running.deck_key if running else None))
        if deck is None:
            return self.list_decks(prefix="Which deck? ")
        number = slide or (running.slide if running and running.deck_key == deck.key else 1)
        number = min(max(number, 1), len(deck.slides))
        room = channel if running else None
        self.prepare_images(deck)  # paging on goes to the other pictures: have them ready
        dm, ts = await self._send_slide(deck, number, ControlMode.PRIVATE, room,
                                        lambda message: self._publisher.post_dm(user, message))
        await self._store.save_browsing(Browsing(user, deck.key, number, channel if running else None, dm, ts))
        return Reply(mrkdwn("Opened *{}* at slide {} in your DM with Podium.", deck.title, number))

    async def browse_to(self, user: str, dm_channel: str, ts: str, deck_key: str, number: int) -> Reply | None:
        """◀ / ▶ in a private copy: edit that message in place."""
        deck = self._decks.get(deck_key)
        if deck is None or not 1 <= number <= len(deck.slides):
            return Reply("That slide no longer exists; `/slides browse` opens the deck again.")
        previous = await self._store.get_browsing(user)
        channel = previous.channel_id if previous else None
        await self._send_slide(deck, number, ControlMode.PRIVATE, channel,
                               lambda message: self._publisher.update(dm_channel, ts, message))
        await self._store.save_browsing(Browsing(user, deck.key, number, channel, dm_channel, ts))
        return None

    async def back_to_live(self, user: str, dm_channel: str, ts: str) -> Reply | None:
        browsing = await self._store.get_browsing(user)
        running = await self._store.get(browsing.channel_id) if browsing and browsing.channel_id else None
        if running is None:
            live = await self._store.all()
            running = live[0] if len(live) == 1 else None
        if running is None:
            return Reply("No presentation is live right now, so there is nothing to jump back to.")
        return await self._back_to(user, dm_channel, ts, running)

    async def search(self, channel: str | None, term: str) -> Reply:
        term = term.strip()
        if not term:
            return Reply("What should I look for? For example `/slides search replicaset`.")
        results = search(self._decks.values(), term)[:MAX_SEARCH_RESULTS]
        if not results:
            return Reply(mrkdwn("No slide mentions “{}”. Try another word, or `/slides browse`.", echo_typed(term)))
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": mrkdwn("Slides about “{}”:", echo_typed(term))}}]
        for deck, slide, excerpt in results:
            label = mrkdwn("{} · slide {} of {}", slide.title or "Slide", slide.number, deck.title)
            link = await self._posted_link(channel, deck, slide.number)
            # A permalink from Slack's chat.getPermalink: a URL without | or >.
            heading = mrkdwn("*<{}|{}>*", Mrkdwn(link), label) if link else mrkdwn("*{}*", label)
            blocks.append({
                "type": "section",
                "text": {"type": "mrkdwn", "text": fit_text(mrkdwn("{}\n{}", heading, excerpt), MAX_SECTION_TEXT)},
                "accessory": {"type": "button", "action_id": OPEN_ACTION, "value": f"{deck.key}:{slide.number}",
                              "text": {"type": "plain_text", "text": "Open privately"}},
            })
        return Reply(mrkdwn("{} slide{} about {}", len(results), "s" if len(results) != 1 else "", term), blocks)

    # --- helpers ---------------------------------------------------------------------------

    def _lock(self, channel: str) -> asyncio.Lock:
        return self._locks.setdefault(channel, asyncio.Lock())

    def _may_drive(self, user: str, presentation: Presentation) -> bool:
        return leads(user, self._instructors, [presentation.presenter_id])

    async def leads_workshop(self, user: str) -> bool:
        """Whether `user` may do what the instructors do outside one channel's presentation
        (release a solution, read the board): `leads` with every live presentation's presenter."""
        presenters = [] if self._instructors else [p.presenter_id for p in await self._store.all()]
        return leads(user, self._instructors, presenters)

    def _find_deck(self, key: str | None) -> Deck | None:
        if key:
            return self._decks.get(key) or next(
                (d for d in self._decks.values() if d.title.lower() == key.lower()), None)
        return next(iter(self._decks.values()), None)

    def _title(self, presentation: Presentation) -> str:
        deck = self._decks.get(presentation.deck_key)
        return deck.title if deck else presentation.deck_key

    def prepare_images(self, deck: Deck) -> None:
        """Upload the deck's pictures in the background (each once per workspace)."""
        self._publisher.images.prepare(
            (deck.image_file(image), image.alt) for slide in deck.slides for image in slide.images)

    async def close(self) -> None:
        await self._publisher.images.close()

    async def _message(self, deck: Deck, number: int, mode: ControlMode, channel: str | None,
                       refused: frozenset[str] = frozenset()) -> dict[str, Any]:
        refs: dict[str, ImageRef] = {}
        for image in deck.slide(number).images:
            ref = await self._publisher.images.ref(deck.image_file(image), image.alt)
            refs[image.path] = MissingImage() if ref is None or ref["id"] in refused else ref
        blocks, actions = ([], []) if mode is ControlMode.NONE else await self.extras(channel, deck, number, mode)
        return render_message(deck, number, image_refs=refs, controls=controls_for(mode, deck, number),
                              extra_blocks=blocks, extra_actions=actions)

    async def _send_slide(self, deck: Deck, number: int, mode: ControlMode, channel: str | None,
                          send: Callable[[dict[str, Any]], Awaitable[T]]) -> T:
        """Render a slide and send it. When Slack refuses a picture (a cached file that was
        deleted or belongs to another workspace): forget it and upload it again, once; a picture
        still refused is shown as its alt text with a note, so the slide itself is sent."""
        message = await self._message(deck, number, mode, channel)
        refused: frozenset[str] = frozenset()
        for attempt in range(3):
            try:
                return await send(message)
            except SlackApiError as error:
                data = error.response.data if isinstance(error.response.data, dict) else {}
                bad = rejected_file_ids(data, message) - refused
                if not bad or attempt == 2:
                    raise
                log.warning("Slack refused slide %d's picture(s) %s: %s", number, ", ".join(sorted(bad)),
                            "uploading again" if attempt == 0 else "showing the alt text")
                if attempt == 0:
                    await self._publisher.images.forget(bad)
                else:
                    refused |= bad
                message = await self._message(deck, number, mode, channel, refused)
                if attempt == 1:
                    await self._publisher.images.forget(bad)  # the next showing tries once more
        raise AssertionError("unreachable")

    async def _post_live(self, channel: str, deck: Deck, number: int) -> str:
        return await self._send_slide(deck, number, ControlMode.LIVE, channel,
                                      lambda message: self._publisher.post(channel, message, first=True))

    async def refresh(self, channel: str) -> None:
        """Re-render the slide on screen in place (its live content changed, e.g. new questions).
        The lock is held only to read what is on screen, never while Slack answers (a 429 makes
        chat.update wait seconds, and the instructor's next move must not wait with it)."""
        async with self._lock(channel):
            running = await self._store.get(channel)
            deck = self._decks.get(running.deck_key) if running else None
            if running is None or deck is None or not running.message_ts:
                return
        ts = running.message_ts
        # Rendered and sent outside the lock: Slack may make it wait seconds (429).
        await self._send_slide(deck, running.slide, ControlMode.LIVE, channel,
                               lambda message: self._publisher.update(channel, ts, message))
        async with self._lock(channel):
            now = await self._store.get(channel)
        if now is None or now.message_ts != ts:
            # The slide moved on while Slack was answering: the refreshed copy must not keep the
            # live buttons (the move removed them before this edit landed).
            await self._drop_controls(channel, ts, deck, running.slide)

    async def live_slide(self, channel: str) -> tuple[Deck, int] | None:
        running = await self._store.get(channel)
        deck = self._decks.get(running.deck_key) if running else None
        return (deck, running.slide) if running and deck else None

    async def _drop_controls(self, channel: str, ts: str, deck: Deck, number: int) -> None:
        """Only the slide on screen carries buttons; the one before keeps its content."""
        try:
            await self._send_slide(deck, number, ControlMode.NONE, channel,
                                   lambda message: self._publisher.update(channel, ts, message))
        except Exception as error:  # e.g. someone deleted it: the new slide matters more
            log.warning("could not remove the buttons of slide %d in %s: %s", number, channel, error)

    async def _send_notes(self, presenter: str, deck: Deck, number: int) -> None:
        blocks = speaker_notes_blocks(deck, number)
        if not blocks:  # a slide without notes: no DM at all
            return
        try:
            await self._publisher.post_dm(presenter, {"text": f"Speaker notes, slide {number}", "blocks": blocks})
        except Exception as error:  # notes are a help, never a reason to stop the room
            log.warning("could not DM speaker notes to %s: %s", presenter, error)

    async def _back_to(self, user: str, dm_channel: str, ts: str, running: Presentation) -> Reply | None:
        deck = self._decks.get(running.deck_key)
        if deck is None:
            return Reply("The live deck is not installed here.")
        await self._send_slide(deck, running.slide, ControlMode.PRIVATE, running.channel_id,
                               lambda message: self._publisher.update(dm_channel, ts, message))
        await self._store.save_browsing(Browsing(user, deck.key, running.slide, running.channel_id, dm_channel, ts))
        return None

    async def _posted_link(self, channel: str | None, deck: Deck, number: int) -> str | None:
        if not channel:
            return None
        ts = (await self._store.posts_of(channel, deck.key)).get(number)
        return await self._publisher.permalink(channel, ts) if ts else None
