"""The instructors' room boards: one DM message each, kept up to date as participants get stuck,
get unstuck or pass exercises.

The notifier tells the board what is failing per participant (`troubles_changed`, an
`OnTroubles`); the workshop tells it who passed an exercise (`progress_changed`). Both only
record and schedule: a refresh is coalesced (at most one run per `Refreshes` interval, ~3 s) and
renders the state as it is then, so a burst of changes costs each board one or two
`chat.update`s, within Slack's ~50 a minute for the whole app. A render equal to what a board
already shows is not sent. While anyone is stuck the boards are refreshed once a minute anyway,
so "stuck 4m" stays true while nothing else happens (a loop timer, not a task: shutting down
never waits for it).

Which message is whose board, and a hash of what it shows, is in the state database
(bot/store/boards.py): after a restart the same message goes on being updated, and not edited
when what it would show is what it shows. A board deleted in Slack is posted again; a rate-limited
update is tried again after Slack's Retry-After.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol

from bot.messages.text import mrkdwn, trusted
from bot.notify.board import board_message, board_rows
from bot.notify.model import Trouble
from bot.store.boards import BoardMessage, BoardStore
from bot.store.exercises import ExerciseStore
from bot.store.switches import SwitchStore

log = logging.getLogger(__name__)

NOTIFY_SWITCH = "notify"  # the room's notifications (`/workshop notify off|on`, instructors)
TICK_SECONDS = 60.0  # "stuck 4m" is counted in minutes
MAX_TROUBLES_PER_PERSON = 20  # what one namespace can make the board hold
REFRESH_KEY = "room_board"

ONLY_INSTRUCTORS = (
    "Only the instructors (PODIUM_INSTRUCTORS) see the room board; `/exercise list` shows your "
    "own progress."
)


class BoardGone(Exception):
    """The board's message is no longer there (deleted, or its DM gone): post a new one."""


class BoardRateLimited(Exception):
    """Slack refused the update for now; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


class BoardSlack(Protocol):
    """What the board needs of Slack (bot/slack/board_command.py's BoardPoster is one). Errors
    come as BoardGone / BoardRateLimited, anything else as it is."""

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]: ...
    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None: ...
    async def delete(self, channel: str, ts: str) -> None: ...
    async def permalink(self, channel: str, ts: str) -> str | None: ...


class Refreshes(Protocol):
    """Coalesced, never-awaited refreshes (bot.slack.debounce.Debouncer is one)."""

    def schedule(self, key: Hashable, refresh: Callable[[], Awaitable[None]]) -> None: ...
    async def flush(self) -> None: ...
    async def close(self) -> None: ...


class Timer(Protocol):
    def cancel(self) -> None: ...


# Run a callback after some seconds on the event loop (loop.call_later): a timer, not a task, so
# shutting down never waits for the board's next minute.
CallLater = Callable[[float, Callable[[], None]], Timer]


def _call_later(seconds: float, callback: Callable[[], None]) -> Timer:
    return asyncio.get_running_loop().call_later(seconds, callback)


class RoomBoard:
    def __init__(
        self,
        slack: BoardSlack,
        store: BoardStore,
        exercises: ExerciseStore,
        switches: SwitchStore,
        *,
        instructors: frozenset[str],
        exercise_count: int,
        refreshes: Refreshes,
        clock: Callable[[], float] = time.time,
        tick: float = TICK_SECONDS,
        call_later: CallLater = _call_later,
    ) -> None:
        self._slack = slack
        self._store = store
        self._exercises = exercises
        self._switches = switches
        self._instructors = instructors
        self._exercise_count = exercise_count
        self.refreshes = refreshes
        self._clock = clock
        self._tick = tick
        self._call_later = call_later
        self._troubles: dict[str, tuple[Trouble, ...]] = {}
        self._shown: dict[str, str] = {}  # instructor → the render their board shows
        self._lock = asyncio.Lock()  # one writer of the boards: a re-post and a refresh
        self._timers: dict[str, Timer] = {}  # "tick" and "retry": at most one of each
        self.updates = 0  # chat.update calls made (for tests and the bench)

    # -- what feeds the board (sync: they record and schedule, never wait, never raise) --------

    def troubles_changed(self, user_id: str, troubles: tuple[Trouble, ...]) -> None:
        """An `OnTroubles`: everything failing in `user_id`'s namespace now (empty: all well)."""
        try:
            # The person stays on the board once seen, as "not stuck" when all is well.
            self._troubles[user_id] = tuple(troubles[:MAX_TROUBLES_PER_PERSON])
            self._schedule()
        except Exception:  # the feeder is the notifier: a board problem must not stop it
            log.exception("room board: could not take troubles of %s", user_id)

    def progress_changed(self, user_id: str) -> None:
        """Someone passed an exercise."""
        try:
            self._schedule()
        except Exception:
            log.exception("room board: could not take progress of %s", user_id)

    def start(self) -> None:
        """One refresh a minute from now (on the running event loop): after a restart the
        notifier has told the board what fails by then; from there on the minute tick runs
        while anyone is stuck."""
        self._later("tick", self._tick)

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        await self.refreshes.close()

    # -- `/workshop board` ---------------------------------------------------------------------

    def may_see(self, user_id: str) -> bool:
        return user_id in self._instructors

    async def show(self, user_id: str, *, in_dm: bool = False) -> str:
        """Post the board in the instructor's DM (again, at the bottom, if they had one) and say
        where it is, in one line. `in_dm`: asked in that DM (`board` typed to Podium), where the
        answer is posted below the board."""
        if not self.may_see(user_id):
            return ONLY_INSTRUCTORS
        async with self._lock:
            message = await self._render()
            try:
                channel, ts = await self._slack.post_dm(user_id, message)
            except Exception as error:  # noqa: BLE001 — the instructor gets a line, not a trace
                log.warning("room board: could not post %s's board: %s", user_id, error)
                return (
                    "Podium could not post the room board in your DM just now; try "
                    "`/workshop board` again in a minute."
                )
            old = await self._store.get(user_id)
            fingerprint = _fingerprint(message)
            await self._store.save(BoardMessage(user_id, channel, ts, fingerprint))
            self._shown[user_id] = fingerprint
            if old is not None and (old.channel_id, old.ts) != (channel, ts):
                await self._delete_quietly(old)
        if in_dm:
            return (
                "The room board is just above: it updates itself as people get stuck or pass "
                "exercises. `board` again brings it back to the bottom."
            )
        link = await self._slack.permalink(channel, ts)
        where = mrkdwn("<{}|in your DM with Podium>", link) if link else "in your DM with Podium"
        return mrkdwn(
            "The room board is {}, at the bottom: it updates itself as people get stuck or pass "
            "exercises. `/workshop board` again brings it back to the bottom.",
            trusted(where),
        )

    # -- refreshing ----------------------------------------------------------------------------

    def _schedule(self) -> None:
        self.refreshes.schedule(REFRESH_KEY, self.refresh)

    async def refresh(self) -> None:
        """Bring every board up to date (what the scheduled refresh runs)."""
        async with self._lock:
            boards = await self._store.all()
            if not boards:
                return
            message = await self._render()
            fingerprint = _fingerprint(message)
            for board in boards:
                # After a restart what a board shows is known from the store.
                if self._shown.get(board.user_id, board.shown) != fingerprint:
                    await self._update(board, message, fingerprint)
            if any(self._troubles.values()):  # "stuck 4m" becomes "stuck 5m" on its own
                self._later("tick", self._tick)

    async def _update(self, board: BoardMessage, message: dict[str, Any], fingerprint: str) -> None:
        try:
            await self._slack.update(board.channel_id, board.ts, message)
            self.updates += 1
            self._shown[board.user_id] = fingerprint
            await self._store.mark_shown(board.user_id, board.ts, fingerprint)
        except BoardGone:
            log.info("room board of %s is gone from Slack: posting it again", board.user_id)
            try:
                channel, ts = await self._slack.post_dm(board.user_id, message)
            except Exception as error:  # noqa: BLE001 — tried again on the next change or tick
                log.warning("room board: could not post %s's board: %s", board.user_id, error)
                return
            await self._store.save(BoardMessage(board.user_id, channel, ts, fingerprint))
            self._shown[board.user_id] = fingerprint
        except BoardRateLimited as limited:
            self._later("retry", max(limited.retry_after, 1.0))
        except Exception as error:  # noqa: BLE001 — a stale board until the next change or tick
            log.warning("room board: could not update %s's board: %s", board.user_id, error)

    def _later(self, key: str, seconds: float) -> None:
        """Refresh after `seconds`, unless a refresh for the same reason is already waiting: it
        renders what is current when it runs."""
        if key not in self._timers:
            self._timers[key] = self._call_later(seconds, lambda: self._fire(key))

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        try:
            self._schedule()
        except Exception:
            log.exception("room board: could not schedule a refresh")

    async def _render(self) -> dict[str, Any]:
        passed = await self._exercises.passed_counts()
        try:
            notifications: bool | None = await self._switches.is_on(NOTIFY_SWITCH)
        except Exception as error:  # noqa: BLE001 — the board without the line beats no board
            log.warning("room board: could not read the notifications switch: %s", error)
            notifications = None
        rows = board_rows(self._troubles, passed)
        return board_message(
            rows, exercises=self._exercise_count, now=self._clock(), notifications=notifications
        )

    async def _delete_quietly(self, board: BoardMessage) -> None:
        try:
            await self._slack.delete(board.channel_id, board.ts)
        except Exception as error:  # noqa: BLE001 — an old board left in the DM is harmless
            log.info("room board: the old board of %s stays: %s", board.user_id, error)


def _fingerprint(message: dict[str, Any]) -> str:
    """A short stand-in for the whole message, equal when the messages are."""
    text = json.dumps(message, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
