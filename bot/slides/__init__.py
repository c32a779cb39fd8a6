"""Course decks: Markdown files in slides/ parsed into slides (deck.py), rendered as Slack
Block Kit or console text (render.py) and checked against Slack's limits (lint.py, cli.py)."""

from bot.slides.deck import Deck, DeckError, Slide, SlideImage, load_deck, load_decks, search
from bot.slides.render import (
    ControlMode,
    controls_for,
    render_message,
    render_slide,
    render_slide_text,
    speaker_notes_blocks,
)

__all__ = [
    "ControlMode",
    "Deck",
    "DeckError",
    "Slide",
    "SlideImage",
    "controls_for",
    "load_deck",
    "load_decks",
    "render_message",
    "render_slide",
    "render_slide_text",
    "search",
    "speaker_notes_blocks",
]
