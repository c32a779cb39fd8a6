"""Paging through a deck on your own, in your DM with Podium: open it where the room is (or where
you asked), ◀ / ▶ edit that copy in place, "Back to live" jumps to the slide on screen."""

from __future__ import annotations

from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.slides.catalogue import DeckCatalogue
from bot.slides.render import ControlMode
from bot.slides.showing import SlideSender
from bot.store.presentations import Browsing, Presentation, PresentationStore


class PrivateBrowsing:
    def __init__(
        self, catalogue: DeckCatalogue, store: PresentationStore, sender: SlideSender
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._sender = sender

    async def browse(
        self,
        user: str,
        channel: str | None,
        *,
        deck_key: str | None = None,
        slide: int | None = None,
    ) -> Reply:
        """Open a deck in the user's DM: where the room is, or where they asked."""
        running = await self._store.get(channel) if channel else None
        deck = self._catalogue.find(deck_key or (running.deck_key if running else None))
        if deck is None:
            return self._catalogue.list_decks(prefix="Which deck? ")
        number = slide or (running.slide if running and running.deck_key == deck.key else 1)
        number = min(max(number, 1), len(deck.slides))
        room = channel if running else None
        self._sender.prepare_images(deck)  # paging on goes to the other pictures: have them ready
        dm, ts = await self._sender.post_private(user, deck, number, room)
        await self._store.save_browsing(Browsing(user, deck.key, number, room, dm, ts))
        return Reply(mrkdwn("Opened *{}* at slide {} in your DM with Podium.", deck.title, number))

    async def browse_to(
        self, user: str, dm_channel: str, ts: str, deck_key: str, number: int
    ) -> Reply | None:
        """◀ / ▶ in a private copy: edit that message in place."""
        deck = self._catalogue.get(deck_key)
        if deck is None or not 1 <= number <= len(deck.slides):
            return Reply("That slide no longer exists; `/slides browse` opens the deck again.")
        previous = await self._store.get_browsing(user)
        channel = previous.channel_id if previous else None
        await self._sender.edit(dm_channel, ts, deck, number, ControlMode.PRIVATE, channel)
        await self._store.save_browsing(Browsing(user, deck.key, number, channel, dm_channel, ts))
        return None

    async def back_to_live(self, user: str, dm_channel: str, ts: str) -> Reply | None:
        browsing = await self._store.get_browsing(user)
        running = (
            await self._store.get(browsing.channel_id) if browsing and browsing.channel_id else None
        )
        if running is None:
            live = await self._store.all()
            running = live[0] if len(live) == 1 else None
        if running is None:
            return Reply("No presentation is live right now, so there is nothing to jump back to.")
        return await self._back_to(user, dm_channel, ts, running)

    async def _back_to(
        self, user: str, dm_channel: str, ts: str, running: Presentation
    ) -> Reply | None:
        deck = self._catalogue.get(running.deck_key)
        if deck is None:
            return Reply("The live deck is not installed here.")
        await self._sender.edit(
            dm_channel, ts, deck, running.slide, ControlMode.PRIVATE, running.channel_id
        )
        await self._store.save_browsing(
            Browsing(user, deck.key, running.slide, running.channel_id, dm_channel, ts)
        )
        return None
