from __future__ import annotations

from pathlib import Path

import pytest

from bot.slides.deck import Deck, load_deck

REPO = Path(__file__).resolve().parents[2]
SLIDES = REPO / "slides"
COURSE = SLIDES / "kubernetes-101.md"


@pytest.fixture(scope="session")
def course() -> Deck:
    return load_deck(COURSE)
