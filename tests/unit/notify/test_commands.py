"""`/workshop notify` words."""

from __future__ import annotations

import pytest

from bot.notify.commands import NotifyCommand, NotifyUsageError, parse_notify, person_switch


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", NotifyCommand(room=False, on=None)),
        ("off", NotifyCommand(room=False, on=False)),
        (" ON ", NotifyCommand(room=False, on=True)),
        ("room", NotifyCommand(room=True, on=None)),
        ("room off", NotifyCommand(room=True, on=False)),
        ("Room On", NotifyCommand(room=True, on=True)),
    ],
)
def test_the_words_of_notify(text, parsed):
    assert parse_notify(text) == parsed


@pytest.mark.parametrize("text", ["maybe", "off please", "room sometimes", "on off", "x" * 500])
def test_anything_else_is_a_usage_error_quoting_at_most_a_little(text):
    error = parse_notify(text)
    assert isinstance(error, NotifyUsageError) and "`on` or `off`" in error.message
    assert len(error.message) < 150


def test_each_person_has_their_own_switch():
    assert person_switch("U0A") != person_switch("U0B")
