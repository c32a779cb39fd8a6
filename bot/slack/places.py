"""Where a command was typed, as far as Slack lets Podium act there. Pure: ids, names and Slack
error codes in, the kind of place and a true sentence about it out.

With `chat:write.public` Podium can post into a public channel it has not joined, but not answer
privately there (`chat.postEphemeral`) nor attach files (`not_in_channel`). A private channel it
was not invited to, or a DM between other people, does not exist for it (`channel_not_found`):
only the response_url of the command or button typed there reaches it. `/invite @Podium` is
the way in for channels, never for someone else's DM (an app cannot be added to one).
"""

from __future__ import annotations

from enum import Enum

MEMBERSHIP_ERRORS = frozenset({"not_in_channel", "channel_not_found"})


class Place(Enum):
    PUBLIC_NOT_JOINED = "public channel Podium has not joined"
    PRIVATE_NOT_INVITED = "private channel Podium was not invited to"
    OTHERS_DM = "conversation between other people"


def is_membership_error(code: str | None) -> bool:
    return code in MEMBERSHIP_ERRORS


def is_direct(channel_id: str | None, channel_name: str | None = None) -> bool:
    """A DM or group DM (Slack: `D…` ids, `directmessage` / `mpdm-…` names)."""
    name = channel_name or ""
    return (
        str(channel_id or "").startswith("D") or name == "directmessage" or name.startswith("mpdm-")
    )


def place_of(channel_id: str | None, code: str, channel_name: str | None = None) -> Place:
    """The place a membership refusal (`code`) came from."""
    if is_direct(channel_id, channel_name):
        return Place.OTHERS_DM
    if code == "channel_not_found" or channel_name == "privategroup":
        return Place.PRIVATE_NOT_INVITED
    return Place.PUBLIC_NOT_JOINED


def membership_advice(place: Place) -> str:
    """What is true of the place and what the person can do; `/invite` only where it works."""
    if place is Place.OTHERS_DM:
        return (
            "Podium is not part of this conversation and cannot be added to it, so it can only answer "
            "here through Slack's reply to your command or button."
        )
    if place is Place.PRIVATE_NOT_INVITED:
        return "Podium is not a member of this private channel: add it with `/invite @Podium`, then try again."
    return (
        "Podium has not joined this channel, so it can post messages here but cannot answer you privately "
        "or attach files: add it with `/invite @Podium` for those."
    )


def refusal_reason(
    code: str, channel_id: str | None, channel_name: str | None = None
) -> str | None:
    """The advice for a membership refusal, None for any other Slack error."""
    if not is_membership_error(code):
        return None
    return membership_advice(place_of(channel_id, code, channel_name))
