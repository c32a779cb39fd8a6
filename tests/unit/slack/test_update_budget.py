"""The app's one chat.update budget (bot/slack/pacing.py UpdateBudget) on a fake clock: the
burst, then the pace; ranks; background edits of one message coalescing; a 429's pause."""

import asyncio

from bot.slack.pacing import BACKGROUND, SLIDES, WAITED_FOR, UpdateBudget
from tests.harness.clock import ManualClock


def _budget(per_minute: float = 60, burst: int = 2) -> tuple[UpdateBudget, ManualClock]:
    clock = ManualClock()

    async def fake_sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock.now += seconds

    return UpdateBudget(per_minute=per_minute, burst=burst, clock=clock, sleep=fake_sleep), clock


async def test_a_burst_at_once_then_the_per_minute_pace_for_every_message():
    budget, clock = _budget(per_minute=60, burst=3)
    for i in range(3):
        assert await budget.wait("C1", f"{i}.0")
    assert clock.now == 0  # the burst costs no wait
    for i in range(3):
        assert await budget.wait("C2", f"{i}.1")  # another channel shares the same budget
    assert clock.now == 3.0  # then one a second (60 a minute)


async def test_slides_go_first_then_what_people_wait_for_then_background():
    budget, clock = _budget(per_minute=60, burst=1)
    order: list[str] = []

    async def edit(name: str, rank: int) -> None:
        if await budget.wait("C1", name, rank=rank):
            order.append(name)

    assert await budget.wait("C1", "0.0")  # the only token: everyone after this waits
    tasks = [asyncio.create_task(edit(f"watch{i}", BACKGROUND)) for i in range(5)]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(edit(f"question{i}", WAITED_FOR)) for i in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(edit("slide", SLIDES)))
    await asyncio.gather(*tasks)
    # Only the edits that were at the head, already sleeping for the next token, when the slide
    # came may go before it (the fake sleep moves the clock for each sleeper); nothing else does.
    ahead = order.index("slide")
    assert set(order[:ahead]) <= {"watch0", "question0"}
    rest = [name for name in order if name != "slide"]
    questions = [rest.index(f"question{i}") for i in range(3)]
    watches = [rest.index(f"watch{i}") for i in range(5) if rest.index(f"watch{i}") > ahead]
    assert questions == sorted(questions) and all(q < w for q in questions for w in watches)
    assert len(order) == 9 and clock.now >= 9.0  # nine edits after the first, one a second


async def test_a_newer_background_edit_of_a_message_replaces_the_waiting_one():
    budget, _ = _budget(per_minute=60, burst=1)
    assert await budget.wait("C1", "1.0")
    first = asyncio.create_task(budget.wait("C1", "2.0", rank=BACKGROUND))
    other = asyncio.create_task(budget.wait("C1", "3.0", rank=BACKGROUND))
    await asyncio.sleep(0)
    newer = asyncio.create_task(budget.wait("C1", "3.0", rank=BACKGROUND))
    results = await asyncio.gather(first, other, newer)
    assert results == [True, False, True]  # message 3.0 is edited once, with the newer content
    assert budget.waiting == 0


async def test_edits_people_wait_for_are_never_coalesced():
    budget, _ = _budget(per_minute=60, burst=1)
    assert await budget.wait("C1", "1.0")
    twice = [asyncio.create_task(budget.wait("C1", "2.0", rank=WAITED_FOR)) for _ in range(2)]
    assert await asyncio.gather(*twice) == [True, True]


async def test_a_429_pauses_every_caller_for_retry_after():
    budget, clock = _budget(per_minute=60, burst=5)
    assert await budget.wait("C1", "1.0")
    budget.pause(7)  # Slack said Retry-After: 7, whatever our own count says
    assert await budget.wait("C1", "2.0", rank=SLIDES)
    assert clock.now == 7.0  # even the slides wait it out
    assert await budget.wait("C2", "3.0")
    assert clock.now == 8.0  # and then the pace starts again from one token, not a burst


async def test_a_pause_reaches_callers_already_waiting():
    budget, clock = _budget(per_minute=60, burst=1)
    assert await budget.wait("C1", "1.0")
    waiting = asyncio.create_task(budget.wait("C1", "2.0", rank=BACKGROUND))
    await asyncio.sleep(0)
    budget.pause(30)
    assert await waiting
    assert clock.now >= 30.0


async def test_a_cancelled_edit_leaves_the_queue_without_holding_the_next():
    budget, _ = _budget(per_minute=60, burst=1)
    assert await budget.wait("C1", "1.0")
    gone = asyncio.create_task(budget.wait("C1", "2.0", rank=BACKGROUND))
    await asyncio.sleep(0)
    gone.cancel()
    assert await asyncio.wait_for(budget.wait("C1", "2.0", rank=BACKGROUND), timeout=5)
    assert gone.cancelled() and budget.waiting == 0
