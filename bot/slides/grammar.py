"""`/slides …` text → a typed command. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages.limits import echo_typed
from bot.messages.text import Mrkdwn, mrkdwn, trusted

USAGE = trusted("""\
`/slides start [deck]`  present a deck in this channel (instructors)
`/slides next` · `/slides prev` · `/slides goto N` · `/slides end`  drive it
`/slides status`  what is on screen · `/slides list`  the decks
`/slides browse [deck] [N]`  page through a deck privately in your DM
`/slides search WORD`  find slides about a word, e.g. `/slides search replicaset`""")


@dataclass(frozen=True)
class SlidesCommand:
    action: str  # start, next, prev, goto, end, status, list, browse, search, help
    deck: str | None = None
    number: int | None = None
    term: str = ""


@dataclass(frozen=True)
class SlidesUsageError:
    message: Mrkdwn  # may quote what was typed: escaped


def parse_slides_command(text: str) -> SlidesCommand | SlidesUsageError:
    words = text.split()
    if not words or words[0] in ("help", "-h", "--help"):
        return SlidesCommand("help")
    action, rest = words[0].lower(), words[1:]
    if action in ("next", "prev", "previous", "back", "end", "stop", "status", "list"):
        if rest:
            return SlidesUsageError(mrkdwn("`/slides {}` takes no arguments.", action))
        canonical = {"previous": "prev", "back": "prev", "stop": "end"}.get(action, action)
        return SlidesCommand(canonical)
    if action == "start":
        if len(rest) > 1:
            return SlidesUsageError(
                mrkdwn(
                    "`/slides start` takes at most a deck name, e.g. `/slides start kubernetes-101`."
                )
            )
        return SlidesCommand("start", deck=rest[0] if rest else None)
    if action == "goto":
        if len(rest) != 1 or not rest[0].isdigit():
            return SlidesUsageError(
                mrkdwn("`/slides goto` needs a slide number, e.g. `/slides goto 12`.")
            )
        return SlidesCommand("goto", number=int(rest[0]))
    if action == "browse":
        deck = next((w for w in rest if not w.isdigit()), None)
        number = next((int(w) for w in rest if w.isdigit()), None)
        if len(rest) > 2:
            return SlidesUsageError(
                mrkdwn("`/slides browse [deck] [N]`, e.g. `/slides browse kubernetes-101 5`.")
            )
        return SlidesCommand("browse", deck=deck, number=number)
    if action == "search":
        if not rest:
            return SlidesUsageError(
                mrkdwn("`/slides search` needs a word, e.g. `/slides search etcd`.")
            )
        return SlidesCommand("search", term=" ".join(rest))
    return SlidesUsageError(mrkdwn("`/slides` has no `{}`.", echo_typed(action)))
