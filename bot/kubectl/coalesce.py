"""Identical cluster reads share one API request.

When a room of 200 runs `/kubectl get pods` in the same second, the API server should see one
list, not 200. Reads in flight are shared, and a result stays fresh for a short window (about a
second) measured from when its request started, so an answer is never older than the window.
Errors are shared by the waiters of that request but never kept.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def _same(result: Any) -> Any:
    return result


def _always(result: Any) -> bool:
    return True


@dataclass
class _Flight:
    """One request in flight and the callers waiting on it."""

    future: asyncio.Future[Any]
    waiting: int = 0
    kept: bool = False  # served again from the fresh window, so nobody may own it


class ReadCoalescer:
    def __init__(
        self,
        *,
        window: float = 1.0,
        max_entries: int = 512,
        clock: Callable[[], float] = time.monotonic,
        copy_results: bool = True,
        keep: Callable[[Any], bool] = _always,
    ) -> None:
        self._window = window
        # Mutable results (API objects) are copied per caller; immutable ones need not be.
        self._copy: Callable[[Any], Any] = copy.deepcopy if copy_results else _same
        self._keep = keep  # which results may be served again within the window
        self._max_entries = max_entries
        self._clock = clock
        self._fresh: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._in_flight: dict[Hashable, _Flight] = {}

    async def read(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        cached = self._fresh.get(key)
        if cached is not None and now - cached[0] <= self._window:
            fresh: T = self._copy(cached[1])  # callers may change what they get; the cache must not
            return fresh
        flight = self._in_flight.get(key)
        if flight is None:
            flight = self._start(key, fetch, now)
        flight.waiting += 1
        # shield: one impatient caller giving up must not cancel the request the others wait on
        result: T = await asyncio.shield(flight.future)
        flight.waiting -= 1
        if flight.waiting == 0 and not flight.kept:
            # The last caller to wake, of a result nobody else will see: it may have the original
            # (the others copied theirs when they woke). A lone caller with the cache off pays no copy.
            return result
        copied: T = self._copy(result)
        return copied

    def _start(self, key: Hashable, fetch: Callable[[], Awaitable[Any]], started: float) -> _Flight:
        flight = _Flight(asyncio.ensure_future(fetch()))
        self._in_flight[key] = flight

        def finished(_: asyncio.Future[Any]) -> None:
            self._finished(key, flight, started)

        flight.future.add_done_callback(finished)
        return flight

    def _finished(self, key: Hashable, flight: _Flight, started: float) -> None:
        self._in_flight.pop(key, None)
        done = flight.future
        if done.cancelled() or done.exception() is not None or self._window <= 0:
            return
        if not self._keep(done.result()):
            return
        flight.kept = True
        self._fresh[key] = (started, done.result())
        self._fresh.move_to_end(key)
        while len(self._fresh) > self._max_entries:
            self._fresh.popitem(last=False)
