"""A mention or DM, as Slack delivers it, → what Podium should do with it. Pure.

Slack formats message text: mentions arrive as `<@U123>`, links as `<http://x|x>`, and `&`, `<`,
`>` as entities. We undo that, drop Podium's own mention, expand an alias, and then decide:
a kubectl command, one of the registered text commands (`slides …`, `exercise …`), help, or a
question in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.conversation.aliases import KUBECTL_VERBS, expand
from bot.messages.text import decode_slack_text

# <@U123>, <@U123|name>, <#C123|name>, <!here>, <http://x|label>, <mailto:a@b|a@b>
_ANGLE = re.compile(r"<([^<>]*)>")
_LEADING_PUNCTUATION = re.compile(r"^[\s,:;.!-]+")
_KUBECTL_PREFIXES = ("kubectl", "k")
_HELP_WORDS = ("help", "-h", "--help", "?", "commands")


@dataclass(frozen=True)
class Kubectl:
    """Run through the same service as `/kubectl`: `text` is what follows `kubectl`."""

    text: str


@dataclass(frozen=True)
class TextCommand:
    word: str  # "slides", "exercise", "ask", … as registered
    rest: str  # what follows the word


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Question:
    text: str


Intent = Kubectl | TextCommand | Help | Question


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Slack's formatting undone, Podium's own mention removed, stray code fences dropped."""

    def unwrap(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return " "
        if target.startswith(("@", "#", "!")):
            return match.group(0)  # other people and channels stay as they were written
        return label or target  # a link Slack made out of typed text: what was typed

    text = _ANGLE.sub(unwrap, text)
    text = decode_slack_text(text)  # once: `a &amp;lt; b` was typed as `a &lt; b`
    text = text.replace("```", " ").strip()
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        text = text.strip("`")  # `get pods` written as code
    return _LEADING_PUNCTUATION.sub("", " ".join(text.split()))


def understand(
    text: str, *, bot_user_id: str | None, aliases: Mapping[str, str], commands: Collection[str]
) -> Intent:
    """What the asker wants. `commands` are the registered text command words."""
    cleaned = clean_text(text, bot_user_id)
    words = expand(cleaned.split(), aliases)
    if not words:
        return Help()
    first = words[0].lower()
    if first in _KUBECTL_PREFIXES:
        return Kubectl(" ".join(words[1:]))
    if first in _HELP_WORDS:
        return Help()
    if first in commands:
        return TextCommand(first, " ".join(words[1:]))
    # "run?" or "explain pods?" are questions; "get pods" is a command.
    if first in KUBECTL_VERBS and not cleaned.endswith("?"):
        return Kubectl(" ".join(words))
    return Question(cleaned)
