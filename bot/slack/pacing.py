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


# chat.update ranks: the instructor's slides, then what people wait for (the questions board,
# shared answers), then background edits (`get -w`, the room board), which coalesce.
SLIDES, WAITED_FOR, BACKGROUND = 0, 1, 2
# chat.update is Tier 3: about 50 a minute for the whole app and workspace. Podium keeps under it.
UPDATES_PER_MINUTE = 45
UPDATE_BURST = 20  # a room's worth of watches, or an instructor clicking through slides


class UpdateBudget:
    """One token bucket for every `chat.update` Podium makes (Slack counts them per app, not per
    channel or feature). Edits wait in three ranks, arrival order within a rank. A background edit
    of a message that already has one waiting takes its place: only a message's latest content
    matters, so the older caller is told it was replaced (`wait` returns False) and sends nothing.
    A 429 pauses the bucket for Retry-After, for every caller at once."""

    def __init__(
        self,
        *,
        per_minute: float = UPDATES_PER_MINUTE,
        burst: int = UPDATE_BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._burst = float(max(1, burst))
        self._clock = clock
        self._sleep = sleep
        self._bucket = _Bucket(self._burst, clock())
        self._arrivals = itertools.count()
        self._background: dict[tuple[str, str], tuple[int, int]] = {}  # message -> its ticket
        self._replaced: set[tuple[int, int]] = set()
        self._paused_until = 0.0

    @property
    def waiting(self) -> int:
        return len(self._bucket.waiting)

    def pause(self, seconds: float) -> None:
        """Slack answered 429 with Retry-After `seconds`: nobody updates before then, and then
        the bucket starts from one token (Slack's own bucket is empty until then)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self._bucket.tokens = 1.0
            self._bucket.updated = until
            self._head_changed()

    async def wait(self, channel: str, ts: str, *, rank: int = WAITED_FOR) -> bool:
        """Return True when this edit of message (`channel`, `ts`) may be sent (one token spent);
        False when a newer background edit of the same message replaced it (nothing spent)."""
        if self._interval <= 0:
            return True
        bucket = self._bucket
        ticket = (rank, next(self._arrivals))
        if rank == BACKGROUND:
            older = self._background.get((channel, ts))
            if older is not None:
                self._replaced.add(older)  # woken by _head_changed below: it leaves at once
            self._background[(channel, ts)] = ticket
        heapq.heappush(bucket.waiting, ticket)
        self._head_changed()
        try:
            while True:
                if ticket in self._replaced:
                    return False
                if bucket.waiting[0] != ticket:
                    await bucket.turn.wait()
                    continue
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                bucket.tokens = min(
                    self._burst, bucket.tokens + max(0.0, now - bucket.updated) / self._interval
                )
                bucket.updated = max(bucket.updated, now)
                if bucket.tokens >= 1:
                    bucket.tokens -= 1
                    return True
                await self._sleep((1 - bucket.tokens) * self._interval)
        finally:  # served, replaced or cancelled: leave the queue and let the next one look
            self._replaced.discard(ticket)
            if self._background.get((channel, ts)) == ticket:
                del self._background[(channel, ts)]
            bucket.waiting.remove(ticket)
            heapq.heapify(bucket.waiting)
            self._head_changed()

    def _head_changed(self) -> None:
        self._bucket.turn.set()
        self._bucket.turn = asyncio.Event()
