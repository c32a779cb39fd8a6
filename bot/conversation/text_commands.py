"""What other features plug into conversations: text commands typed after @Podium or in the DM
(`slides …`, `exercise …`, `ask …`), the "Ask the instructor" offer under plain-words answers,
and the exercise progress shown in the App Home.

One registry, built in app.py and handed to every feature that adds something:

    text_commands.register("exercise", exercises.handle_text, usage="exercise check 2",
                           summary="check your exercise")
    text_commands.offer_questions()             # the questions feature handles `questions_offer`
    text_commands.provide_progress(exercises.progress_for)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.messages.reply import Reply

__all__ = ["CommandHandler", "ProgressProvider", "TextCommand", "TextCommands", "is_dm"]

# (user_id, channel_id, text after the command word) → what the asker sees. channel_id is where
# they asked: a channel (mention) or their DM with Podium (`is_dm`). Raising is fine: the asker
# is told something went wrong and the message gets ⚠️.
CommandHandler = Callable[[str, str, str], Awaitable[Reply]]
# user_id → the App Home "Your exercises" section: plain text (escaped on the way out) or Mrkdwn.
ProgressProvider = Callable[[str], Awaitable[str]]


def is_dm(channel_id: str) -> bool:
    """Direct-message conversation IDs start with D."""
    return channel_id.startswith("D")


@dataclass(frozen=True)
class TextCommand:
    word: str
    handler: CommandHandler
    usage: str  # an example, without @Podium: "slides search etcd"
    summary: str  # a few words for help and the App Home


class TextCommands:
    def __init__(self) -> None:
        self._commands: dict[str, TextCommand] = {}
        self._offers_questions = False
        self._progress: ProgressProvider | None = None

    def register(self, word: str, handler: CommandHandler, *, usage: str, summary: str) -> None:
        word = word.lower()
        if not word.isidentifier() or word in self._commands:
            raise ValueError(f"text command {word!r} is not a word or is registered twice")
        self._commands[word] = TextCommand(word, handler, usage, summary)

    @property
    def commands(self) -> Mapping[str, TextCommand]:
        return MappingProxyType(self._commands)

    def offer_questions(self) -> None:
        """Call when a listener for the `questions_offer` action exists: plain-words answers then
        carry an "Ask the instructor" button during a presentation."""
        self._offers_questions = True

    @property
    def offers_questions(self) -> bool:
        return self._offers_questions

    def provide_progress(self, provider: ProgressProvider) -> None:
        self._progress = provider

    @property
    def progress(self) -> ProgressProvider | None:
        return self._progress
