"""What the slides feature needs from the outside, as Protocols: Slack's implementations live in
bot/slack (`Publisher`, `SlideImages`), tests pass fakes. Nothing here imports Slack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from bot.slides.deck import Deck
from bot.slides.render import ControlMode

Blocks = list[dict[str, Any]]
Message = dict[str, Any]

# What other features add to a slide shown live or privately: (blocks above the footer, buttons).
# Called with the room's channel (None when browsing without a room), the deck and slide number.
SlideExtras = Callable[[str | None, Deck, int, ControlMode], Awaitable[tuple[Blocks, Blocks]]]

# The file ids of a message's pictures that the platform refused, given the error its send
# raised; empty when the error is about something else (then it is raised again).
RefusedPictures = Callable[[Exception, Mapping[str, Any]], set[str]]


async def no_extras(
    channel: str | None, deck: Deck, number: int, mode: ControlMode
) -> tuple[Blocks, Blocks]:
    return [], []


class SlidePublisher(Protocol):
    """Posts, edits and DMs; satisfied by `bot.slack.publisher.Publisher`."""

    async def post(
        self, channel: str, message: Message, *, thread_ts: str | None = None, first: bool = False
    ) -> str: ...

    async def update(
        self, channel: str, ts: str, message: Message, *, first: bool = False
    ) -> None: ...

    async def post_dm(self, user_id: str, message: Message) -> tuple[str, str]: ...

    async def permalink(self, channel: str, ts: str) -> str | None: ...


class SlideImages(Protocol):
    """A deck's pictures as platform files; satisfied by `bot.slack.slide_images.SlideImages`."""

    def prepare(self, images: Iterable[tuple[Path, str]]) -> None: ...

    async def ref(self, path: Path, title: str) -> dict[str, str] | None: ...

    async def forget(self, file_ids: Iterable[str]) -> None: ...

    async def close(self) -> None: ...
