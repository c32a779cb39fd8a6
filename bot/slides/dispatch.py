"""`/slides …`, `@Podium slides …` and `slides …` in the DM: one parse, one dispatch, the same
answers. Driving a presentation needs the room, so typed in a DM those words are explained."""

from __future__ import annotations

from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.slides.grammar import (
    USAGE,
    SlidesCommand,
    SlidesUsageError,
    parse_slides_command,
)
from bot.slides.rooms import SlideRooms

DRIVING = frozenset({"start", "next", "prev", "goto", "end"})


async def answer_slides(
    rooms: SlideRooms, text: str, user: str, channel: str, *, in_dm: bool
) -> Reply:
    """The answer to `text` typed by `user` in `channel`; `in_dm` when typed in the DM with Podium
    (not a slash command), where there is no room to drive and "the room" is the one live room."""
    parsed = parse_slides_command(text)
    if isinstance(parsed, SlidesUsageError):
        return Reply(mrkdwn("{}\n{}", parsed.message, USAGE))
    if parsed.action == "help":
        return Reply(USAGE)
    if parsed.action in DRIVING:
        if in_dm:
            return Reply(
                mrkdwn(
                    "`slides {}` drives the presentation of a channel, so it works there, not in a "
                    "DM: type `/slides {}` in the workshop channel. Here you can `slides browse`, "
                    "`slides search WORD`, `slides status` and `slides list`.",
                    parsed.action,
                    parsed.action,
                )
            )
        return await _drive(rooms, parsed, user, channel)
    if parsed.action == "list":
        return rooms.catalogue.list_decks()
    room = await rooms.room.only_live_room() if in_dm else channel
    if parsed.action == "status":
        return (
            await rooms.room.status(room)
            if room is not None
            else await rooms.room.status_everywhere()
        )
    if parsed.action == "browse":
        return await rooms.browsing.browse(user, room, deck_key=parsed.deck, slide=parsed.number)
    return await rooms.search.search(room, parsed.term)


async def _drive(rooms: SlideRooms, parsed: SlidesCommand, user: str, channel: str) -> Reply:
    if parsed.action == "start":
        return await rooms.room.start(channel, user, parsed.deck)
    if parsed.action == "end":
        return await rooms.room.end(channel, user)
    if parsed.action == "goto":
        moved = await rooms.room.move(channel, user, to=parsed.number)
        return moved or Reply(f"Slide {parsed.number} is on screen.")
    moved = await rooms.room.move(channel, user, delta=1 if parsed.action == "next" else -1)
    return moved or Reply("Moved. The slide is in the channel.")
