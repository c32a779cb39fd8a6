import asyncio

from bot.slack.pacing import ChannelPacer
from tests.harness.clock import ManualClock


async def test_burst_then_one_per_interval():
    clock = ManualClock()
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


async def test_slides_go_before_every_post_already_waiting():
    clock = ManualClock()

    async def fake_sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock.now += seconds

    pacer = ChannelPacer(interval=1.0, burst=1, clock=clock, sleep=fake_sleep)
    order: list[str] = []

    async def post(name: str, first: bool = False) -> None:
        await pacer.wait("C1", first=first)
        order.append(name)

    questions = [asyncio.create_task(post(f"q{i}")) for i in range(10)]
    await asyncio.sleep(0)  # the questions are queued (the first one took the only token)
    slide = asyncio.create_task(post("slide", first=True))
    await asyncio.gather(*questions, slide)
    assert (
        order.index("slide") <= 2
    )  # behind at most the post holding the token and the one sleeping
    assert [n for n in order if n != "slide"] == [
        f"q{i}" for i in range(10)
    ]  # the rest in arrival order
    assert clock.now >= 10.0  # the pace is kept: 11 posts, one token a second after the first


async def test_a_cancelled_waiter_leaves_the_queue():
    clock = ManualClock()

    async def fake_sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock.now += seconds

    pacer = ChannelPacer(interval=1.0, burst=1, clock=clock, sleep=fake_sleep)
    await pacer.wait("C1")
    gone = asyncio.create_task(pacer.wait("C1"))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.wait_for(pacer.wait("C1", first=True), timeout=1)
    assert gone.cancelled()  # and the slide behind it was not held up by the cancelled waiter
