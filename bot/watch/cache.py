"""The pure parts of a namespace stream: what changed between two lists, how long to wait before
trying again, how long each watch asks the server to keep it open. No I/O, no client."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.watch.ports import ChangeType

Obj = Mapping[str, Any]

# client-go's reflector asks for watches of minWatchTimeout (5 min) times 1..2, so that many
# clients reconnect spread out instead of all at once.
MIN_WATCH_SECONDS = 300


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def version_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def uid_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def by_name(items: list[Obj]) -> dict[str, Obj]:
    """A list's items keyed by name (names are unique per kind in one namespace); nameless
    items, which no API server sends, are dropped."""
    return {name: item for item in items if (name := name_of(item))}


def differences(old: Mapping[str, Obj], new: Mapping[str, Obj]) -> Iterator[tuple[ChangeType, Obj]]:
    """What a re-list tells that the watch missed: objects gone (DELETED, with the last state the
    stream knew), changed (MODIFIED: another resourceVersion) and new (ADDED), deletions first.
    An object deleted and created again under the same name (another uid) is both: DELETED with
    its old state, then ADDED."""
    for name in sorted(old.keys() - new.keys()):
        yield "DELETED", old[name]
    for name in sorted(new):
        before, after = old.get(name), new[name]
        if before is None:
            yield "ADDED", after
        elif uid_of(before) != uid_of(after):
            yield "DELETED", before
            yield "ADDED", after
        elif version_of(before) != version_of(after):
            yield "MODIFIED", after


def must_relist(code: int | None, message: str) -> bool:
    """Whether a watch's error means the version it watched from is unusable, so the stream
    lists again (client-go's reflector does the same): 410 Gone/Expired, or the API server's
    "Too large resource version" (504), e.g. after the cluster's store was restored."""
    return code == 410 or (code == 504 and "too large resource version" in message[:200].lower())


def watch_seconds(rng: random.Random) -> int:
    """How long one watch asks to stay open: 300-600 s, jittered like kubectl's."""
    return MIN_WATCH_SECONDS + rng.randrange(MIN_WATCH_SECONDS + 1)


@dataclass
class Backoff:
    """Exponential back-off with jitter: `first` doubling up to `cap` seconds, each wait drawn
    from the upper half of the step (never zero, so a dead server is not hammered), back to
    `first` after `reset()` (a healthy watch)."""

    first: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self) -> float:
        step = min(self.cap, self.first * 2.0 ** min(self.failures, 32))
        self.failures += 1
        return step / 2 + self.rng.random() * step / 2

    def reset(self) -> None:
        self.failures = 0
