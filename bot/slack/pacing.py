"""Pacing of posts per channel: Slack allows about one chat.postMessage per second per channel,
with short bursts. A token bucket per channel keeps Podium inside that, so a fast-clicking
instructor never earns the room a 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    lock: asyncio.Lock


class ChannelPacer:
    def __init__(self, *, interval: float = 1.0, burst: int = 3,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._interval = interval
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    async def wait(self, channel: str) -> None:
        """Return when a post to `channel` fits the budget; callers wait in arrival order."""
        if self._interval <= 0:
            return
        bucket = self._buckets.setdefault(channel, _Bucket(float(self._burst), self._clock(), asyncio.Lock()))
        async with bucket.lock:
            while True:
                now = self._clock()
                bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) / self._interval)
                bucket.updated = now
                if bucket.tokens >= 1:
                    bucket.tokens -= 1
                    return
                await self._sleep((1 - bucket.tokens) * self._interval)
