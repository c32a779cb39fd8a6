"""Per-person budgets, one per family of commands and buttons (/kubectl, /ask, /exercise, Share,
Run in sandbox, upvote), so one person's script or stuck key cannot starve the room. The excess
gets one line at once ("slow down, try again in N s") instead of queueing behind everyone else."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

from bot.ratelimit import UserRateLimiter
from bot.settings import BUDGET_FAMILIES, Settings

Family = Literal["kubectl", "ask", "exercise", "share", "run", "upvote", "access", "notify"]

# What each family is called in the answer, as people know it.
_WHAT: dict[str, str] = {
    "kubectl": "kubectl commands",
    "ask": "questions",
    "exercise": "exercise commands",
    "share": "Share presses",
    "run": "Run in sandbox presses",
    "upvote": "upvotes",
    "access": "requests for kubectl access",
    "notify": "notifications",
}


def slow_down_line(family: str, wait_seconds: float) -> str:
    """The answer to one press or command over its budget: what, and when to try again."""
    seconds = max(1, math.ceil(wait_seconds))
    when = f"{seconds} s" if seconds < 120 else f"{math.ceil(seconds / 60)} min"  # hourly budgets
    return (
        f"Slow down: you are sending {_WHAT[family]} faster than a workshop needs; "
        f"try again in {when}."
    )


class Budgets:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limiters = {}
        for family in BUDGET_FAMILIES:
            count, seconds = settings.budget(family)
            self._limiters[family] = UserRateLimiter(limit=count, per_seconds=seconds, clock=clock)

    def spend(self, family: Family, user: str | None) -> str | None:
        """None if `user` may go ahead (and it is counted); else the slow-down line to answer."""
        if not user:
            return None
        wait = self._limiters[family].allow(user)
        return None if wait is None else slow_down_line(family, wait)
