"""Recent answers, so that "Share in channel" posts exactly what the person saw.
Bounded in size and age; after a restart the button's command is simply run again."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from bot.kubectl.answer import Answer


class AnswerCache:
    def __init__(
        self,
        *,
        max_entries: int = 1_000,
        max_age_seconds: float = 1_800,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, Answer]] = OrderedDict()
        self._max_entries = max_entries
        self._max_age = max_age_seconds
        self._clock = clock

    def put(self, answer: Answer) -> str:
        key = uuid.uuid4().hex
        self._entries[key] = (self._clock(), answer)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return key

    def get(self, key: str) -> Answer | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, answer = entry
        if self._clock() - stored_at > self._max_age:
            del self._entries[key]
            return None
        return answer
