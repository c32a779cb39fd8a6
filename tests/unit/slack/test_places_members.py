"""bot/slack/places.py: the advice for a place Podium is not a member of (issue 13)."""

from __future__ import annotations

import pytest

from bot.slack.places import Place, membership_advice, place_of, refusal_reason


@pytest.mark.parametrize(
    "channel, code, name, place",
    [
        ("C0LOBBY", "not_in_channel", "lobby", Place.PUBLIC_NOT_JOINED),
        ("C0SECRET", "channel_not_found", "privategroup", Place.PRIVATE_NOT_INVITED),
        ("C0SECRET", "channel_not_found", None, Place.PRIVATE_NOT_INVITED),
        ("G0OLD", "not_in_channel", "privategroup", Place.PRIVATE_NOT_INVITED),
        ("D0ALICEBOB", "channel_not_found", "directmessage", Place.OTHERS_DM),
        ("D0ALICEBOB", "not_in_channel", None, Place.OTHERS_DM),
        ("C0GROUP", "channel_not_found", "mpdm-alice--bob-1", Place.OTHERS_DM),
    ],
)
def test_place_of_a_refusal(channel, code, name, place):
    assert place_of(channel, code, name) is place


def test_invite_is_advised_only_where_it_works():
    assert "/invite @Podium" in membership_advice(Place.PUBLIC_NOT_JOINED)
    assert "/invite @Podium" in membership_advice(Place.PRIVATE_NOT_INVITED)
    assert "/invite" not in membership_advice(Place.OTHERS_DM)


def test_other_errors_get_no_membership_advice():
    assert refusal_reason("ratelimited", "C0LOBBY") is None
    assert refusal_reason("internal_error", "D0ALICEBOB") is None
