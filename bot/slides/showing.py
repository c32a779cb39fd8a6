"""Rendering a slide and sending it where it goes (the room, a DM, an edit in place), shared by
the presenting room and private browsing. Pictures the platform refuses are uploaded again once,
then shown as their alt text, so a slide is always sent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.slides.deck import Deck
from bot.slides.ports import (
    Message,
    RefusedPictures,
    SlideExtras,
    SlideImages,
    SlidePublisher,
    no_extras,
)
from bot.slides.render import (
    ControlMode,
    ImageRef,
    MissingImage,
    controls_for,
    render_message,
    speaker_notes_blocks,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
# A refused picture is uploaded again (second try), then shown as alt text (third): no more.
SEND_ATTEMPTS = 3


class SlideSender:
    def __init__(
        self,
        publisher: SlidePublisher,
        images: SlideImages,
        refused: RefusedPictures,
        extras: SlideExtras = no_extras,
    ) -> None:
        self._publisher = publisher
        self._images = images
        self._refused = refused
        self._extras = extras

    def prepare_images(self, deck: Deck) -> None:
        """Upload the deck's pictures in the background (each once per workspace)."""
        self._images.prepare(
            (deck.image_file(image), image.alt) for slide in deck.slides for image in slide.images
        )

    async def close(self) -> None:
        await self._images.close()

    async def post_live(self, channel: str, deck: Deck, number: int) -> str:
        return await self._send(
            deck,
            number,
            ControlMode.LIVE,
            channel,
            lambda message: self._publisher.post(channel, message, first=True),
        )

    async def post_private(
        self, user: str, deck: Deck, number: int, room: str | None
    ) -> tuple[str, str]:
        """A private copy in the user's DM: (DM channel, ts)."""
        return await self._send(
            deck,
            number,
            ControlMode.PRIVATE,
            room,
            lambda message: self._publisher.post_dm(user, message),
        )

    async def edit(
        self, channel: str, ts: str, deck: Deck, number: int, mode: ControlMode, room: str | None
    ) -> None:
        # The room's slide is what everyone looks at: its edits go before every other edit.
        first = mode is not ControlMode.PRIVATE
        await self._send(
            deck,
            number,
            mode,
            room,
            lambda message: self._publisher.update(channel, ts, message, first=first),
        )

    async def drop_controls(self, channel: str, ts: str, deck: Deck, number: int) -> None:
        """Only the slide on screen carries buttons; the one before keeps its content."""
        try:
            await self.edit(channel, ts, deck, number, ControlMode.NONE, channel)
        except Exception as error:  # noqa: BLE001 — e.g. someone deleted it: the new slide matters more
            log.warning(
                "could not remove the buttons of slide %d in %s: %s", number, channel, error
            )

    async def send_notes(self, presenter: str, deck: Deck, number: int) -> None:
        blocks = speaker_notes_blocks(deck, number)
        if not blocks:  # a slide without notes: no DM at all
            return
        try:
            await self._publisher.post_dm(
                presenter, {"text": f"Speaker notes, slide {number}", "blocks": blocks}
            )
        except Exception as error:  # noqa: BLE001 — notes are a help, never a reason to stop the room
            log.warning("could not DM speaker notes to %s: %s", presenter, error)

    async def _message(
        self,
        deck: Deck,
        number: int,
        mode: ControlMode,
        channel: str | None,
        refused: frozenset[str] = frozenset(),
    ) -> Message:
        refs: dict[str, ImageRef] = {}
        for image in deck.slide(number).images:
            ref = await self._images.ref(deck.image_file(image), image.alt)
            refs[image.path] = MissingImage() if ref is None or ref["id"] in refused else ref
        blocks, actions = (
            ([], [])
            if mode is ControlMode.NONE
            else await self._extras(channel, deck, number, mode)
        )
        return render_message(
            deck,
            number,
            image_refs=refs,
            controls=controls_for(mode, deck, number),
            extra_blocks=blocks,
            extra_actions=actions,
        )

    async def _send(
        self,
        deck: Deck,
        number: int,
        mode: ControlMode,
        channel: str | None,
        send: Callable[[Message], Awaitable[T]],
    ) -> T:
        """Render a slide and send it. When the platform refuses a picture (a cached file that was
        deleted or belongs to another workspace): forget it and upload it again, once; a picture
        still refused is shown as its alt text with a note, so the slide itself is sent."""
        message = await self._message(deck, number, mode, channel)
        refused: frozenset[str] = frozenset()
        for attempt in range(SEND_ATTEMPTS):
            try:
                return await send(message)
            except Exception as error:
                bad = self._refused(error, message) - refused
                if not bad or attempt == SEND_ATTEMPTS - 1:
                    raise
                log.warning(
                    "Slack refused slide %d's picture(s) %s: %s",
                    number,
                    ", ".join(sorted(bad)),
                    "uploading again" if attempt == 0 else "showing the alt text",
                )
                if attempt == 0:
                    await self._images.forget(bad)
                else:
                    refused |= bad
                message = await self._message(deck, number, mode, channel, refused)
                if attempt == 1:
                    await self._images.forget(bad)  # the next showing tries once more
        raise AssertionError("unreachable")
