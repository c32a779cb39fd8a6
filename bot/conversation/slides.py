"""`slides …` typed after @Podium or in the DM: the same dispatch as `/slides`."""

from __future__ import annotations

from bot.conversation.text_commands import CommandHandler, is_dm
from bot.messages.reply import Reply
from bot.slides.dispatch import answer_slides
from bot.slides.rooms import SlideRooms


def slides_text_command(rooms: SlideRooms) -> CommandHandler:
    async def handle(user: str, channel: str, text: str) -> Reply:
        return await answer_slides(rooms, text, user, channel, in_dm=is_dm(channel))

    return handle
