"""One rule for who runs the room (slides, solution releases, the board)."""

from __future__ import annotations

from bot.slides.room import goto_out_of_range, leads


def test_instructors_when_named() -> None:
    instructors = frozenset({"U0TEACH"})
    assert leads("U0TEACH", instructors, [])
    assert not leads("U0PRESENT", instructors, ["U0PRESENT"])  # presenting is not enough then


def test_otherwise_whoever_presents() -> None:
    assert leads("U0PRESENT", frozenset(), ["U0OTHER", "U0PRESENT"])
    assert not leads("U0BOB", frozenset(), ["U0PRESENT"])
    assert not leads("U0BOB", frozenset(), [])  # nothing live: nobody leads


def test_goto_out_of_range_names_the_range() -> None:
    assert goto_out_of_range(99, 53) == "There is no slide 99: this deck has slides 1–53."
    assert goto_out_of_range(0, 53) == "There is no slide 0: this deck has slides 1–53."
