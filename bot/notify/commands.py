"""`/workshop notify [on|off]` and `/workshop notify room [on|off]`: the words, the answers.
Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages.text import trusted

ROOM_SWITCH = "notify"  # SwitchStore name: notifications for the whole room


def person_switch(user_id: str) -> str:
    """SwitchStore name of one person's notifications."""
    return f"notify:{user_id}"


USAGE = trusted(
    "`/workshop notify off` stops Podium's DMs about your failing pods, `/workshop notify on` "
    "turns them back on, `/workshop notify` says which it is.\n"
    "Instructors: `/workshop notify room off|on` for everyone."
)


@dataclass(frozen=True)
class NotifyCommand:
    room: bool  # the whole room (instructors) rather than the person
    on: bool | None  # None: say what it is now


@dataclass(frozen=True)
class NotifyUsageError:
    message: str


def parse_notify(text: str) -> NotifyCommand | NotifyUsageError:
    """The words after `notify`: ``, `on`, `off`, `room`, `room on`, `room off`."""
    words = text.lower().split()
    room = bool(words) and words[0] == "room"
    rest = words[1:] if room else words
    if not rest:
        return NotifyCommand(room, None)
    if len(rest) == 1 and rest[0] in ("on", "off"):
        return NotifyCommand(room, rest[0] == "on")
    typed = " ".join(text.split())[:60]
    return NotifyUsageError(f"`/workshop notify` does not take {typed!r}: use `on` or `off`.")
