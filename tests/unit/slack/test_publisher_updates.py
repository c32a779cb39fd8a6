"""Publisher.update: every chat.update goes through the app's one budget; a 429 pauses it for
Retry-After and the edit is tried again; other refusals reach the feature as they are."""

import asyncio
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.pacing import ChannelPacer, UpdateBudget
from bot.slack.publisher import UPDATE_ATTEMPTS, Publisher, retry_after
from tests.harness.clock import ManualClock


class _Answer(dict[str, Any]):
    def __init__(self, error: str, status: int, headers: dict[str, str]) -> None:
        super().__init__(ok=False, error=error)
        self.status_code = status
        self.headers = headers


def _limited(seconds: str = "3") -> SlackApiError:
    return SlackApiError("ratelimited", _Answer("ratelimited", 429, {"Retry-After": seconds}))


class _Client:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls: list[tuple[str, str, str]] = []

    async def chat_update(self, *, channel: str, ts: str, **message: Any) -> dict[str, Any]:
        self.calls.append((channel, ts, str(message.get("text"))))
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}


def _publisher(client: _Client) -> tuple[Publisher, ManualClock]:
    clock = ManualClock()

    async def fake_sleep(seconds: float) -> None:
        for _ in range(3):  # a sleep lets other tasks run, as a real one would
            await asyncio.sleep(0)
        clock.now += seconds

    budget = UpdateBudget(per_minute=60, burst=5, clock=clock, sleep=fake_sleep)
    publisher = Publisher(client, ChannelPacer(interval=0), None, budget)  # type: ignore[arg-type]
    return publisher, clock


async def test_a_429_pauses_the_budget_for_retry_after_then_the_edit_is_sent():
    client = _Client([_limited("3")])
    publisher, clock = _publisher(client)
    await publisher.update("C1", "1.0", {"text": "slide 2"}, first=True)
    assert client.calls == [("C1", "1.0", "slide 2")] * 2
    assert clock.now == 3.0
    await publisher.update("C2", "2.0", {"text": "board"}, background=True)
    assert clock.now == 4.0  # the next edit anywhere waits its turn after the pause


async def test_a_lasting_429_reaches_the_feature_after_the_attempts():
    client = _Client([_limited("1") for _ in range(UPDATE_ATTEMPTS)])
    publisher, _ = _publisher(client)
    with pytest.raises(SlackApiError):
        await publisher.update("C1", "1.0", {"text": "x"})
    assert len(client.calls) == UPDATE_ATTEMPTS


async def test_a_429_streak_longer_than_a_minute_reaches_the_feature():
    client = _Client([_limited("25") for _ in range(UPDATE_ATTEMPTS)])
    publisher, clock = _publisher(client)
    with pytest.raises(SlackApiError):
        await publisher.update("C1", "1.0", {"text": "x"}, first=True)
    assert len(client.calls) == 3 and clock.now == 50.0  # 25 + 25 waited; a third 25 is too long


async def test_other_refusals_are_raised_at_once():
    gone = SlackApiError("gone", _Answer("message_not_found", 200, {}))
    client = _Client([gone])
    publisher, clock = _publisher(client)
    with pytest.raises(SlackApiError):
        await publisher.update("C1", "1.0", {"text": "x"})
    assert len(client.calls) == 1 and clock.now == 0


async def test_a_replaced_background_edit_sends_nothing_and_the_newer_one_is_sent():
    client = _Client([])
    publisher, _ = _publisher(client)
    publisher.updates.pause(2)  # everyone waits: the two edits of one message meet in the queue
    older = asyncio.create_task(publisher.update("C1", "9.0", {"text": "old"}, background=True))
    await asyncio.sleep(0)
    newer = asyncio.create_task(publisher.update("C1", "9.0", {"text": "new"}, background=True))
    await asyncio.gather(older, newer)
    assert client.calls == [("C1", "9.0", "new")]


def test_retry_after_reads_slacks_header_within_bounds():
    assert retry_after(_limited("12")) == 12.0
    assert retry_after(_limited("junk")) == 1.0
    assert retry_after(_limited("100000")) == 300.0
    assert retry_after(SlackApiError("x", _Answer("not_in_channel", 200, {}))) is None
    assert retry_after(ValueError("x")) is None
