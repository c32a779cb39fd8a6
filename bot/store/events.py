"""Events Podium has taken on, so each is answered once: Slack redelivers an event it believes
was lost (HTTP retries with X-Slack-Retry-Num, Socket Mode re-sends), also after a restart.

Claiming is one INSERT on the primary key, so two deliveries racing each other (or two replicas
sharing a Socket Mode app) cannot both win. An event is claimed before it is answered: a crash
in between loses that one answer rather than risking two.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store.db import Database

# Slack retries within minutes (immediately, after 1 and after 5 minutes); a day is ample.
KEEP_SECONDS = 24 * 60 * 60
PRUNE_EVERY_SECONDS = 60 * 60


class ProcessedEvents:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
        self._pruned_at = 0.0

    async def claim(self, event_id: str) -> bool:
        """True the first time an event is seen (answer it); False for every redelivery."""
        now = self._clock()
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            await self.prune(now - KEEP_SECONDS)
        added = await self._db.execute(
            "INSERT OR IGNORE INTO processed_events (event_id, seen_at) VALUES (?, ?)",
            (event_id, now),
        )
        return added == 1

    async def prune(self, before: float) -> int:
        """Forget events seen before `before` (epoch seconds); returns how many."""
        return await self._db.execute("DELETE FROM processed_events WHERE seen_at < ?", (before,))
