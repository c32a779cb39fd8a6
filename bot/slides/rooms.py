"""The slides feature's rooms, built in dependency order from what they share: the decks, the
presentation store, the publisher and the pictures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.slides.browsing import PrivateBrowsing
from bot.slides.catalogue import DeckCatalogue
from bot.slides.deck import Deck
from bot.slides.ports import (
    RefusedPictures,
    SlideExtras,
    SlideImages,
    SlidePublisher,
    no_extras,
)
from bot.slides.room import PresentingRoom
from bot.slides.searching import SlideSearch
from bot.slides.showing import SlideSender
from bot.store.presentations import PresentationStore


@dataclass(frozen=True)
class SlideRooms:
    catalogue: DeckCatalogue  # the decks: find, list, the commands on their slides
    room: PresentingRoom  # a deck presented in a channel
    browsing: PrivateBrowsing  # a deck paged through in one's DM
    search: SlideSearch  # slides that mention a word
    sender: SlideSender  # rendering and sending, shared by the room and browsing

    async def close(self) -> None:
        await self.sender.close()


def build_slide_rooms(
    decks: Iterable[Deck],
    store: PresentationStore,
    publisher: SlidePublisher,
    images: SlideImages,
    refused: RefusedPictures,
    instructors: frozenset[str],
    extras: SlideExtras = no_extras,
) -> SlideRooms:
    catalogue = DeckCatalogue(decks)
    sender = SlideSender(publisher, images, refused, extras)
    return SlideRooms(
        catalogue=catalogue,
        room=PresentingRoom(catalogue, store, sender, publisher, instructors),
        browsing=PrivateBrowsing(catalogue, store, sender),
        search=SlideSearch(catalogue, store, publisher),
        sender=sender,
    )
