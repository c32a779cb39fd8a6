"""Pacing of posts per channel: Slack allows about one chat.postMessage per second per channel,
with short bursts. A token bucket per channel keeps Podium inside that, so a fast-clicking
instructor never earns the room a 429.

Posts wait in two ranks: the instructor's slides first, then everything else (questions, shared
answers) in arrival order, so forty questions in the queue never hold back `/slides next`."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

FIRST, LATER = 0, 1  # ranks: slides, then the rest


@dataclass
class _Bucket:
    tokens: float
    updated: float
    waiting: list[tuple[int, int]] = field(default_factory=list)  # heap of (rank, arrival)
    turn: asyncio.Event = field(default_factory=asyncio.Event)  # set when the head may have changed


class ChannelPacer:
    def __init__(
        self,
        *,
        interval: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}
        self._arrivals = itertools.count()

    async def wait(self, channel: str, *, first: bool = False) -> None:
        """Return when a post to `channel` fits the budget. Callers wait in arrival order within
        their rank; `first` (the instructor's slides) goes before every other waiting post."""
        if self._interval <= 0:
            return
        bucket = self._buckets.get(channel)
        if bucket is None:
            bucket = self._buckets[channel] = _Bucket(float(self._burst), self._clock())
        ticket = (FIRST if first else LATER, next(self._arrivals))
        heapq.heappush(bucket.waiting, ticket)
        self._head_changed(bucket)
        try:
            while True:
                if bucket.waiting[0] != ticket:
                    await bucket.turn.wait()
                    continue
                now = self._clock()
                bucket.tokens = min(
                    self._burst, bucket.tokens + (now - bucket.updated) / self._interval
                )
                bucket.updated = now
                if bucket.tokens >= 1:
                    bucket.tokens -= 1
                    return
                await self._sleep((1 - bucket.tokens) * self._interval)
        finally:  # served or cancelled: leave the queue and let the next one look
            bucket.waiting.remove(ticket)
            heapq.heapify(bucket.waiting)
            self._head_changed(bucket)

    @staticmethod
    def _head_changed(bucket: _Bucket) -> None:
        bucket.turn.set()
        bucket.turn = asyncio.Event()
