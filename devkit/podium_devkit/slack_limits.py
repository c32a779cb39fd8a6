"""Slack's rate limits, as the stand-in enforces them by default.

What Slack documents (api.slack.com/apis/rate-limits, and each method's page):
- `chat.postMessage`: about one message per second per channel, short bursts allowed; every post
  into a channel counts, thread replies included (a DM is a channel too);
- the other methods are in tiers, evaluated per method, per app and workspace, per minute with
  bursts tolerated: Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min;
- beyond the budget: HTTP 429, a `Retry-After` header in whole seconds, `{"ok": false,
  "error": "ratelimited"}`.

Modelled as token buckets: a channel holds `channel_burst` posts and regains one per
`1 / channel_posts_per_second` seconds; a tiered method holds its per-minute count and regains
it over the minute. A refused call costs nothing. `RateLimits.off()` is for a test that
deliberately floods Slack and says so.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100  # calls per minute

# Per-method tiers from each method's documentation page (the methods the stand-in serves).
METHOD_TIERS: Mapping[str, int] = MappingProxyType(
    {
        "chat.update": TIER_3,
        "chat.delete": TIER_3,
        "chat.postEphemeral": TIER_4,
        "chat.getPermalink": TIER_4,
        "conversations.history": TIER_3,
        "conversations.replies": TIER_3,
        "conversations.info": TIER_3,
        "conversations.members": TIER_4,
        "conversations.open": TIER_3,
        "users.info": TIER_4,
        "views.publish": TIER_4,
        "views.open": TIER_4,
        "views.push": TIER_4,
        "views.update": TIER_4,
        "reactions.add": TIER_3,
        "reactions.remove": TIER_2,
        "files.getUploadURLExternal": TIER_4,
        "files.completeUploadExternal": TIER_4,
        "files.info": TIER_4,
    }
)

CHANNEL_POST_METHOD = "chat.postMessage"


@dataclass(frozen=True)
class RateLimits:
    """What the stand-in enforces. The defaults are Slack's."""

    enabled: bool = True
    channel_posts_per_second: float = 1.0
    channel_burst: int = 4  # "short bursts": a few posts at once, then one per second
    method_per_minute: Mapping[str, int] = field(default_factory=lambda: dict(METHOD_TIERS))

    @classmethod
    def off(cls) -> RateLimits:
        return cls(enabled=False)


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float | None:
        """Spend one token; None if there was one, else the seconds until there is."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.per_second


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def retry_after(self, method: str, channel: str | None) -> int | None:
        """None when the call fits its budget (and is counted); else the whole seconds of
        `Retry-After` Slack would answer with (at least 1)."""
        if not self.limits.enabled:
            return None
        if method == CHANNEL_POST_METHOD:
            if not channel:
                return None  # refused elsewhere (channel_not_found)
            key = (method, channel)
            capacity, per_second = (
                float(self.limits.channel_burst),
                self.limits.channel_posts_per_second,
            )
        elif method in self.limits.method_per_minute:
            key = (method, "")
            per_minute = self.limits.method_per_minute[method]
            capacity, per_second = float(per_minute), per_minute / 60.0
        else:
            return None
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
        wait = bucket.take(now)
        return None if wait is None else max(1, math.ceil(wait))
