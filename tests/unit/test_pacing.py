import asyncio

from bot.slack.pacing import ChannelPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_burst_then_one_per_interval():
    clock = FakeClock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    pacer = ChannelPacer(interval=1.0, burst=3, clock=clock, sleep=fake_sleep)
    for _ in range(6):
        await pacer.wait("C1")
    assert clock.now == 3.0  # three at once, then one per second
    await pacer.wait("C2")  # another channel has its own budget
    assert clock.now == 3.0


async def test_zero_interval_never_waits():
    pacer = ChannelPacer(interval=0)
    done = await asyncio.wait_for(asyncio.gather(*(pacer.wait("C") for _ in range(100))), timeout=1)
    assert len(done) == 100
