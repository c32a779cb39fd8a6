"""The room board service with a fake Slack, refreshes run by hand and a real state database:
what the feeders may do to it, what reaches Slack, and what happens when Slack refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from pathlib import Path
from typing import Any

import pytest

from bot.notify.board import DESCRIBE_ACTION
from bot.notify.model import Trouble
from bot.notify.room_board import (
    ONLY_INSTRUCTORS,
    BoardGone,
    BoardRateLimited,
    RoomBoard,
)
from bot.store import Database, open_database
from bot.store.boards import BoardMessage, BoardStore
from bot.store.exercises import ExerciseStore
from bot.store.switches import SwitchStore
from tests.harness.clock import ManualClock

TEACHER = "U0TEACH"
NOW = 1_800_000_000.0


class FakeSlack:
    """Messages by (channel, ts); faults queued per method."""

    def __init__(self) -> None:
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.faults: dict[str, list[Exception]] = {}
        self._ts = 0

    def _fault(self, method: str) -> None:
        queue = self.faults.get(method)
        if queue:
            raise queue.pop(0)

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        self._fault("post")
        self._ts += 1
        channel, ts = f"D{user_id}", f"{self._ts}.000100"
        self.messages[(channel, ts)] = message
        self.calls.append(("post", channel, ts))
        return channel, ts

    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self._fault("update")
        if (channel, ts) not in self.messages:
            raise BoardGone("message_not_found")
        self.messages[(channel, ts)] = message
        self.calls.append(("update", channel, ts))

    async def delete(self, channel: str, ts: str) -> None:
        self.messages.pop((channel, ts), None)
        self.calls.append(("delete", channel, ts))

    async def permalink(self, channel: str, ts: str) -> str | None:
        return f"https://podium.slack.com/archives/{channel}/p{ts.replace('.', '')}"

    def methods(self) -> list[str]:
        return [c[0] for c in self.calls]


class ManualRefreshes:
    """Refreshes that run when the test says so; what is scheduled twice runs once."""

    def __init__(self) -> None:
        self.pending: dict[Hashable, Callable[[], Awaitable[None]]] = {}
        self.scheduled = 0

    def schedule(self, key: Hashable, refresh: Callable[[], Awaitable[None]]) -> None:
        self.scheduled += 1
        self.pending[key] = refresh

    async def flush(self) -> None:
        while self.pending:
            _, refresh = self.pending.popitem()
            await refresh()

    async def close(self) -> None:
        self.pending.clear()


class Timers:
    """loop.call_later by hand: the test fires what is due."""

    def __init__(self) -> None:
        self.waiting: list[tuple[float, Callable[[], None], Timer]] = []

    def __call__(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = Timer()
        self.waiting.append((seconds, callback, timer))
        return timer

    def delays(self) -> list[float]:
        return [seconds for seconds, _, timer in self.waiting if not timer.cancelled]

    def fire(self) -> None:
        due, self.waiting = self.waiting, []
        for _, callback, timer in due:
            if not timer.cancelled:
                callback()


class Timer:
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await open_database(tmp_path / "state.db")
    yield db
    await db.close()


def trouble(user: str, name: str = "web", ago: float = 300) -> Trouble:
    return Trouble(
        user, f"ws-{user.lower()}", "pods", name, "ImagePullBackOff", NOW - ago, "Back-off"
    )


def make_board(
    database: Database,
    slack: FakeSlack,
    refreshes: ManualRefreshes,
    *,
    clock: ManualClock | None = None,
    timers: Timers | None = None,
) -> RoomBoard:
    return RoomBoard(
        slack,
        BoardStore(database),
        ExerciseStore(database),
        SwitchStore(database),
        instructors=frozenset({TEACHER}),
        exercise_count=4,
        refreshes=refreshes,
        clock=clock or ManualClock(NOW),
        call_later=timers or Timers(),
    )


def body(message: dict[str, Any]) -> str:
    return str(message["blocks"])


async def test_the_board_is_for_instructors_only(database: Database) -> None:
    slack = FakeSlack()
    board = make_board(database, slack, ManualRefreshes())
    assert await board.show("U0ALICE") == ONLY_INSTRUCTORS
    assert slack.calls == [] and await BoardStore(database).all() == []


async def test_show_posts_in_the_dm_and_says_where(database: Database) -> None:
    slack = FakeSlack()
    board = make_board(database, slack, ManualRefreshes())
    answer = await board.show(TEACHER)
    assert answer.startswith(
        "The room board is <https://podium.slack.com/archives/DU0TEACH/p1000100|in your DM with Podium>"
    )
    saved = await BoardStore(database).get(TEACHER)
    assert saved is not None and saved == BoardMessage(TEACHER, "DU0TEACH", "1.000100", saved.shown)
    assert len(saved.shown) == 64  # a hash of what it shows, for after a restart
    assert "Nobody has checked an exercise" in body(slack.messages[("DU0TEACH", "1.000100")])


async def test_asked_in_the_dm_the_answer_points_up_at_the_board(database: Database) -> None:
    slack = FakeSlack()
    board = make_board(database, slack, ManualRefreshes())
    answer = await board.show(TEACHER, in_dm=True)
    # The answer is posted in the same DM, below the board: no link, "just above".
    assert answer.startswith("The room board is just above") and "https://" not in answer
    assert slack.methods() == ["post"]
    assert await board.show("U0ALICE", in_dm=True) == ONLY_INSTRUCTORS


async def test_changes_update_the_same_message_once_per_refresh(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    await board.show(TEACHER)
    for i in range(20):  # a burst: recorded, scheduled, nothing sent yet
        board.troubles_changed("U0BOB", (trouble("U0BOB", f"web-{i}"),))
    assert slack.methods() == ["post"] and refreshes.scheduled == 20
    await refreshes.flush()
    assert slack.methods() == ["post", "update"]
    shown = slack.messages[("DU0TEACH", "1.000100")]
    assert "web-19" in body(shown) and "web-18" not in body(shown)
    assert DESCRIBE_ACTION in body(shown)
    # Nothing new to show: no call at all.
    board.troubles_changed("U0BOB", (trouble("U0BOB", "web-19"),))
    await refreshes.flush()
    assert slack.methods() == ["post", "update"] and board.updates == 1


async def test_a_pass_refreshes_the_board_with_the_count(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    await board.show(TEACHER)
    await ExerciseStore(database).record("U0BOB", 2, passed=True, summary="all pass")
    board.progress_changed("U0BOB")
    await refreshes.flush()
    assert "<@U0BOB> · 1/4 passed" in body(slack.messages[("DU0TEACH", "1.000100")])


async def test_no_board_no_calls(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    board.troubles_changed("U0BOB", (trouble("U0BOB"),))
    await refreshes.flush()
    assert slack.calls == []


async def test_a_deleted_board_is_posted_again_and_remembered(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    await board.show(TEACHER)
    slack.messages.clear()  # someone deleted it in Slack
    board.troubles_changed("U0BOB", (trouble("U0BOB"),))
    await refreshes.flush()
    assert slack.methods() == ["post", "post"]
    saved = await BoardStore(database).get(TEACHER)
    assert saved is not None and saved.ts == "2.000100"
    board.troubles_changed("U0BOB", ())
    await refreshes.flush()
    assert slack.calls[-1] == ("update", "DU0TEACH", "2.000100")


async def test_showing_again_moves_the_board_to_the_bottom(database: Database) -> None:
    slack = FakeSlack()
    board = make_board(database, slack, ManualRefreshes())
    await board.show(TEACHER)
    await board.show(TEACHER)
    assert slack.calls == [
        ("post", "DU0TEACH", "1.000100"),
        ("post", "DU0TEACH", "2.000100"),
        ("delete", "DU0TEACH", "1.000100"),
    ]
    assert list(slack.messages) == [("DU0TEACH", "2.000100")]


async def test_a_rate_limited_update_is_tried_again_after_retry_after(database: Database) -> None:
    slack, refreshes, timers = FakeSlack(), ManualRefreshes(), Timers()
    board = make_board(database, slack, refreshes, timers=timers)
    await board.show(TEACHER)
    slack.faults["update"] = [BoardRateLimited(7), BoardRateLimited(7)]
    board.troubles_changed("U0BOB", (trouble("U0BOB"),))
    await refreshes.flush()
    board.troubles_changed("U0CAROL", (trouble("U0CAROL"),))
    await refreshes.flush()  # refused again while a retry waits: still one retry
    assert slack.methods() == ["post"]
    assert sorted(timers.delays()) == [7, 60.0]  # the retry, and the minute tick (someone is stuck)
    timers.fire()
    assert refreshes.pending  # the retry scheduled a refresh
    await refreshes.flush()
    assert slack.methods() == ["post", "update"]
    assert "U0CAROL" in body(slack.messages[("DU0TEACH", "1.000100")])
    await board.close()
    assert timers.delays() == []  # closing cancels the tick


async def test_a_slack_failure_never_reaches_the_feeder(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    await board.show(TEACHER)
    slack.faults["update"] = [RuntimeError("connection reset")]
    board.troubles_changed("U0BOB", (trouble("U0BOB"),))
    await refreshes.flush()  # logged, not raised
    board.troubles_changed("U0BOB", (trouble("U0BOB", "other"),))
    await refreshes.flush()
    assert slack.methods() == ["post", "update"]


async def test_a_broken_scheduler_does_not_reach_the_feeder(database: Database) -> None:
    class Broken(ManualRefreshes):
        def schedule(self, key: Hashable, refresh: Callable[[], Awaitable[None]]) -> None:
            raise RuntimeError("no running event loop")

    slack = FakeSlack()
    board = make_board(database, slack, Broken())
    board.troubles_changed("U0BOB", (trouble("U0BOB"),))  # does not raise
    board.progress_changed("U0BOB")
    # What it was told is kept: the board posted next shows Bob stuck.
    await board.show(TEACHER)
    [shown] = slack.messages.values()
    assert "<@U0BOB>" in str(shown) and "stuck" in str(shown)


async def test_a_failed_post_gets_a_line_not_a_trace(database: Database) -> None:
    slack = FakeSlack()
    slack.faults["post"] = [RuntimeError("channel_not_found")]
    board = make_board(database, slack, ManualRefreshes())
    answer = await board.show(TEACHER)
    assert answer.startswith("Podium could not post the room board in your DM just now")
    assert await BoardStore(database).all() == []


async def test_notifications_switch_shows_on_the_board(database: Database) -> None:
    slack, refreshes = FakeSlack(), ManualRefreshes()
    board = make_board(database, slack, refreshes)
    await board.show(TEACHER)
    assert "Room notifications: on" in body(slack.messages[("DU0TEACH", "1.000100")])
    await SwitchStore(database).set("notify", False, TEACHER)
    board.progress_changed("U0BOB")
    await refreshes.flush()
    assert "Room notifications: off" in body(slack.messages[("DU0TEACH", "1.000100")])


async def test_the_minute_tick_keeps_stuck_for_true_while_anyone_is_stuck(
    database: Database,
) -> None:
    slack, refreshes, clock, timers = FakeSlack(), ManualRefreshes(), ManualClock(NOW), Timers()
    board = make_board(database, slack, refreshes, clock=clock, timers=timers)
    await board.show(TEACHER)
    board.start()  # after a restart: one refresh a minute later, whatever happens
    assert timers.delays() == [60.0]
    board.troubles_changed("U0BOB", (trouble("U0BOB", ago=4 * 60),))
    await refreshes.flush()
    assert "stuck 4m" in body(slack.messages[("DU0TEACH", "1.000100")])
    assert timers.delays() == [60.0]  # one tick waiting, not two
    clock.now += 60
    timers.fire()
    await refreshes.flush()
    assert "stuck 5m" in body(slack.messages[("DU0TEACH", "1.000100")])
    assert timers.delays() == [60.0]  # still stuck: the next minute
    board.troubles_changed("U0BOB", ())
    await refreshes.flush()
    timers.fire()
    await refreshes.flush()
    assert timers.delays() == []  # nobody stuck: the board rests until the next change
    assert "All clear" in body(slack.messages[("DU0TEACH", "1.000100")])


async def test_after_a_restart_an_unchanged_board_is_not_edited(tmp_path: Path) -> None:
    slack, clock = FakeSlack(), ManualClock(NOW)
    first_db = await open_database(tmp_path / "state.db")
    refreshes = ManualRefreshes()
    first = make_board(first_db, slack, refreshes, clock=clock)
    await first.show(TEACHER)
    first.troubles_changed("U0BOB", (trouble("U0BOB"),))
    await refreshes.flush()
    assert slack.methods() == ["post", "update"]
    await first_db.close()
    second_db = await open_database(tmp_path / "state.db")  # Podium started again
    try:
        refreshes = ManualRefreshes()
        board = make_board(second_db, slack, refreshes, clock=clock)
        # The notifier's replay: the same trouble, stuck since the same time.
        board.troubles_changed("U0BOB", (trouble("U0BOB"),))
        await refreshes.flush()
        assert slack.methods() == ["post", "update"] and board.updates == 0
        board.troubles_changed("U0BOB", ())  # fixed: that is an edit
        await refreshes.flush()
        assert slack.methods() == ["post", "update", "update"]
        assert "All clear" in body(slack.messages[("DU0TEACH", "1.000100")])
    finally:
        await second_db.close()


async def test_after_a_restart_the_same_message_is_updated(tmp_path: Path) -> None:
    slack = FakeSlack()
    first_db = await open_database(tmp_path / "state.db")
    await make_board(first_db, slack, ManualRefreshes()).show(TEACHER)
    await first_db.close()
    second_db = await open_database(tmp_path / "state.db")  # Podium started again
    try:
        refreshes = ManualRefreshes()
        board = make_board(second_db, slack, refreshes)
        board.troubles_changed("U0BOB", (trouble("U0BOB"),))
        await refreshes.flush()
        assert slack.calls[-1] == ("update", "DU0TEACH", "1.000100")
        assert "U0BOB" in body(slack.messages[("DU0TEACH", "1.000100")])
    finally:
        await second_db.close()
