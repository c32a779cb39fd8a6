from bot.ratelimit import UserRateLimiter
from tests.harness.clock import ManualClock


def test_ten_per_ten_seconds_per_person():
    clock = ManualClock()
    limiter = UserRateLimiter(limit=10, per_seconds=10, clock=clock)
    assert all(limiter.allow("U1") is None for _ in range(10))
    wait = limiter.allow("U1")
    assert wait is not None and 9.9 <= wait <= 10
    assert limiter.allow("U2") is None  # someone else is not affected
    clock.now = 10.0
    assert limiter.allow("U1") is None


def test_zero_limit_disables():
    limiter = UserRateLimiter(limit=0)
    assert all(limiter.allow("U") is None for _ in range(1000))


def test_memory_stays_bounded():
    clock = ManualClock()
    limiter = UserRateLimiter(limit=1, per_seconds=1, clock=clock, max_users=100)
    for i in range(1000):
        clock.now += 2
        limiter.allow(f"U{i}")
    assert len(limiter._recent) <= 101
