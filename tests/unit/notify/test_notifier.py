"""The notifier against in-memory streams (tests/harness/watches.py), SQLite in a temp file and
a recording DM sender: once per pod and reason, grouped per owner, kept over restarts, within
the person's budget, switchable, and the room board hears what fails for whom."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.budgets import Budgets
from bot.exercises.spec import load_exercises
from bot.metrics import Metrics
from bot.notify.diagnose import known_images
from bot.notify.model import Trouble
from bot.notify.service import Notifier, workshop_images
from bot.settings import load_settings
from bot.store import Database, open_database
from bot.store.notifications import NotificationStore
from bot.store.switches import SwitchStore
from tests.harness.paths import EXERCISES, FIXTURES, REPO
from tests.harness.watches import FakeWatches

OBJECTS = json.loads((FIXTURES / "notify" / "failing-pods.json").read_text())
ALICE, BOB, TEACHER = "U0ALICE", "U0BOB", "U0TEACHER"
NS = "ws-u0alice"


def pod(prefix: str, index: int = 0) -> dict[str, Any]:
    found = [p for p in OBJECTS["pods"] if p["metadata"]["name"].startswith(prefix)]
    return copy.deepcopy(found[index])


def healthy(obj: dict[str, Any]) -> dict[str, Any]:
    fixed = copy.deepcopy(obj)
    for status in fixed["status"].get("containerStatuses") or ():
        status["state"] = {"running": {"startedAt": "2026-12-03T22:07:00Z"}}
        status["lastState"] = {}
    return fixed


class DMs:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.failing = False

    async def post(self, channel: str, message: dict[str, Any]) -> str:
        if self.failing:
            raise ConnectionError("Slack is down")
        self.sent.append((channel, message))  # a user ID as the channel: their DM
        return str(len(self.sent))

    def texts(self, user: str = ALICE) -> list[str]:
        return [m["text"] for u, m in self.sent if u == user]


class Logs:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str | None, bool]] = []

    async def logs(self, namespace: str, pod: str, *, container: str | None = None,
                   tail_lines: int | None = None, previous: bool = False,
                   limit_bytes: int | None = None) -> str:  # fmt: skip
        self.asked.append((namespace, pod, container, previous))
        return "starting\nAPI_TOKEN=abc123secret\nexit 1\n"


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def settled(notifier: Notifier) -> None:
    """Until every change emitted so far is judged (and any DM it caused sent)."""
    await until(lambda: notifier.idle)


class World:
    def __init__(self, db_path: Path, **env: str) -> None:
        self.db_path = db_path
        self.env = env
        self.watches = FakeWatches()
        self.dms = DMs()
        self.logs = Logs()
        self.troubles: list[tuple[str, tuple[Trouble, ...]]] = []
        self.roster = [ALICE]
        self.metrics = Metrics()
        self.db: Database | None = None
        self.notifier: Notifier | None = None

    async def start(self) -> Notifier:
        settings = load_settings({"PODIUM_INSTRUCTORS": TEACHER, **self.env})
        self.db = await open_database(self.db_path)

        async def roster() -> list[str]:
            return list(self.roster)

        self.notifier = Notifier(
            settings,
            self.watches,
            NotificationStore(self.db),
            SwitchStore(self.db),
            self.dms,
            self.logs,
            roster=roster,
            budgets=Budgets(settings),
            exercises=load_exercises(EXERCISES),
            known_images=known_images(),
            settle=0.05,
            refresh_every=0.2,
            selector_grace=0.3,
            metrics=self.metrics,
        )
        self.notifier.on_troubles(lambda user, found: self.troubles.append((user, found)))
        await self.notifier.start()
        return self.notifier

    async def stop(self) -> None:
        assert self.notifier is not None and self.db is not None
        await self.notifier.close()
        await self.db.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = World(tmp_path / "state.db")
    yield world
    if world.notifier is not None:
        await world.stop()


async def test_a_failing_deployment_is_one_dm_naming_its_pods(world: World):
    notifier = await world.start()
    assert {(ns, kind) for ns, kind, _ in world.watches.subscribed} == {
        (NS, "pods"),
        (NS, "jobs"),
        (NS, "services"),
        (NS, "events"),
    }
    world.watches.emit("ADDED", "pods", pod("web-", 0))
    world.watches.emit("ADDED", "pods", pod("web-", 1))
    await until(lambda: len(world.dms.sent) == 1)
    await settled(notifier)
    [text] = world.dms.texts()
    assert "Deployment web: 2 Pods in ImagePullBackOff" in text
    blocks = json.dumps(world.dms.sent[0][1]["blocks"])
    assert (
        pod("web-", 0)["metadata"]["name"] in blocks
        and pod("web-", 1)["metadata"]["name"] in blocks
    )
    assert "did you mean `nginx`?" in blocks
    # The pull retries, the back-off, a recreated pod of the same ReplicaSet: no new DM.
    pulling = pod("web-", 0)
    pulling["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "ErrImagePull", "message": "pull access denied"}
    }
    world.watches.emit("MODIFIED", "pods", pulling)
    world.watches.emit("DELETED", "pods", pod("web-", 1))
    recreated = pod("web-", 1)
    recreated["metadata"]["name"] = "web-84864fd776-zzzzz"
    world.watches.emit("ADDED", "pods", recreated)
    await settled(notifier)
    assert len(world.dms.sent) == 1


async def test_a_crash_loop_dm_has_the_previous_log_redacted(world: World):
    notifier = await world.start()
    world.watches.emit("ADDED", "pods", pod("side"))
    await until(lambda: len(world.dms.sent) == 1)
    assert world.logs.asked == [(NS, "side", "writer", True)]
    blocks = json.dumps(world.dms.sent[0][1]["blocks"])
    assert "exit 1" in blocks and "abc123secret" not in blocks and "[redacted: token]" in blocks
    await settled(notifier)


async def test_a_restart_neither_repeats_nor_loses_a_notification(world: World):
    world.watches.cluster[(NS, "pods")] = {"side": pod("side")}  # failing before Podium starts
    await world.start()
    await until(lambda: len(world.dms.sent) == 1)
    await world.stop()
    # While Podium is down a second problem appears; the first one is still there.
    world.watches = FakeWatches()
    world.watches.cluster[(NS, "pods")] = {"side": pod("side"), "cfg": pod("cfg-")}
    notifier = await world.start()
    await until(lambda: len(world.dms.sent) == 2)
    await settled(notifier)
    assert len(world.dms.sent) == 2
    assert "CreateContainerConfigError" in world.dms.texts()[1]


async def test_a_failed_job_is_told_with_its_newest_pods_log(world: World):
    notifier = await world.start()
    for p in OBJECTS["pods"]:
        if p["metadata"]["name"].startswith("jb-"):
            world.watches.emit("ADDED", "pods", p)
    world.watches.emit("ADDED", "jobs", OBJECTS["jobs"][0])
    await until(lambda: len(world.dms.sent) == 1)
    assert "Job jb: BackoffLimitExceeded" in world.dms.texts()[0]
    [(ns, name, container, previous)] = world.logs.asked
    assert ns == NS and name.startswith("jb-") and container is None and not previous
    await settled(notifier)


async def test_the_budget_caps_dms_and_says_once_that_more_are_failing(tmp_path: Path):
    world = World(tmp_path / "state.db", PODIUM_BUDGETS="notify=3/600s")
    notifier = await world.start()
    try:
        for i in range(8):  # eight bare pods: eight different problems
            broken = pod("side")
            broken["metadata"]["name"] = f"side-{i}"
            world.watches.emit("ADDED", "pods", broken)
            await settled(notifier)
        texts = world.dms.texts()
        assert len(texts) == 4
        assert texts[-1].startswith("More of your pods are failing")
        # Flapping: the same pods change over and over; nothing more is sent.
        for _ in range(5):
            for i in range(8):
                again = pod("side")
                again["metadata"]["name"] = f"side-{i}"
                again["metadata"]["resourceVersion"] = str(_)
                world.watches.emit("MODIFIED", "pods", again)
            await settled(notifier)
        assert len(world.dms.texts()) == 4
        shown = world.metrics.exposition()[0].decode()
        assert 'podium_notifications_total{family="crash",outcome="sent"} 3.0' in shown
        assert 'podium_notifications_total{family="crash",outcome="overflow_note"} 1.0' in shown
        assert "podium_notification_seconds_count 3.0" in shown
    finally:
        await world.stop()


async def test_notify_off_and_on_per_person_and_for_the_room(world: World):
    notifier = await world.start()
    assert "off" in (await notifier.command(ALICE, "off")).text
    world.watches.emit("ADDED", "pods", pod("side"))
    await settled(notifier)
    assert world.dms.sent == []
    assert "Your notifications are off" in (await notifier.command(ALICE, "")).text
    assert "on" in (await notifier.command(ALICE, "on")).text
    await until(lambda: len(world.dms.sent) == 1)  # what fails now is told once turned on

    refused = await notifier.command(ALICE, "room off")
    assert refused.text.startswith("Only the instructors")
    assert "off for the room" in (await notifier.command(TEACHER, "room off")).text
    world.watches.emit("ADDED", "pods", pod("cfg-"))
    await settled(notifier)
    assert len(world.dms.sent) == 1
    assert "turned them off for the room" in (await notifier.command(ALICE, "")).text
    await notifier.command(TEACHER, "room on")
    await until(lambda: len(world.dms.sent) == 2)
    bad = await notifier.command(ALICE, "sometimes <!channel>")
    assert "does not take" in bad.text and "/workshop notify off" in bad.text


async def test_the_board_hears_troubles_and_their_recovery(world: World):
    notifier = await world.start()
    world.watches.emit("ADDED", "pods", pod("side"))
    await until(lambda: bool(world.troubles))
    user, [trouble] = world.troubles[-1]
    assert (user, trouble.namespace, trouble.kind, trouble.name, trouble.reason) == (
        ALICE,
        NS,
        "pods",
        "side",
        "CrashLoopBackOff",
    )
    assert "restarting failed container=writer" in trouble.summary
    assert notifier.troubles() == {ALICE: (trouble,)}
    world.watches.emit("MODIFIED", "pods", healthy(pod("side")))
    await until(lambda: world.troubles[-1] == (ALICE, ()))
    assert notifier.troubles() == {}
    await settled(notifier)


async def test_after_a_restart_the_board_hears_a_fix_made_while_podium_was_down(world: World):
    world.watches.cluster[(NS, "pods")] = {"side": pod("side")}
    await world.start()
    await until(lambda: bool(world.troubles) and len(world.dms.sent) == 1)
    await world.stop()
    # Fixed while Podium is down: the replay is a healthy pod, nothing changes from Podium's
    # point of view, yet the board (persisted in Slack) still shows Alice stuck.
    world.watches = FakeWatches()
    world.watches.cluster[(NS, "pods")] = {"side": healthy(pod("side"))}
    world.troubles.clear()
    notifier = await world.start()
    await until(lambda: world.troubles == [(ALICE, ())])
    await settled(notifier)
    assert len(world.dms.sent) == 1


async def test_after_a_restart_everything_deleted_meanwhile_is_heard_too(world: World):
    world.watches.cluster[(NS, "pods")] = {"side": pod("side")}
    await world.start()
    await until(lambda: len(world.dms.sent) == 1)
    await world.stop()
    world.watches = FakeWatches()  # an empty namespace: the replay brings no change at all
    world.troubles.clear()
    await world.start()
    await until(lambda: world.troubles == [(ALICE, ())])
    assert world.troubles == [(ALICE, ())]  # the board hears: nothing fails for Alice now


async def test_after_a_restart_a_trouble_still_failing_keeps_when_it_started(world: World):
    world.watches.cluster[(NS, "pods")] = {"side": pod("side")}
    await world.start()
    await until(lambda: bool(world.troubles) and len(world.dms.sent) == 1)
    [(_, [before])] = world.troubles
    await world.stop()
    world.watches = FakeWatches()
    world.watches.cluster[(NS, "pods")] = {"side": pod("side")}
    world.troubles.clear()
    restarted_at = time.time()
    notifier = await world.start()
    await until(lambda: bool(world.troubles))
    await settled(notifier)
    [(_, [after])] = world.troubles  # told the board once, not once more by the first look
    # Stuck since about the DM (not since the restart): the board's "stuck 4m" stays true.
    assert before.since <= after.since < restarted_at
    assert len(world.dms.sent) == 1


async def test_someone_never_told_is_not_put_on_the_board_by_the_first_look(world: World):
    notifier = await world.start()
    world.watches.emit("ADDED", "pods", healthy(pod("side")))
    world.watches.emit("ADDED", "pods", pod("web-", 0))
    await until(lambda: bool(world.troubles))
    await settled(notifier)
    assert [user for user, _ in world.troubles] == [ALICE]  # the failure, nothing before it


async def test_a_dm_slack_refused_is_sent_on_a_later_try(world: World):
    notifier = await world.start()
    world.dms.failing = True
    world.watches.emit("ADDED", "pods", pod("side"))
    await settled(notifier)
    assert world.dms.sent == []
    world.dms.failing = False
    await until(lambda: len(world.dms.sent) == 1)  # the periodic re-check tries again
    await settled(notifier)
    assert len(world.dms.sent) == 1


async def test_new_people_are_watched_at_once_and_instructors_never(world: World):
    world.roster = [ALICE, TEACHER]
    notifier = await world.start()
    assert set(notifier.watched) == {NS}
    notifier.saw(BOB)
    notifier.saw(TEACHER)
    await until(lambda: "ws-u0bob" in notifier.watched)
    assert "ws-u0teacher" not in notifier.watched
    bobs = pod("side")
    bobs["metadata"]["namespace"] = "ws-u0bob"
    world.watches.emit("ADDED", "pods", bobs)
    await until(lambda: len(world.dms.texts(BOB)) == 1)
    assert world.dms.texts(ALICE) == []


async def test_participants_from_settings_are_watched_from_the_start(tmp_path: Path):
    world = World(tmp_path / "state.db", PODIUM_PARTICIPANTS="U0CAROL, U0DAVE")
    world.roster = []
    notifier = await world.start()
    try:
        assert set(notifier.watched) == {"ws-u0carol", "ws-u0dave"}
    finally:
        await world.stop()


def service(name: str, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"selector": selector, "ports": [{"port": 80}]},
    }


async def test_a_service_selecting_no_pod_is_told_once_it_stays_so(world: World):
    notifier = await world.start()
    web = healthy(pod("web-", 0))
    web["metadata"]["labels"] = {"app": "web"}
    world.watches.emit("ADDED", "pods", web)
    # Applied with a typo'd selector; a right one appearing within the grace is never told.
    world.watches.emit("ADDED", "services", service("web", {"app": "wbe"}))
    world.watches.emit("ADDED", "services", service("fine", {"app": "nope"}))
    world.watches.emit("MODIFIED", "services", service("fine", {"app": "web"}))
    await until(lambda: bool(world.dms.sent))
    [(user, message)] = world.dms.sent
    text = json.dumps(message)
    assert user == ALICE and "Service web selects no Pod" in message["text"]
    assert "did you mean `app=web`?" in text
    assert "kubectl set selector service/web 'app=web' -n ws-u0alice" in text
    assert "Exercise 3" in text  # its checks name the Service web
    await settled(notifier)
    assert len(world.dms.sent) == 1


async def test_with_watching_off_nothing_is_watched_and_notify_says_why(tmp_path: Path):
    world = World(tmp_path / "state.db", PODIUM_WATCH="off")
    notifier = await world.start()
    try:
        assert notifier.watched == {} and world.watches.subscribed == []
        answer = (await notifier.command(ALICE, "off")).text
        assert "PODIUM_WATCH=off" in answer and "/kubectl get pods" in answer
    finally:
        await world.stop()


def test_the_workshops_images_are_known_from_its_solutions_and_demo_manifests(tmp_path: Path):
    known = workshop_images(REPO, load_exercises(EXERCISES))
    assert {"nginx", "busybox"} <= known  # the solutions' nginx:1.27 and busybox:1.37
    (tmp_path / "manifests" / "demo").mkdir(parents=True)
    (tmp_path / "manifests" / "demo" / "app.yaml").write_text("image: ghcr.io/acme/shop:2\n")
    assert "ghcr.io/acme/shop" in workshop_images(tmp_path, [])
    assert "ghcr.io/acme/shop" not in known
