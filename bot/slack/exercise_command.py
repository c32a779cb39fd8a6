"""`/exercise` and the Check my work / Hint buttons. Listeners ack, then hand over to the
Workshop; they are registered in one place, `register`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.budgets import Budgets
from bot.exercises.grammar import USAGE, ExerciseUsageError, parse_exercise_command
from bot.exercises.workshop import CHECK_ACTION, HINT_ACTION, Workshop
from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.slack.failures import never_silent

COMMAND = "/exercise"


async def _answer(respond: AsyncRespond, reply: Reply) -> None:
    await respond(response_type="ephemeral", replace_original=False, **reply.message())


async def within_budget(
    budgets: Budgets | None, user: str, work: Callable[[], Awaitable[Reply]]
) -> Reply:
    """`work`'s reply if `user` is within their exercise budget (a check reads the cluster)."""
    if budgets is not None and (slow_down := budgets.spend("exercise", user)):
        return Reply(slow_down)
    return await work()


async def run_exercise_text(
    workshop: Workshop, user: str, text: str, budgets: Budgets | None = None
) -> Reply:
    """One `/exercise …` (or `exercise …` typed in a DM) for `user`."""
    return await within_budget(budgets, user, lambda: _run_exercise_text(workshop, user, text))


async def _run_exercise_text(workshop: Workshop, user: str, text: str) -> Reply:
    parsed = parse_exercise_command(text)
    if isinstance(parsed, ExerciseUsageError):
        return Reply(mrkdwn("{}\n{}", parsed.message, USAGE))
    if parsed.action == "help":
        return Reply(USAGE)
    if parsed.action == "list":
        return await workshop.list(user)
    if parsed.action == "board":
        return await workshop.board(user)
    number = parsed.number or 0
    handler = {
        "show": workshop.show,
        "check": workshop.check,
        "hint": workshop.hint,
        "solution": workshop.solution,
        "release": workshop.release,
    }[parsed.action]
    return await handler(number, user)


@dataclass(frozen=True)
class ExerciseListeners:
    """What the exercise listeners need."""

    workshop: Workshop
    budgets: Budgets | None = None  # a check reads the cluster: each person has a budget


async def exercise_command(
    deps: ExerciseListeners, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()
    await _answer(
        respond,
        await run_exercise_text(
            deps.workshop, command["user_id"], command.get("text") or "", deps.budgets
        ),
    )


async def check_my_work(
    deps: ExerciseListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    user = body["user"]["id"]
    await _answer(
        respond,
        await within_budget(
            deps.budgets, user, lambda: deps.workshop.check(int(action["value"]), user)
        ),
    )


async def hint(
    deps: ExerciseListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    await ack()
    user = body["user"]["id"]
    await _answer(
        respond,
        await within_budget(
            deps.budgets, user, lambda: deps.workshop.hint(int(action["value"]), user)
        ),
    )


def register(app: AsyncApp, deps: ExerciseListeners) -> None:
    app.command(COMMAND)(never_silent(partial(exercise_command, deps)))
    app.action(CHECK_ACTION)(never_silent(partial(check_my_work, deps)))
    app.action(HINT_ACTION)(never_silent(partial(hint, deps)))
