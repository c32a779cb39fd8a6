"""The course deck and the exercises, as slides/ defines them (pure: the unit tier uses these)."""

from __future__ import annotations

import pytest

from bot.exercises import Exercise, load_exercises
from bot.slides.deck import Deck, load_deck
from tests.harness.paths import COURSE, EXERCISES


@pytest.fixture(scope="session")
def course() -> Deck:
    return load_deck(COURSE)


@pytest.fixture(scope="session")
def exercises() -> dict[int, Exercise]:
    return {exercise.number: exercise for exercise in load_exercises(EXERCISES)}
