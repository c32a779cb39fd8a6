"""Refreshes that may be coalesced: at most one run per key every `interval` seconds.

An upvote storm on a question makes the question's message and the live "Any questions?" slide
stale many times a second; Slack allows ~50 `chat.update` a minute for the whole app, and each
one answered 429 waits Retry-After seconds. So a refresh is scheduled, not awaited: the first one
runs at once, later ones within `interval` merge into one run at the end of the interval (which
reads the state as it is then). The caller never waits for Slack, and so never holds a lock
(the presenter's per-channel lock) while Slack makes it wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Refresh = Callable[[], Awaitable[None]]


@dataclass
class _Slot:
    last_started: float
    pending: Refresh | None = None
    task: asyncio.Task[None] | None = None


class Debouncer:
    def __init__(
        self,
        *,
        interval: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[Hashable, _Slot] = {}

    def schedule(self, key: Hashable, refresh: Refresh) -> None:
        """Run `refresh` for `key` soon: now if the last run started `interval` ago, else once at
        the end of the interval (the latest `refresh` scheduled wins)."""
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot(last_started=self._clock() - self._interval)
        slot.pending = refresh
        if slot.task is None or slot.task.done():
            slot.task = asyncio.create_task(self._drain(key, slot))

    async def _drain(self, key: Hashable, slot: _Slot) -> None:
        while slot.pending is not None:
            wait = slot.last_started + self._interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
            refresh, slot.pending = slot.pending, None
            slot.last_started = self._clock()
            try:
                await refresh()
            except (
                Exception
            ):  # a stale count is not worth a failure; the next change refreshes again
                log.exception("refresh of %s failed", key)

    async def flush(self) -> None:
        """Wait until every scheduled refresh has run (tests, shutdown)."""
        while tasks := [
            slot.task for slot in self._slots.values() if slot.task and not slot.task.done()
        ]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Drop what is still scheduled (shutting down: the state it would show is saved)."""
        tasks = [
            slot.task
            for slot in self._slots.values()
            if slot.task is not None and not slot.task.done()
        ]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
