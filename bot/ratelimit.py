"""A per-person budget of commands: generous for people, a wall for a script or a stuck key.
The excess gets a polite answer at once instead of queueing behind everyone else."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class UserRateLimiter:
    def __init__(
        self,
        *,
        limit: int = 10,
        per_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 10_000,
    ) -> None:
        self._limit = limit
        self._per = per_seconds
        self._clock = clock
        self._max_users = max_users
        self._recent: dict[str, deque[float]] = {}

    def allow(self, user: str) -> float | None:
        """None if `user` may run a command now; else how many seconds until they may."""
        if self._limit <= 0:
            return None
        now = self._clock()
        recent = self._recent.setdefault(user, deque())
        while recent and now - recent[0] >= self._per:
            recent.popleft()
        if len(recent) >= self._limit:
            return max(0.1, self._per - (now - recent[0]))
        recent.append(now)
        if len(self._recent) > self._max_users:  # forget the quietest, so memory stays bounded
            for idle in [
                u for u, times in self._recent.items() if not times or now - times[-1] >= self._per
            ]:
                del self._recent[idle]
        return None
