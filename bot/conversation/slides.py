"""`slides …` typed after @Podium or in the DM: the same grammar as `/slides`, answered through
the Presenter. Driving a presentation needs the room, so in a DM those words are explained."""

from __future__ import annotations

from bot.conversation.text_commands import CommandHandler, is_dm
from bot.messages.reply import Reply
from bot.slack.text import join, mrkdwn
from bot.slides.grammar import USAGE, SlidesUsageError, parse_slides_command
from bot.slides.presenter import Presenter
from bot.store.presentations import PresentationStore

_DRIVING = ("start", "next", "prev", "goto", "end")


def slides_text_command(presenter: Presenter, presentations: PresentationStore) -> CommandHandler:
    async def live_room() -> str | None:
        """From a DM, the room that is presenting, when exactly one is."""
        live = await presentations.all()
        return live[0].channel_id if len(live) == 1 else None

    async def handle(user: str, channel: str, text: str) -> Reply:
        parsed = parse_slides_command(text)
        if isinstance(parsed, SlidesUsageError):
            return Reply(mrkdwn("{}\n{}", parsed.message, USAGE))
        dm = is_dm(channel)
        if parsed.action == "help":
            return Reply(USAGE)
        if parsed.action in _DRIVING and dm:
            return Reply(mrkdwn("`slides {}` drives the presentation of a channel, so it works there, not in a "
                                "DM: type `/slides {}` in the workshop channel. Here you can `slides browse`, "
                                "`slides search WORD`, `slides status` and `slides list`.", parsed.action, parsed.action))
        if parsed.action == "start":
            return await presenter.start(channel, user, parsed.deck)
        if parsed.action in ("next", "prev"):
            moved = await presenter.move(channel, user, delta=1 if parsed.action == "next" else -1)
            return moved or Reply("Moved. The slide is in the channel.")
        if parsed.action == "goto":
            moved = await presenter.move(channel, user, to=parsed.number)
            return moved or Reply(f"Slide {parsed.number} is on screen.")
        if parsed.action == "end":
            return await presenter.end(channel, user)
        if parsed.action == "list":
            return presenter.list_decks()
        room = await live_room() if dm else channel
        if parsed.action == "status":
            if room is None:
                return await _status_everywhere(presenter, presentations)
            return await presenter.status(room)
        if parsed.action == "browse":
            return await presenter.browse(user, room, deck_key=parsed.deck, slide=parsed.number)
        return await presenter.search(room, parsed.term)

    return handle


async def _status_everywhere(presenter: Presenter, presentations: PresentationStore) -> Reply:
    live = await presentations.all()
    if not live:
        return Reply("No presentation is live right now. `slides list` shows the decks.")
    lines = []
    for presentation in live:
        deck = presenter.decks.get(presentation.deck_key)
        title = deck.title if deck else presentation.deck_key
        lines.append(mrkdwn("• <#{}>: *{}*, slide {}", presentation.channel_id, title, presentation.slide))
    return Reply(mrkdwn("Live now:\n{}", join("\n", lines)))
