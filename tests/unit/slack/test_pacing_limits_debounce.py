"""Issue 13, pacing: the Debouncer that coalesces refreshes, and which namespace a slide's ▶ Run
reads. Pure code, fake clocks. (Slack's rate limits as the stand-in models them:
tests/contract/devkit/test_slack_limits.py.)"""

from __future__ import annotations

import asyncio

from bot.kubectl.grammar import in_namespace
from bot.slack.debounce import Debouncer
from tests.harness.clock import ManualClock


async def test_debouncer_runs_the_first_at_once_and_coalesces_the_rest():
    clock = ManualClock()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    runs: list[str] = []

    def refresh(name: str):
        async def run() -> None:
            runs.append(name)

        return run

    debouncer = Debouncer(interval=3.0, clock=clock, sleep=sleep)
    debouncer.schedule("room", refresh("first"))
    await debouncer.flush()
    assert runs == ["first"] and sleeps == []
    for name in ("second", "third", "fourth"):
        debouncer.schedule("room", refresh(name))
    debouncer.schedule("other room", refresh("elsewhere"))
    await debouncer.flush()
    assert runs[0] == "first" and sorted(runs[1:]) == [
        "elsewhere",
        "fourth",
    ]  # one run for three changes: the latest
    assert sleeps == [3.0]


async def test_debouncer_survives_a_failing_refresh_and_close_cancels():
    debouncer = Debouncer(interval=0.0)

    async def boom() -> None:
        raise RuntimeError("slack is down")

    debouncer.schedule("k", boom)
    await debouncer.flush()
    ran = asyncio.Event()
    calls: list[str] = []

    async def ok() -> None:
        calls.append("ok")
        ran.set()

    debouncer.schedule("k", ok)
    await asyncio.wait_for(ran.wait(), 1)
    assert calls == ["ok"]  # the failed refresh did not stop the next one
    slow = Debouncer(interval=60.0)
    slow.schedule("k", ok)
    await slow.flush()
    assert calls == ["ok", "ok"]  # the first of a key runs at once
    slow.schedule("k", ok)  # waits 60 s for its turn
    await asyncio.wait_for(slow.close(), 1)
    assert calls == ["ok", "ok"]  # close cancelled it rather than running or waiting for it


def test_run_on_an_exercise_slide_reads_the_pressers_namespace_unless_one_is_named():
    assert (
        in_namespace("get pod web-with-sidecar", "ws-u0alice")
        == "get pod web-with-sidecar -n ws-u0alice"
    )
    assert in_namespace("get pods -n sandbox", "ws-u0alice") == "get pods -n sandbox"
    assert (
        in_namespace("get pods --namespace=sandbox", "ws-u0alice") == "get pods --namespace=sandbox"
    )
    assert in_namespace("get pods -A", "ws-u0alice") == "get pods -A"
