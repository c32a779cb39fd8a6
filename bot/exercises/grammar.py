"""`/exercise …` text → a typed command. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages.text import Mrkdwn, mrkdwn, trusted

USAGE = trusted("""\
`/exercise list`  the exercises and your progress
`/exercise show N`  instructions · `/exercise check N`  check your work in your namespace
`/exercise hint N`  one more hint · `/exercise solution N`  once a check passes or you have seen every hint
Instructors (or, if none are named, the presenter): `/exercise board` (who passed what) · `/exercise release N` (open a solution to all)""")

_NEEDS_NUMBER = ("show", "check", "hint", "solution", "release")


@dataclass(frozen=True)
class ExerciseCommand:
    action: str  # list, show, check, hint, solution, release, board, help
    number: int | None = None


@dataclass(frozen=True)
class ExerciseUsageError:
    message: Mrkdwn  # may quote what was typed: escaped


def parse_exercise_command(text: str) -> ExerciseCommand | ExerciseUsageError:
    words = text.split()
    if not words or words[0] in ("help", "-h", "--help"):
        return ExerciseCommand("help")
    action, rest = words[0].lower(), words[1:]
    if action.isdigit() and not rest:  # `/exercise 2` reads as "show me exercise 2"
        return ExerciseCommand("show", int(action))
    if action in ("list", "board"):
        return (
            ExerciseCommand(action)
            if not rest
            else ExerciseUsageError(mrkdwn("`/exercise {}` takes no arguments.", action))
        )
    if action in _NEEDS_NUMBER:
        if len(rest) != 1 or not rest[0].isdigit():
            return ExerciseUsageError(
                mrkdwn(
                    "`/exercise {}` needs an exercise number, e.g. `/exercise {} 2`.",
                    action,
                    action,
                )
            )
        return ExerciseCommand(action, int(rest[0]))
    return ExerciseUsageError(mrkdwn("`/exercise` has no `{}`.", action))
