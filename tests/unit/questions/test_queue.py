"""QuestionQueue in process, against fakes of the Protocols it needs from Slack (QuestionPublisher,
Refreshes): no Slack stand-in, no HTTP. The Slack side of the seam (Publisher.refusal_reason) is
tested at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.questions.queue import QuestionQueue
from bot.slack.places import Place, membership_advice
from bot.slack.publisher import Publisher
from bot.store import open_database
from bot.store.presentations import PresentationStore
from bot.store.questions import QuestionStore

ROOM = "C0ROOM"
TEACHER = "U0TEACHER"


class FakePublisher:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any], str | None]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []
        self.dms: list[tuple[str, dict[str, Any]]] = []
        self.refuse_with: Exception | None = None
        self.reason: str | None = None

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        first: bool = False,
    ) -> str:
        if self.refuse_with is not None and thread_ts is not None:
            raise self.refuse_with
        self.posts.append((channel, message, thread_ts))
        return f"{len(self.posts)}.000"

    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self.updates.append((channel, ts, message))

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        self.dms.append((user_id, message))
        return f"D{user_id}", "1.000"

    def refusal_reason(self, error: Exception, channel: str) -> str | None:
        return self.reason


class RecordingRefreshes:
    """Runs nothing on its own: the test decides when the scheduled refreshes run."""

    def __init__(self) -> None:
        self.scheduled: dict[Hashable, Callable[[], Awaitable[None]]] = {}

    def schedule(self, key: Hashable, refresh: Callable[[], Awaitable[None]]) -> None:
        self.scheduled[key] = refresh  # a later one for the same key replaces it: coalesced

    async def run(self) -> None:
        pending, self.scheduled = self.scheduled, {}
        for refresh in pending.values():
            await refresh()

    async def close(self) -> None:
        self.scheduled.clear()


@pytest.fixture
async def parts() -> AsyncIterator[
    tuple[QuestionQueue, FakePublisher, RecordingRefreshes, list[str]]
]:
    database = await open_database(":memory:")
    publisher, refreshes, changed = FakePublisher(), RecordingRefreshes(), []

    async def on_change(channel: str) -> None:
        changed.append(channel)

    queue = QuestionQueue(
        QuestionStore(database),
        PresentationStore(database),
        publisher,
        {},
        frozenset({TEACHER}),
        refreshes=refreshes,
        on_change=on_change,
    )
    yield queue, publisher, refreshes, changed
    await database.close()


async def test_a_question_goes_into_the_rooms_thread_and_reaches_the_instructor(parts):
    queue, publisher, refreshes, changed = parts
    reply = await queue.ask(ROOM, "U0ALICE", "What is a pod?", anonymous=False)
    assert "(Q1)" in reply.text and "questions thread" in reply.text
    [(_, header, header_thread), (_, question, thread)] = publisher.posts
    assert "Questions" in header["text"] and header_thread is None
    assert thread == "1.000"  # posted into the thread it opened
    assert "What is a pod?" in str(question)
    [(teacher, dm)] = publisher.dms  # no presentation runs: the instructor is told
    assert teacher == TEACHER and "Q1" in dm["text"]
    assert list(refreshes.scheduled) == [("room", ROOM)] and changed == []  # coalesced, not awaited
    await refreshes.run()
    assert changed == [ROOM]
    [open_question] = await queue.top(ROOM)
    assert open_question.message_ts == "2.000"


async def test_upvotes_are_coalesced_into_one_edit_per_question(parts):
    queue, publisher, refreshes, _ = parts
    await queue.ask(ROOM, "U0ALICE", "Why YAML?", anonymous=True)
    await refreshes.run()
    for voter in ("U0BOB", "U0CAROL", "U0DAN"):
        assert await queue.upvote(1, voter) is None
    assert (await queue.upvote(1, "U0BOB")).text == "You have already upvoted Q1."
    assert set(refreshes.scheduled) == {("question", 1), ("room", ROOM)}
    await refreshes.run()
    [(channel, ts, message)] = publisher.updates
    assert (channel, ts) == (ROOM, "2.000") and ":arrow_up_small: 3 votes" in str(message["blocks"])


async def test_a_refused_post_is_explained_and_not_queued(parts):
    queue, publisher, refreshes, _ = parts
    publisher.refuse_with, publisher.reason = RuntimeError("not_in_channel"), "Invite Podium first."
    reply = await queue.ask(ROOM, "U0ALICE", "Anyone there?", anonymous=False)
    assert reply.text == "Your question was not posted. Invite Podium first."
    assert await queue.top(ROOM) == [] and publisher.dms == [] and refreshes.scheduled == {}


async def test_a_failure_slack_does_not_explain_propagates_and_nothing_is_queued(parts):
    queue, publisher, _, _ = parts
    publisher.refuse_with = RuntimeError("boom")
    with pytest.raises(RuntimeError, match="boom"):
        await queue.ask(ROOM, "U0ALICE", "Still there?", anonymous=False)
    assert await queue.top(ROOM) == []


def test_the_slack_publisher_explains_membership_refusals_only():
    publisher = Publisher.__new__(Publisher)  # refusal_reason reads no state: no client needed
    refused = SlackApiError("refused", {"ok": False, "error": "not_in_channel"})
    assert publisher.refusal_reason(refused, "C0LOBBY") == membership_advice(
        Place.PUBLIC_NOT_JOINED
    )
    assert publisher.refusal_reason(refused, "D0DM") == membership_advice(Place.OTHERS_DM)
    other = SlackApiError("refused", {"ok": False, "error": "msg_too_long"})
    assert publisher.refusal_reason(other, "C0LOBBY") is None
    assert publisher.refusal_reason(RuntimeError("timeout"), "C0LOBBY") is None
