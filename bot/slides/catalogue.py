"""The installed decks: finding one by key or title, listing them, and the commands written on
their slides (the allow-list of Run in sandbox). Pure: no store, no Slack."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.messages.reply import Reply
from bot.messages.text import join, mrkdwn
from bot.slides.deck import Deck


class DeckCatalogue:
    def __init__(self, decks: Iterable[Deck]) -> None:
        self._decks = {deck.key: deck for deck in decks}

    @property
    def decks(self) -> Mapping[str, Deck]:
        return self._decks

    def get(self, key: str) -> Deck | None:
        return self._decks.get(key)

    def find(self, key: str | None) -> Deck | None:
        """By key, else by title (any case); without a key, the first deck."""
        if key:
            return self._decks.get(key) or next(
                (d for d in self._decks.values() if d.title.lower() == key.lower()), None
            )
        return next(iter(self._decks.values()), None)

    def title_of(self, key: str) -> str:
        deck = self._decks.get(key)
        return deck.title if deck else key

    def list_decks(self, prefix: str = "") -> Reply:
        if not self._decks:
            return Reply(mrkdwn("{}No decks are installed (Markdown files in `slides/`).", prefix))
        lines = join(
            "\n",
            (
                mrkdwn("• `{}`: *{}*, {} slides", key, deck.title, len(deck.slides))
                for key, deck in self._decks.items()
            ),
        )
        return Reply(
            mrkdwn("{}Decks: \n{}\n`/slides start DECK` presents one here.", prefix, lines)
        )

    def commands(self) -> frozenset[str]:
        """Every command a Run in sandbox button may carry: those written on the decks' slides."""
        return frozenset(
            command
            for deck in self._decks.values()
            for slide in deck.slides
            for command in slide.commands
        )

    def exercise_commands(self) -> frozenset[str]:
        """Commands written only on exercise slides: about each participant's own work."""
        on_exercises = {
            c
            for deck in self._decks.values()
            for slide in deck.slides
            if slide.exercise is not None
            for c in slide.commands
        }
        elsewhere = {
            c
            for deck in self._decks.values()
            for slide in deck.slides
            if slide.exercise is None
            for c in slide.commands
        }
        return frozenset(on_exercises - elsewhere)
