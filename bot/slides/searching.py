"""`/slides search WORD`: the slides that mention a word, each with a link to where it was
posted in the room (when it was) and an "Open privately" button."""

from __future__ import annotations

from typing import Any

from bot.messages.limits import MAX_SECTION_TEXT, echo_typed, fit_text
from bot.messages.reply import Reply
from bot.messages.text import Mrkdwn, mrkdwn
from bot.slides.catalogue import DeckCatalogue
from bot.slides.deck import Deck, search
from bot.slides.ports import SlidePublisher
from bot.store.presentations import PresentationStore

OPEN_ACTION = "slides_open"  # "Open privately" on a search result
# A private answer people read at a glance, not a report: the best few matches.
MAX_SEARCH_RESULTS = 8


class SlideSearch:
    def __init__(
        self, catalogue: DeckCatalogue, store: PresentationStore, publisher: SlidePublisher
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._publisher = publisher

    async def search(self, channel: str | None, term: str) -> Reply:
        term = term.strip()
        if not term:
            return Reply("What should I look for? For example `/slides search replicaset`.")
        results = search(self._catalogue.decks.values(), term)[:MAX_SEARCH_RESULTS]
        if not results:
            return Reply(
                mrkdwn(
                    "No slide mentions “{}”. Try another word, or `/slides browse`.",
                    echo_typed(term),
                )
            )
        blocks: list[dict[str, Any]] = [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": mrkdwn("Slides about “{}”:", echo_typed(term))},
            }
        ]
        for deck, slide, excerpt in results:
            label = mrkdwn("{} · slide {} of {}", slide.title or "Slide", slide.number, deck.title)
            link = await self._posted_link(channel, deck, slide.number)
            # A permalink from Slack's chat.getPermalink: a URL without | or >.
            heading = mrkdwn("*<{}|{}>*", Mrkdwn(link), label) if link else mrkdwn("*{}*", label)
            blocks.append(
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": fit_text(mrkdwn("{}\n{}", heading, excerpt), MAX_SECTION_TEXT),
                    },
                    "accessory": {
                        "type": "button",
                        "action_id": OPEN_ACTION,
                        "value": f"{deck.key}:{slide.number}",
                        "text": {"type": "plain_text", "text": "Open privately"},
                    },
                }
            )
        return Reply(
            mrkdwn("{} slide{} about {}", len(results), "s" if len(results) != 1 else "", term),
            blocks,
        )

    async def _posted_link(self, channel: str | None, deck: Deck, number: int) -> str | None:
        if not channel:
            return None
        ts = (await self._store.posts_of(channel, deck.key)).get(number)
        return await self._publisher.permalink(channel, ts) if ts else None
