"""The notifier: watches every participant's namespace through the shared streams, and when a
Pod or Job there starts failing, DMs that participant once per (namespace, owner, reason) with
what happened and what to do; tells the room board (`on_troubles`) what is failing for whom.

Who is watched: the roster, everyone who ran a command, has exercise progress or got kubectl
access, plus PODIUM_PARTICIPANTS, minus the instructors; refreshed every `refresh_every` seconds
and as soon as someone new runs a command (`saw`).

Stream callbacks only enqueue. One task consumes the queue: it waits `settle` seconds after the
first change so that a burst (a Deployment's three Pods created at once, ErrImagePull turning
into ImagePullBackOff) is judged as one, applies every change, and judges each namespace that
changed. Sent keys are claimed in SQLite before the DM goes out (and released if Slack refuses
it), so a restart neither repeats one nor loses one: the streams replay what exists, and what
was not told yet is told then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.budgets import Budgets
from bot.exercises.checks import JOB_NAME_LABEL
from bot.exercises.spec import Exercise
from bot.kubectl.access import participant_namespace
from bot.kubectl.ports import LogReads
from bot.messages.reply import Reply
from bot.messages.text import mrkdwn
from bot.metrics import Metrics
from bot.notify.commands import (
    ROOM_SWITCH,
    USAGE,
    NotifyUsageError,
    parse_notify,
    person_switch,
)
from bot.notify.diagnose import (
    CRASH,
    JOB_FAILED,
    OOM,
    SELECTS_NOTHING,
    Finding,
    images_in_yaml,
    known_images,
    troubles_of,
)
from bot.notify.model import OnTroubles, Trouble
from bot.notify.render import (
    LOG_BYTES,
    LOG_LINES,
    Notice,
    exercise_for,
    overflow_message,
    render_notice,
)
from bot.ratelimit import UserRateLimiter
from bot.settings import Settings
from bot.store.notifications import Key, NotificationStore
from bot.store.switches import SwitchStore
from bot.watch.ports import Change, Subscription, Watches, WatchesOff

log = logging.getLogger(__name__)

KINDS = ("pods", "jobs", "services", "events")  # what is watched in each participant namespace
# A Service selecting no Pod is told only once it has stayed so this long: applied together
# with its Deployment, it selects nothing for the moment the Pods take to appear.
SELECTOR_GRACE = 5.0
CLOSE_GRACE = 5.0  # seconds DMs on their way may take when Podium stops
RETRY_SOON = 3.0  # seconds before a DM Slack refused (rate limit, outage) is tried again
MAX_SENDING = 16  # DMs on their way to Slack at once (each waits on Slack, not on the others)
MAX_EVENTS = 200  # Warning events kept per namespace (the newest)
LISTED_WITHIN = 60.0  # seconds a new namespace's streams may take to list before the first look
LISTED_KINDS = ("pods", "jobs", "services")  # what a namespace's first judgement needs listed


class DirectMessages(Protocol):
    async def post(self, channel: str, message: dict[str, Any]) -> str:
        """Post `message` in `channel` (paced per channel); returns its ts. Given a user ID as the
        channel, Slack posts in the app's DM with that person, no conversations.open needed:
        that call's budget (about 50 a minute) would hold up the first DMs of a whole room."""
        ...


Roster = Callable[[], Awaitable[Iterable[str]]]

WATCH_OFF = (
    "Podium does not watch the cluster (PODIUM_WATCH=off), so it sends no notifications about "
    "failing pods; `/kubectl get pods` and `/kubectl describe pod NAME` show what fails."
)


def workshop_images(repository: Path, exercises: Iterable[Exercise]) -> frozenset[str]:
    """What a mistyped image is compared with: the common images, and every image in the
    exercises' solutions and the deck's demo manifests (`manifests/demo/`)."""
    paths: list[Path] = sorted((repository / "manifests" / "demo").glob("*.yaml"))
    for exercise in exercises:
        folder = repository / exercise.solution.path
        paths.extend(sorted(folder.glob("*.yaml")) if folder.is_dir() else [folder])
    found: set[str] = set()
    for path in paths:
        try:
            found |= images_in_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # a missing solution file costs only its images
    return known_images(found)


@dataclass
class _Namespace:
    user: str
    subscriptions: list[Subscription] = field(default_factory=list)
    pods: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    jobs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    services: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    rechecks: set[tuple[str, str, str]] = field(default_factory=set)  # grace re-judges pending
    warnings: dict[str, deque[str]] = field(default_factory=dict)  # pod name → "Reason: message"
    troubles: tuple[Trouble, ...] = ()
    first_seen: dict[tuple[str, str, str], float] = field(default_factory=dict)
    changed_at: float | None = None  # monotonic time of the first change not judged yet
    # Before a restart: when each key was told (a trouble still failing was stuck since about
    # then); anything told means the person was on the room board. Emptied by the first look.
    told_at: dict[Key, float] = field(default_factory=dict)
    listed: bool = False  # the streams were listed (the first look is due or done)


class Notifier:
    def __init__(
        self,
        settings: Settings,
        watches: Watches,
        store: NotificationStore,
        switches: SwitchStore,
        dms: DirectMessages,
        logs: LogReads,
        *,
        roster: Roster,
        budgets: Budgets,
        exercises: Sequence[Exercise] = (),
        known_images: Iterable[str] = (),
        settle: float = 0.3,
        refresh_every: float = 30.0,
        selector_grace: float = SELECTOR_GRACE,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._watches = watches
        self._store = store
        self._switches = switches
        self._dms = dms
        self._logs = logs
        self._roster = roster
        self._budgets = budgets
        self._exercises = tuple(exercises)
        self._known = frozenset(known_images)
        self._settle = settle
        self._refresh_every = refresh_every
        self._selector_grace = selector_grace
        self._metrics = metrics
        self._clock = clock
        _, window = settings.budget("notify")
        # Past the budget: one "more pods are failing" DM per window, never more.
        self._overflow = UserRateLimiter(limit=1, per_seconds=window)
        self._namespaces: dict[str, _Namespace] = {}
        self._told: set[Key] = set()
        # (monotonic time it arrived, change): the latency is measured from the arrival.
        self._queue: asyncio.Queue[tuple[float, Change]] = asyncio.Queue()
        self._seen: set[str] = set()
        self._refresh_now = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = False  # the consumer holds changes it has not judged yet
        self._telling: set[asyncio.Task[None]] = set()  # DMs on their way
        self._sending = asyncio.Semaphore(MAX_SENDING)
        self._listeners: list[OnTroubles] = []
        self._first_looks: set[asyncio.Task[None]] = set()
        self.latencies: deque[float] = deque(maxlen=10_000)  # seconds, change → DM sent
        self.sent = 0  # DMs about failing pods (overflow notes not counted)

    # -- lifecycle ------------------------------------------------------------------------------

    def on_troubles(self, listener: OnTroubles) -> None:
        """Call `listener(user, troubles)` whenever what fails in a user's namespace changes."""
        self._listeners.append(listener)

    async def start(self) -> None:
        if self._tasks or not self._settings.watch_enabled:
            return
        await self.refresh()
        self._tasks = [
            asyncio.create_task(self._consume(), name="notifier-queue"),
            asyncio.create_task(self._refresher(), name="notifier-roster"),
        ]

    async def close(self) -> None:
        for task in (*self._tasks, *self._first_looks):
            task.cancel()
        if self._telling:  # DMs on their way get a moment to arrive
            await asyncio.wait(set(self._telling), timeout=CLOSE_GRACE)
        tasks = [*self._tasks, *self._telling, *self._first_looks]
        for task in self._telling:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for state in self._namespaces.values():
            for subscription in state.subscriptions:
                subscription.cancel()
        self._namespaces.clear()

    @property
    def idle(self) -> bool:
        """No change is waiting or being judged, no DM on its way (for tests and the bench)."""
        return self._queue.empty() and not self._busy and not self._telling

    def troubles(self) -> dict[str, tuple[Trouble, ...]]:
        """What fails now, per participant who has something failing (what `on_troubles`
        listeners were last told): a listener that starts late reads this first."""
        return {state.user: state.troubles for state in self._namespaces.values() if state.troubles}

    @property
    def watched(self) -> dict[str, str]:
        """Namespace → participant, for whoever is watched now."""
        return {ns: state.user for ns, state in self._namespaces.items()}

    def saw(self, user_id: str | None) -> None:
        """Someone ran a command: a new person is watched from now on (not waiting for the next
        roster refresh)."""
        if user_id and user_id not in self._seen and user_id not in self._settings.instructors:
            self._seen.add(user_id)
            self._refresh_now.set()

    async def refresh(self) -> None:
        """Watch every participant's namespace not watched yet."""
        try:
            people = set(await self._roster())
        except Exception:  # the next refresh tries again; nobody is dropped
            log.exception("could not read the roster of participants")
            people = set()
        people |= self._settings.participants | self._seen
        for user in sorted(people - self._settings.instructors):
            namespace = participant_namespace(self._settings.participant_namespace, user)
            if namespace in self._namespaces:
                continue
            if namespace == self._settings.sandbox_namespace:
                continue
            await self._watch(namespace, user)

    async def _watch(self, namespace: str, user: str) -> None:
        state = _Namespace(user)
        self._namespaces[namespace] = state
        # What was told before a restart is known before the replay is judged.
        state.told_at = await self._store.sent(namespace)
        self._told.update(state.told_at)
        for kind in KINDS:
            try:
                subscription = self._watches.subscribe(
                    namespace, kind, self._enqueue, replay=kind != "events"
                )
            except WatchesOff:  # shutting down: nothing more to watch
                return
            state.subscriptions.append(subscription)
        log.info("watching %s for %s's failing pods", namespace, user)
        task = asyncio.create_task(self._first_look(namespace, state))
        self._first_looks.add(task)
        task.add_done_callback(self._first_looks.discard)

    async def _first_look(self, namespace: str, state: _Namespace) -> None:
        """Judge the namespace once its streams are listed, even when the replay brought no
        change: after a restart the room board may still show someone stuck whose pod was
        fixed or deleted while Podium was down."""
        for kind in LISTED_KINDS:
            try:
                await self._watches.snapshot(namespace, kind, timeout=LISTED_WITHIN)
            except Exception as error:  # noqa: BLE001 — the next change judges it anyway
                log.info("first look at %s put off: %s", namespace, type(error).__name__)
                return
        state.listed = True
        self._enqueue(Change("MODIFIED", namespace, "notifier", {}))

    def _enqueue(self, change: Change) -> None:
        """A stream's callback: only enqueue (it runs on the event loop, between other work)."""
        self._queue.put_nowait((time.monotonic(), change))

    async def _refresher(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._refresh_now.wait(), timeout=self._refresh_every)
            self._refresh_now.clear()
            try:
                await self.refresh()
            except Exception:  # the state database busy or gone: the next round tries again
                log.exception("could not refresh who is watched")
            # Findings held back (over budget, Slack down) are tried again.
            for namespace, state in self._namespaces.items():
                if state.troubles:
                    self._enqueue(Change("MODIFIED", namespace, "notifier", {}))

    # -- the queue ------------------------------------------------------------------------------

    async def _consume(self) -> None:
        while True:
            first = await self._queue.get()
            self._busy = True
            changes = [first]
            await asyncio.sleep(self._settle)
            while not self._queue.empty():
                changes.append(self._queue.get_nowait())
            dirty: dict[str, None] = {}
            for arrived, change in changes:
                if self._apply(change, arrived):
                    dirty.setdefault(change.namespace)
            for namespace in dirty:
                try:
                    await self._judge(namespace)
                except Exception:  # one namespace's failure must not stop the rest
                    log.exception("could not judge the pods of %s", namespace)
            self._busy = False

    def _apply(self, change: Change, arrived: float) -> bool:
        state = self._namespaces.get(change.namespace)
        if state is None:
            return False
        if state.changed_at is None:
            state.changed_at = arrived
        if change.kind == "notifier":
            return True
        name = change.name
        if change.kind == "events":
            if change.type != "DELETED" and change.obj.get("type") == "Warning":
                involved = change.obj.get("involvedObject") or {}
                if involved.get("kind") == "Pod" and involved.get("name"):
                    lines = state.warnings.setdefault(str(involved["name"]), deque(maxlen=3))
                    line = f"{change.obj.get('reason') or ''}: {change.obj.get('message') or ''}"
                    if line not in lines:
                        lines.append(line[:600])
                    while len(state.warnings) > MAX_EVENTS:
                        state.warnings.pop(next(iter(state.warnings)))
            return False  # events add words to a DM; they never start one
        target = {"pods": state.pods, "jobs": state.jobs}.get(change.kind, state.services)
        if change.type == "DELETED":
            target.pop(name, None)
            if change.kind == "pods":
                state.warnings.pop(name, None)
        else:
            target[name] = change.obj
        return True

    async def _judge(self, namespace: str) -> None:
        state = self._namespaces.get(namespace)
        if state is None:
            return
        changed_at, state.changed_at = state.changed_at, None
        now = self._clock()
        everything = troubles_of(
            list(state.pods.values()), list(state.jobs.values()), list(state.services.values())
        )
        present = {(f.kind, f.name, f.family) for f in everything}
        for key in list(state.first_seen):
            if key not in present:
                del state.first_seen[key]
        findings = [
            f
            for f in everything
            if f.family != SELECTS_NOTHING or self._held_long_enough(namespace, state, f, now)
        ]
        troubles = tuple(
            Trouble(
                state.user,
                namespace,
                f.kind,
                f.name,
                f.reason,
                # Still failing since before a restart: stuck since about when it was told.
                state.first_seen.setdefault(
                    (f.kind, f.name, f.family), min(now, state.told_at.get(f.key, now))
                ),
                f.message,
            )
            for f in findings
        )
        # The first look tells the board even that nothing fails, for someone told something
        # before a restart (so on the board then): what it showed may be over.
        first_look = state.listed and bool(state.told_at)
        if state.listed:
            state.told_at = {}
        if (troubles != state.troubles and (troubles or state.troubles)) or (
            first_look and not troubles
        ):
            state.troubles = troubles
            self._publish(state.user, troubles)
        groups: dict[Key, list[Finding]] = {}
        for finding in findings:
            if finding.key not in self._told:
                groups.setdefault(finding.key, []).append(finding)
        if not groups or not await self.enabled_for(state.user):
            return
        for key, grouped in groups.items():
            # Reserved now, told in the background: one slow DM (Slack's latency, a log read)
            # must not hold up everyone else's; a failed one frees its key again.
            self._told.add(key)
            task = asyncio.create_task(self._tell(state, key, grouped, changed_at))
            self._telling.add(task)
            task.add_done_callback(self._telling.discard)

    def _held_long_enough(
        self, namespace: str, state: _Namespace, finding: Finding, now: float
    ) -> bool:
        """Whether a Service has selected no Pod for SELECTOR_GRACE; if not yet, judge it again
        then."""
        key = (finding.kind, finding.name, finding.family)
        since = state.first_seen.setdefault(key, now)
        if now - since >= self._selector_grace:
            state.rechecks.discard(key)
            return True
        if key not in state.rechecks:
            state.rechecks.add(key)
            asyncio.get_running_loop().call_later(
                self._selector_grace - (now - since) + 0.05,
                self._enqueue,
                Change("MODIFIED", namespace, "notifier", {}),
            )
        return False

    def _publish(self, user: str, troubles: tuple[Trouble, ...]) -> None:
        for listener in self._listeners:
            try:
                listener(user, troubles)
            except Exception:  # a listener's bug must not stop notifications
                log.exception("an on_troubles listener failed")

    async def enabled_for(self, user: str) -> bool:
        return await self._switches.is_on(ROOM_SWITCH) and await self._switches.is_on(
            person_switch(user)
        )

    async def _tell(
        self, state: _Namespace, key: Key, findings: list[Finding], changed_at: float | None
    ) -> None:
        user = state.user
        if self._budgets.spend("notify", user) is not None:
            self._told.discard(key)  # not claimed: told later, once the budget allows
            self._count(key[2], "over_budget")
            if self._overflow.allow(user) is None:
                async with self._sending:
                    if await self._send(user, overflow_message()):
                        self._count(key[2], "overflow_note")
            return
        if not await self._store.claim(key, user, findings[0].reason):
            return  # told already (before a restart)
        try:
            async with self._sending:
                await self._deliver(state, key, findings, changed_at)
        except asyncio.CancelledError:  # stopped before Slack took it: told after the restart
            await self._store.release(key)
            raise

    async def _deliver(
        self, state: _Namespace, key: Key, findings: list[Finding], changed_at: float | None
    ) -> None:
        user = state.user
        first = findings[0]
        logs, logs_from = await self._previous_log(state, first)
        notice = Notice(
            tuple(sorted(findings, key=lambda f: f.name)),
            logs=logs,
            logs_from=logs_from,
            exercise=exercise_for(first, self._exercises),
            events=tuple(state.warnings.get(first.name, ())) if first.kind == "pods" else (),
        )
        if not await self._send(user, render_notice(notice, self._known)):
            self._told.discard(key)
            await self._store.release(key)
            self._count(key[2], "failed")
            asyncio.get_running_loop().call_later(
                RETRY_SOON, self._enqueue, Change("MODIFIED", key[0], "notifier", {})
            )
            return
        self.sent += 1
        seconds = None if changed_at is None else time.monotonic() - changed_at
        if seconds is not None:
            self.latencies.append(seconds)
        self._count(key[2], "sent", seconds)
        log.info("told %s about %s %s (%s)", user, first.kind, first.name, first.reason)

    def _count(self, family: str, outcome: str, seconds: float | None = None) -> None:
        if self._metrics is not None:
            self._metrics.notification(family, outcome, seconds)

    async def _send(self, user: str, message: dict[str, Any]) -> bool:
        try:
            await self._dms.post(user, message)
        except Exception as error:  # noqa: BLE001 — Slack down or refusing: tried again later
            log.warning("could not DM %s about a failing pod: %s", user, _why(error))
            return False
        return True

    async def _previous_log(
        self, state: _Namespace, finding: Finding
    ) -> tuple[str | None, str | None]:
        """The previous container's last lines for a crash loop or an OOM kill; for a failed Job,
        its newest Pod's last lines. None when there is nothing to read (or it cannot be read)."""
        if finding.family in (CRASH, OOM) and finding.container:
            pod, container, previous = finding.name, finding.container, True
        elif finding.family == JOB_FAILED:
            pods = [
                p
                for p in state.pods.values()
                if ((p.get("metadata") or {}).get("labels") or {}).get(JOB_NAME_LABEL)
                == finding.name
            ]
            if not pods:
                return None, None
            newest = max(
                pods, key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or "")
            )
            pod = str(newest["metadata"]["name"])
            container, previous = None, False
        else:
            return None, None
        # Before its first restart a crashed container's only log is its current one (a real
        # API server answers --previous with 400 then): fall back to it.
        for earlier in (True, False) if previous else (False,):
            try:
                text = await self._logs.logs(
                    finding.namespace,
                    pod,
                    container=container,
                    tail_lines=LOG_LINES,
                    previous=earlier,
                    limit_bytes=LOG_BYTES,
                )
            except Exception as error:  # noqa: BLE001 — the DM goes out without the log
                log.info("no log for %s/%s: %s", finding.namespace, pod, type(error).__name__)
                continue
            if text.strip() or not earlier:
                run = "previous run" if earlier else "last run"
                return text, (f"{pod}, container {container}, {run}" if container else pod)
        return None, None

    # -- /workshop notify ---------------------------------------------------------------------

    async def command(self, user_id: str, text: str) -> Reply:
        """`/workshop notify …` (the words after `notify`)."""
        parsed = parse_notify(text)
        if isinstance(parsed, NotifyUsageError):
            return Reply(mrkdwn("{}\n{}", parsed.message, USAGE), private=True)
        if not self._settings.watch_enabled:
            return Reply(WATCH_OFF, private=True)
        room_on = await self._switches.is_on(ROOM_SWITCH)
        if parsed.room:
            if parsed.on is None:
                return Reply(
                    "Notifications are "
                    + ("on" if room_on else "off")
                    + " for the room."
                    + (
                        ""
                        if room_on
                        else " Instructors turn them on with `/workshop notify room on`."
                    ),
                    private=True,
                )
            if user_id not in self._settings.instructors:
                return Reply(
                    "Only the instructors (PODIUM_INSTRUCTORS) can turn notifications on or off for "
                    "everyone; `/workshop notify off` turns off yours.",
                    private=True,
                )
            await self._switches.set(ROOM_SWITCH, parsed.on, user_id)
            log.info(
                "notifications turned %s for the room by %s", "on" if parsed.on else "off", user_id
            )
            if parsed.on:
                self._requeue_all()
                return Reply(
                    "Notifications are on for the room: participants get a DM when a pod of theirs fails.",
                    private=True,
                )
            return Reply(
                "Notifications are off for the room: nobody gets a DM about failing pods until "
                "`/workshop notify room on`.",
                private=True,
            )
        if parsed.on is None:
            mine = await self._switches.is_on(person_switch(user_id))
            line = f"Your notifications are {'on' if mine else 'off'}"
            if not room_on:
                line += ", but the instructor has turned them off for the room"
            return Reply(
                line + ". `/workshop notify on|off` changes yours.",
                private=True,
            )
        await self._switches.set(person_switch(user_id), parsed.on, user_id)
        if parsed.on:
            self.saw(user_id)
            self._requeue_all()
            extra = "" if room_on else " (the instructor has turned them off for the room for now)"
            return Reply(
                f"Your notifications are on: Podium DMs you when a pod of yours fails{extra}.",
                private=True,
            )
        return Reply(
            "Your notifications are off: Podium will not DM you about failing pods until "
            "`/workshop notify on`.",
            private=True,
        )

    def _requeue_all(self) -> None:
        for namespace in self._namespaces:
            self._enqueue(Change("MODIFIED", namespace, "notifier", {}))


def _why(error: Exception) -> str:
    """Slack's error code (`user_not_found`, `ratelimited`…) or the exception's name."""
    response: Any = getattr(error, "response", None)
    code = response.get("error") if hasattr(response, "get") else None
    return str(code or type(error).__name__)[:100]
