import asyncio

import pytest

from bot.kubectl.coalesce import ReadCoalescer
from tests.harness.clock import ManualClock


async def test_concurrent_identical_reads_share_one_request():
    calls = 0
    release = asyncio.Event()

    async def fetch():
        nonlocal calls
        calls += 1
        await release.wait()
        return {"items": [1, 2]}

    coalescer = ReadCoalescer(window=1.0)
    readers = [asyncio.create_task(coalescer.read(("list", "pods"), fetch)) for _ in range(200)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*readers)
    assert calls == 1 and all(r == {"items": [1, 2]} for r in results)
    results[0]["items"].append(3)  # one caller's changes never reach another
    assert results[1] == {"items": [1, 2]}


async def test_fresh_within_the_window_then_asked_again():
    clock = ManualClock(100.0)
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1
        return calls

    coalescer = ReadCoalescer(window=1.0, clock=clock)
    assert await coalescer.read("k", fetch) == 1
    clock.now += 0.9
    assert await coalescer.read("k", fetch) == 1
    clock.now += 0.2  # 1.1 s after the first request started: too old
    assert await coalescer.read("k", fetch) == 2
    assert await coalescer.read("other", fetch) == 3


async def test_errors_are_shared_but_not_kept():
    calls = 0

    async def fail():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    coalescer = ReadCoalescer(window=10)
    results = await asyncio.gather(
        *(coalescer.read("k", fail) for _ in range(5)), return_exceptions=True
    )
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await coalescer.read("k", fail)
    assert calls == 2


async def test_a_cancelled_reader_does_not_cancel_the_others():
    release = asyncio.Event()

    async def fetch():
        await release.wait()
        return "done"

    coalescer = ReadCoalescer(window=1)
    first = asyncio.create_task(coalescer.read("k", fetch))
    second = asyncio.create_task(coalescer.read("k", fetch))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == "done"


async def test_zero_window_still_coalesces_in_flight_reads():
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return calls

    coalescer = ReadCoalescer(window=0)
    assert await asyncio.gather(coalescer.read("k", fetch), coalescer.read("k", fetch)) == [1, 1]
    assert await coalescer.read("k", fetch) == 2


async def test_uncopied_results_and_results_not_worth_keeping():
    calls = 0

    async def fetch():
        nonlocal calls
        calls += 1
        return ("answer", calls)

    shared = ReadCoalescer(window=10, copy_results=False, keep=lambda result: result[1] > 1)
    first = await shared.read("k", fetch)
    assert first == ("answer", 1)
    assert await shared.read("k", fetch) == ("answer", 2)  # the first was not kept
    again = await shared.read("k", fetch)
    assert again == ("answer", 2) and calls == 2  # the second was, and is handed out as is


async def test_a_lone_reader_of_an_unkept_result_gets_the_original_without_a_copy():
    original = {"items": [1]}

    async def fetch():
        return original

    coalescer = ReadCoalescer(window=0)
    assert await coalescer.read("k", fetch) is original  # nobody else will see it: no copy needed


async def test_shared_or_kept_results_are_copied_for_every_reader_but_the_last():
    release = asyncio.Event()
    original = {"items": [1]}

    async def fetch():
        await release.wait()
        return original

    uncached = ReadCoalescer(window=0)
    readers = [asyncio.create_task(uncached.read("k", fetch)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*readers)
    assert sum(result is original for result in results) == 1  # only the last to wake owns it
    results[0]["items"].append(2)
    assert results[1] == {"items": [1]} and results[2] == {"items": [1]}

    cached = ReadCoalescer(window=10)
    first = await cached.read("k", fetch)
    assert first == original and first is not original  # kept for others: the reader gets a copy
    first["items"].append(3)
    assert await cached.read("k", fetch) == {"items": [1]}
