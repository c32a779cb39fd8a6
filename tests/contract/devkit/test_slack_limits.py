"""Issue 13, pacing: Slack's rate limits as the stand-in models them (per-channel posts, tiered
methods, limits off or faster for tests). Pure code, a fake clock; the stand-in's, so not in the
unit tier (which tests bot/ alone)."""

from __future__ import annotations

from podium_devkit.slack_limits import METHOD_TIERS, TIER_3, RateLimiter, RateLimits
from tests.harness.clock import ManualClock


def test_a_channel_takes_a_burst_then_one_post_per_second():
    clock = ManualClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert [limiter.retry_after("chat.postMessage", "C1") for _ in range(4)] == [None] * 4
    assert limiter.retry_after("chat.postMessage", "C1") == 1  # the fifth: 429, Retry-After 1
    assert limiter.retry_after("chat.postMessage", "C2") is None  # each channel has its own budget
    clock.now += 1.0
    assert limiter.retry_after("chat.postMessage", "C1") is None
    assert (
        limiter.retry_after("chat.postMessage", "C1") == 1
    )  # a refused call cost nothing, still one per second


def test_tiered_methods_allow_their_minute_then_answer_with_the_wait():
    clock = ManualClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert METHOD_TIERS["chat.update"] == TIER_3 == 50
    assert all(limiter.retry_after("chat.update", None) is None for _ in range(50))
    assert limiter.retry_after("chat.update", None) == 2  # 60 s / 50 = 1.2 s → Retry-After 2
    assert limiter.retry_after("views.publish", None) is None  # per method
    assert limiter.retry_after("auth.test", None) is None  # not limited here


def test_limits_off_and_faster_paces_are_explicit():
    clock = ManualClock()
    off = RateLimiter(RateLimits.off(), clock)
    assert all(off.retry_after("chat.postMessage", "C1") is None for _ in range(100))
    fast = RateLimiter(RateLimits(channel_posts_per_second=5.0), clock)
    assert [fast.retry_after("chat.postMessage", "C1") for _ in range(5)][-1] == 1
    clock.now += 0.2
    assert fast.retry_after("chat.postMessage", "C1") is None
