"""`/kubectl get pods|deploy|endpoints -w`: one Slack message that shows the table as kubectl
prints it now and the latest rows kubectl's watch would have printed, updated in place for a
bounded time from the shared namespace stream (bot/watch/ports.py).

The view (`WatchView`, `render_watch`) is pure and tested directly; `GetWatches` runs the
sessions: caps, where to post, debounced `chat.update`s, the final "stopped" update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.kubectl.answer import Answer, cluster_error_line, refusal_answer
from bot.kubectl.errors import ClusterError
from bot.kubectl.policy import Refusal, WatchRequest
from bot.kubectl.printers.registry import get_table
from bot.kubectl.printers.table import Table, render_table
from bot.kubectl.redact import cap_lines, redact_text
from bot.messages.limits import MAX_TEXT_OBJECT
from bot.messages.text import Mrkdwn, code_block, escape_mrkdwn, inline_code, mrkdwn
from bot.metrics import Metrics
from bot.watch.labels import Selector, SelectorError, parse_selector
from bot.watch.ports import Change, Subscription, Watches, WatchesOff

log = logging.getLogger(__name__)

# The change rows a message keeps, newest last: what a screen shows of kubectl's watch output.
CHANGE_ROWS = 10
# Slack allows about one chat.update per second per channel: each message waits at least this
# long between updates, however fast its objects change (the latest state is what is shown).
MIN_UPDATE_SECONDS = 1.5
# After a change, how long a watch waits for the rest of its burst before updating.
SETTLE_SECONDS = 0.5
# A code block is one section: Slack's 3,000 characters, with room for the fence and a note.
_BLOCK_BUDGET = MAX_TEXT_OBJECT - 100
# How often a quiet watch asks whether its stream is reconnecting (to say so, or stop saying so).
TROUBLE_CHECK_SECONDS = 5.0
# How long closing Podium waits for the watches' last updates.
CLOSE_SECONDS = 5.0

Clock = Callable[[], datetime]
# What a namespace stream is retrying after, None while it streams (WatchHub.trouble).
Trouble = Callable[[str, str], ClusterError | None]


def _labels(obj: Mapping[str, Any]) -> Mapping[str, str]:
    labels = (obj.get("metadata") or {}).get("labels")
    return labels if isinstance(labels, Mapping) else {}


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def clock_time(moment: datetime) -> str:
    """10:42 UTC: when a watch ends, in the one time zone everyone in the room can read."""
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def duration(seconds: float) -> str:
    """2m, 90s, 1m30s: how long a watch runs, in kubectl's short style."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m" if not rest else f"{minutes}m{rest}s"


@dataclass(frozen=True)
class ChangeRow:
    """One row kubectl's watch printed: the event and the object's cells at that moment."""

    event: str  # ADDED, MODIFIED, DELETED
    cells: tuple[str, ...]


@dataclass
class WatchView:
    """What one watch shows: the objects it selected, as the stream holds them, and the recent
    change rows. Pure state; `apply` is called for each change of the namespace's stream."""

    request: WatchRequest
    selector: Selector = field(default_factory=lambda: Selector(()))
    objects: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    changes: deque[ChangeRow] = field(default_factory=lambda: deque(maxlen=CHANGE_ROWS))
    # The row last printed for each object: an update that prints the same row (a new
    # resourceVersion, a managed field) is not a line kubectl users would care to see twice.
    _printed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def wants(self, obj: Mapping[str, Any]) -> bool:
        names = self.request.names
        if names and _name(obj) not in names:
            return False
        return self.selector.matches(_labels(obj))

    def load(self, objects: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]]) -> None:
        """The snapshot the watch starts from (no change rows: kubectl prints it as the table)."""
        self.objects = {_name(obj): obj for obj in objects if self.wants(obj)}
        self._printed = {}

    def table(self, objects: list[Mapping[str, Any]], now: datetime) -> Table:
        return get_table(
            self.request.kind.plural,
            [dict(obj) for obj in objects],
            now=now,
            wide=self.request.wide,
            show_labels=self.request.show_labels,
        )

    def apply(self, change: Change, now: datetime) -> bool:
        """Take one change of the stream; True when what the message shows changed."""
        name = change.name
        selected = self.wants(change.obj)
        known = name in self.objects
        if change.type == "DELETED" or not selected:
            if not known:
                return False
            # Deleted, or relabelled out of the selection: gone from this watch's table.
            del self.objects[name]
            self._record("DELETED", change.obj, now)
            return True
        self.objects[name] = change.obj
        return self._record("MODIFIED" if known else "ADDED", change.obj, now) or not known

    def _record(self, event: str, obj: Mapping[str, Any], now: datetime) -> bool:
        cells = tuple(self.table([obj], now).rows[0])
        name = _name(obj)
        if event != "DELETED" and self._printed.get(name) == cells:
            return False
        if event == "DELETED":
            self._printed.pop(name, None)
        else:
            self._printed[name] = cells
        self.changes.append(ChangeRow(event, cells))
        return True


def _fenced(lines: list[str], more_line: Callable[[int], str]) -> Mrkdwn:
    """A code block of `lines` within one section's budget; the rows that do not fit are
    counted on a last line instead."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        cost = len(escape_mrkdwn(line)) + 1
        if used + cost > _BLOCK_BUDGET:
            kept.append(more_line(len(lines) - index))
            break
        kept.append(line)
        used += cost
    return code_block("\n".join(kept))


def _printed(text: str) -> list[str]:
    """Cluster text as every Podium output: long lines cut, credential shapes hidden."""
    capped, _ = cap_lines(text)
    shown, _ = redact_text(capped)
    return shown.split("\n")


@dataclass(frozen=True)
class Footer:
    """Who started the watch, for how long, and whether it still runs."""

    user: str | None
    seconds: float
    until: datetime  # when it ends; once stopped, when it did
    stopped: str | None = None  # why it stopped ("" for its time being up); None: running
    trouble: str | None = None  # what the stream is reconnecting after (its changes may be late)


def render_watch(view: WatchView, footer: Footer, now: datetime) -> dict[str, Any]:
    """The message: kubectl's command line, the table now, the recent change rows and the
    footer. Every cluster string is in a code block, escaped once here."""
    request = view.request
    objects = [view.objects[name] for name in sorted(view.objects)]
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": inline_code(request.command_line)}],
        }
    ]
    if objects:
        table = _printed(render_table(view.table(objects, now)))
    else:
        table = [f"No resources found in {request.namespace} namespace."]
    narrow = f"narrow it with -l or a name, e.g. get {request.kind.plural} NAME -w"
    blocks.append(
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _fenced(
                    table, lambda n: f"… {n} more row{'s' if n != 1 else ''} ({narrow})"
                ),
            },
        }
    )
    if view.changes:
        headers = view.table([], now).headers
        changes = Table(["EVENT", *headers], [[row.event, *row.cells] for row in view.changes])
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Changes, newest last:"}]}
        )
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _fenced(_printed(render_table(changes)), lambda n: f"… {n} more"),
                },
            }
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": footer_text(view, footer)}]}
    )
    state = "watching" if footer.stopped is None else "stopped watching"
    return {"text": f"{request.command_line} ({state})", "blocks": blocks}


def again_command(request: WatchRequest) -> str:
    """The slash command that starts the same watch again."""
    return "/" + request.command_line


def footer_text(view: WatchView, footer: Footer) -> Mrkdwn:
    by = mrkdwn(" · started by <@{}>", footer.user) if footer.user else Mrkdwn("")
    if footer.stopped is None:
        late = (
            mrkdwn(" · reconnecting to the cluster ({}): changes may be late", footer.trouble)
            if footer.trouble
            else Mrkdwn("")
        )
        return mrkdwn(
            "watching · updates for {} (until {}){}{}",
            duration(footer.seconds),
            clock_time(footer.until),
            by,
            late,
        )
    why = mrkdwn(": {}", footer.stopped) if footer.stopped else Mrkdwn("")
    return mrkdwn(
        "stopped watching at {}{}{} · watch again with {}",
        clock_time(footer.until),
        why,
        by,
        inline_code(again_command(view.request)),
    )


# --- answers for the person who asked ------------------------------------------------------------


def busy_person_answer(request: WatchRequest, current: WatchRequest, until: datetime) -> Answer:
    return refusal_answer(
        Refusal(
            f"You are already watching {current.kind.plural} in {current.namespace} "
            f"(until {clock_time(until)}); Podium runs one watch per person at a time.",
            f"It stops by itself then; meanwhile `/kubectl get {request.kind.plural}` shows "
            "them as they are now.",
        )
    )


def busy_person_many_answer(limit: int, until: datetime) -> Answer:
    return refusal_answer(
        Refusal(
            f"You already have {limit} watches running (the most per person); the first "
            f"ends at {clock_time(until)}.",
            "Try again then, or run the command without `-w` for a one-off look.",
        )
    )


def busy_room_answer(request: WatchRequest, limit: int, until: datetime) -> Answer:
    return refusal_answer(
        Refusal(
            f"Podium is already running {limit} watches for the room, the most at once; "
            f"the next one ends at {clock_time(until)}.",
            f"Try again then, or `/kubectl get {request.kind.plural}` for a one-off look.",
        )
    )


def shared_answer(request: WatchRequest, until: datetime) -> Answer:
    return Answer(
        f"{request.kind.plural.capitalize()} in {request.namespace} are already being watched "
        f"in this channel until {clock_time(until)}: that message updates in place, so no "
        "second one was posted.",
        ok=True,
        command_line=request.command_line,
        preformatted=False,
        namespace=request.namespace,
    )


def started_answer(request: WatchRequest, where: str, until: datetime) -> Answer:
    return Answer(
        f"Watching {request.kind.plural} in {request.namespace} {where} until "
        f"{clock_time(until)}: the table updates in place as they change.",
        ok=True,
        command_line=request.command_line,
        preformatted=False,
        namespace=request.namespace,
    )


# --- the sessions --------------------------------------------------------------------------------


class Poster(Protocol):
    """What a watch needs of Slack (bot/slack/publisher.Publisher is the real one): paced posts,
    updates (`background`: within the app's one chat.update budget, after the slides and what
    people wait for; a function as the message renders when the update's turn comes), the
    person's DM, and whether an error means Podium is not in the channel."""

    async def post(self, channel: str, message: dict[str, Any]) -> str: ...

    async def update(
        self,
        channel: str,
        ts: str,
        message: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        background: bool = False,
    ) -> None: ...

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]: ...

    def refusal_reason(self, error: Exception, channel: str) -> str | None: ...


@dataclass(frozen=True)
class WatchLimits:
    seconds: float = 120.0  # PODIUM_WATCH_SECONDS
    per_person: int = 1  # PODIUM_WATCHES_PER_PERSON
    total: int = 20  # PODIUM_WATCHES_MAX
    snapshot_timeout: float = 10.0  # the first list of a new stream (the cluster timeout)
    min_update_seconds: float = MIN_UPDATE_SECONDS
    settle_seconds: float = SETTLE_SECONDS
    trouble_check_seconds: float = TROUBLE_CHECK_SECONDS


class _Session:
    def __init__(
        self, owner: GetWatches, request: WatchRequest, user: str | None, view: WatchView
    ) -> None:
        self.owner = owner
        self.request = request
        self.user = user
        self.view = view
        self.started = owner.clock()
        self.until = self.started + timedelta(seconds=owner.limits.seconds)
        self.origin: str | None = None  # the channel the command came from
        self.channel = ""  # where its message is, once posted
        self.ts = ""
        self.opened = asyncio.Event()  # posted, or given up
        self.loaded = False
        self.updates = 0  # chat.update calls made, for tests and the log
        self.subscription: Subscription | None = None
        self.task: asyncio.Task[None] | None = None
        self.stopped_at: datetime | None = None
        self.trouble: str | None = None  # shown in the footer while the stream reconnects
        self._wake = asyncio.Event()
        self._stop_reason: str | None = None

    def on_change(self, change: Change) -> None:
        # On the event loop, must not block: fold the change into the view and wake the task.
        if not self.loaded:
            return  # the snapshot being taken already holds it
        if self.view.apply(change, self.owner.clock()):
            self._wake.set()

    def stop(self, reason: str) -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
        self._wake.set()

    def message(self, stopped: str | None = None) -> dict[str, Any]:
        footer = Footer(
            self.user,
            self.owner.limits.seconds,
            self.stopped_at or self.until,
            stopped,
            self.trouble if stopped is None else None,
        )
        return render_watch(self.view, footer, self.owner.clock())

    async def run(self) -> None:
        """Re-render on change, at most once per `min_update_seconds` (the poster keeps every
        edit of the app within Slack's chat.update budget), until the time is up or Podium
        closes."""
        limits = self.owner.limits
        monotonic = self.owner.monotonic
        deadline = monotonic() + limits.seconds
        last_update = monotonic()
        try:
            while self._stop_reason is None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    break
                quiet = remaining if self.owner.trouble is None else limits.trouble_check_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(remaining, quiet))
                if not self._troubled() and not self._wake.is_set():
                    continue  # nothing new to show
                # Debounced: changes come in bursts (a pod deleted, its replacement added a
                # moment later), and those arriving meanwhile are folded into this one update.
                settled = monotonic() + limits.settle_seconds
                await self._sleep_until(
                    min(deadline, max(settled, last_update + limits.min_update_seconds))
                )
                if self._stop_reason is not None or monotonic() >= deadline:
                    break
                self._wake.clear()
                last_update = monotonic()
                # Rendered when the budget gives this update its turn: changes made while it
                # waited are in it, and their wake-up finds nothing new (no second update).
                if not await self._update(self._current):
                    return
            self.stopped_at = self.owner.clock()
            await self._update(lambda: self.message(stopped=self._stop_reason or ""))
        finally:
            self.owner.ended(self)

    def _troubled(self) -> bool:
        """Whether the stream's trouble changed since the message last said (then it says so)."""
        if self.owner.trouble is None:
            return False
        error = self.owner.trouble(self.request.namespace, self.request.kind.plural)
        trouble = error.reason if error is not None else None
        changed = trouble != self.trouble
        self.trouble = trouble
        return changed

    async def _sleep_until(self, moment: float) -> None:
        """Sleep until `moment` (monotonic), cut short by stop() but not by changes: those are
        shown by the update that follows."""
        while self._stop_reason is None:
            left = moment - self.owner.monotonic()
            if left <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), left)

    def _current(self) -> dict[str, Any]:
        self._wake.clear()
        return self.message()

    async def _update(self, render: Callable[[], dict[str, Any]]) -> bool:
        """False when the message is gone (deleted by someone): nothing left to update."""
        try:
            await self.owner.poster.update(self.channel, self.ts, render, background=True)
        except Exception as error:  # noqa: BLE001 — Slack refusals end or skip one update
            self.owner.counted("error")
            response: Any = getattr(error, "response", None)  # a SlackApiError's answer
            code = str(response.get("error") or "") if response is not None else ""
            log.warning(
                "could not update the watch %s in %s (%s)",
                self.request.command_line,
                self.channel,
                code or type(error).__name__,
            )
            return code not in ("message_not_found", "channel_not_found", "is_archived")
        self.updates += 1
        self.owner.counted("ok")
        return True


class GetWatches:
    """Every running `get -w` session, within the per-person and global caps."""

    def __init__(
        self,
        watches: Watches,
        poster: Poster,
        limits: WatchLimits,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
        trouble: Trouble | None = None,
    ) -> None:
        self.metrics = metrics
        self.trouble = trouble
        self.watches = watches
        self.poster = poster
        self.limits = limits
        self.clock = clock
        self.monotonic = monotonic
        self._sessions: list[_Session] = []
        self._closing = False

    @property
    def running(self) -> int:
        return len(self._sessions)

    def sessions_of(self, user: str | None) -> list[_Session]:
        return [s for s in self._sessions if s.user == user]

    def counted(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.get_watch_updates.labels(outcome).inc()

    def ended(self, session: _Session) -> None:
        session.opened.set()
        if session.subscription is not None:
            session.subscription.cancel()
            session.subscription = None
        if session in self._sessions:
            self._sessions.remove(session)
        if self.metrics is not None:
            self.metrics.get_watches.set(len(self._sessions))

    async def start(
        self, request: WatchRequest, *, user: str | None, channel: str | None, source: str
    ) -> Answer:
        if self._closing:
            return refusal_answer(
                Refusal(
                    "Podium is shutting down; no new watch starts now.", "Try again in a minute."
                )
            )
        try:
            selector = parse_selector(request.selector or "")
        except SelectorError as error:
            return refusal_answer(
                Refusal(f"error: {error}", "For example `-l app=web` or `-l 'tier in (web,api)'`.")
            )
        shared = await self._same_watch_in(channel, request) if source != "button" else None
        if shared is not None:
            # A room typing the demo's `get pods -w` gets one message, not one each.
            return shared_answer(request, shared.until)
        mine = self.sessions_of(user)
        if len(mine) >= self.limits.per_person:
            first = min(mine, key=lambda s: s.until)
            if self.limits.per_person == 1:
                return busy_person_answer(request, first.request, first.until)
            return busy_person_many_answer(self.limits.per_person, first.until)
        if len(self._sessions) >= self.limits.total:
            soonest = min(s.until for s in self._sessions)
            return busy_room_answer(request, self.limits.total, soonest)
        # The slot is taken before anything is awaited: a second command meanwhile sees it.
        session = _Session(self, request, user, WatchView(request, selector))
        session.origin = channel if source != "button" else None
        self._sessions.append(session)
        if self.metrics is not None:
            self.metrics.get_watches.set(len(self._sessions))
        try:
            return await self._open(session, channel, private=source == "button")
        except BaseException:
            self.ended(session)
            raise

    async def _same_watch_in(self, channel: str | None, request: WatchRequest) -> _Session | None:
        """A running watch of the same command posted in `channel` (not a DM: those are one
        person's). One still being posted is waited for: a room typing at once gets one."""
        if channel is None or channel.startswith("D"):
            return None
        for session in list(self._sessions):
            if session.origin == channel and session.request.command_line == request.command_line:
                await session.opened.wait()
                if session.channel == channel and session in self._sessions:
                    return session
        return None

    async def _open(self, session: _Session, channel: str | None, *, private: bool) -> Answer:
        request = session.request
        kind = request.kind.plural
        try:
            session.subscription = self.watches.subscribe(
                request.namespace, kind, session.on_change
            )
            snapshot = await self.watches.snapshot(
                request.namespace, kind, timeout=self.limits.snapshot_timeout
            )
        except WatchesOff as off:
            self.ended(session)
            return refusal_answer(
                Refusal(
                    f"Podium cannot watch right now: {off}",
                    f"`/kubectl get {request.kind.plural}` shows them as they are now.",
                )
            )
        except ClusterError as error:
            self.ended(session)
            return Answer(
                cluster_error_line(error),
                ok=False,
                command_line=request.command_line,
                namespace=request.namespace,
                outcome="error",
                hint="Run it without `-w` to see what Podium may read there.",
            )
        except TimeoutError:
            self.ended(session)
            return Answer(
                f"The cluster did not list {kind} in {request.namespace} within "
                f"{duration(self.limits.snapshot_timeout)}, so nothing is being watched.",
                ok=False,
                preformatted=False,
                command_line=request.command_line,
                namespace=request.namespace,
                outcome="error",
                hint="Try again in a minute, or tell the instructor.",
            )
        session.view.load(snapshot.objects)
        session.loaded = True
        try:
            where = await self._post(session, channel, private=private)
        except Exception:  # never a stack trace in Slack: a reference to quote instead
            self.ended(session)
            reference = uuid.uuid4().hex[:8]
            log.exception("could not post the watch %s (ref %s)", request.command_line, reference)
            return Answer(
                f"Podium could not post the watch (ref {reference}).",
                ok=False,
                preformatted=False,
                command_line=request.command_line,
                outcome="internal",
                hint="Try again; if it keeps failing, tell the instructor the ref.",
            )
        session.opened.set()
        if self._closing:  # Podium began closing while this one was being posted
            session.stopped_at = self.clock()
            await session._update(lambda: session.message(stopped="Podium is shutting down"))
            self.ended(session)
            return refusal_answer(
                Refusal("Podium is shutting down; the watch stopped at once.", "Try again soon.")
            )
        session.task = asyncio.create_task(session.run(), name=f"watch {request.command_line}")
        log.info(
            "watch started: %s for %s in %s", request.command_line, session.user, session.channel
        )
        return started_answer(request, where, session.until)

    async def _post(self, session: _Session, channel: str | None, *, private: bool) -> str:
        """Post the first message where the command came from; in the person's DM when that is
        a DM, a channel Podium cannot post in, or a slide's ▶ Run (which answers privately and
        posts nothing in the channel). Returns where it went, for the answer."""
        message = session.message()
        if not private and channel is not None and not channel.startswith("D"):
            try:
                session.ts = await self.poster.post(channel, message)
                session.channel = channel
                return "in this channel"
            except Exception as error:
                reason = self.poster.refusal_reason(error, channel)
                if reason is None or session.user is None:
                    raise
                session.channel, session.ts = await self.poster.post_dm(session.user, message)
                return f"in your DM with Podium (Podium cannot post in this channel: {reason})"
        if session.user is None:
            raise RuntimeError("a watch for nobody in particular has no DM to go to")
        session.channel, session.ts = await self.poster.post_dm(session.user, message)
        return "here" if session.channel == channel else "in your DM with Podium"

    async def close(self) -> None:
        """Every watch ends with its final update (as far as Slack takes it in CLOSE_SECONDS)."""
        self._closing = True
        sessions = list(self._sessions)
        for session in sessions:
            session.stop("Podium is shutting down")
        tasks = [s.task for s in sessions if s.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=CLOSE_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        for session in sessions:  # also those still being posted: their streams are let go
            self.ended(session)
