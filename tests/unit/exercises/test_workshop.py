"""The Workshop in process: a fake of ExerciseGateway (no HTTP, no emulator) holding a
participant's namespace, a real ExerciseStore on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.exercises.spec import parse_exercise
from bot.exercises.workshop import Workshop
from bot.kubectl.errors import ClusterError
from bot.store import open_database
from bot.store.exercises import ExerciseStore

EXERCISE = """
title: A web Pod
hints:
  - "Start from `kubectl run web --image=nginx`."
  - "Check it with `/kubectl get pod web`."
solution:
  path: solutions/web/
  summary: one nginx Pod called web.
  run:
    - kubectl apply -f pod.yaml
checks:
  - exists: {kind: pod, name: web}
"""


class FakeCluster:
    """What ExerciseGateway reads: namespaces, and pods in them by name."""

    def __init__(self) -> None:
        self.namespaces: set[str] = set()
        self.pods: dict[str, list[dict[str, Any]]] = {}

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        if plural == "namespaces" and name in self.namespaces:
            return {"metadata": {"name": name}}
        for pod in self.pods.get(namespace or "", []) if plural == "pods" else []:
            if pod["metadata"]["name"] == name:
                return pod
        raise ClusterError("NotFound", f'{plural} "{name}" not found', 404)

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        return list(self.pods.get(namespace or "", [])) if plural == "pods" else []

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        return ""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ExerciseStore]:
    database = await open_database(tmp_path / "state.db")
    yield ExerciseStore(database)
    await database.close()


def workshop(
    tmp_path: Path,
    store: ExerciseStore,
    cluster: FakeCluster,
    instructors: frozenset[str] = frozenset({"UTEACH"}),
    on_progress: Any = None,
) -> Workshop:
    solution = tmp_path / "solutions" / "web"
    solution.mkdir(parents=True, exist_ok=True)
    (solution / "pod.yaml").write_text("kind: Pod\nmetadata:\n  name: web\n", encoding="utf-8")
    exercise = parse_exercise(EXERCISE, tmp_path / "01-web.yaml", number=1, key="01-web")
    return Workshop(
        [exercise],
        store,
        cluster,
        namespace_template="ws-{user}",
        instructors=instructors,
        repository=tmp_path,
        on_progress=on_progress,
    )


async def test_a_check_without_the_namespace_says_how_to_create_it(
    tmp_path: Path, store: ExerciseStore
) -> None:
    reply = await workshop(tmp_path, store, FakeCluster()).check(1, "U1")
    assert "Your namespace `ws-u1` does not exist yet" in reply.text
    assert "--users U1" in reply.text
    assert await store.results("U1") == []  # nothing was checked, nothing recorded


async def test_a_failing_then_passing_check_is_recorded(
    tmp_path: Path, store: ExerciseStore
) -> None:
    cluster = FakeCluster()
    cluster.namespaces.add("ws-u1")
    room = workshop(tmp_path, store, cluster)
    failing = await room.check(1, "U1")
    assert "❌" in failing.text and "`/exercise hint 1` helps" in failing.text
    cluster.pods["ws-u1"] = [{"kind": "Pod", "metadata": {"name": "web", "namespace": "ws-u1"}}]
    passing = await room.check(1, "U1")
    assert "✅" in passing.text and "hint" not in passing.text
    result = await store.result("U1", 1)
    assert result is not None and result.ever_passed and result.attempts == 2
    assert await room.progress("U1") == ["1. A web Pod: passed"]


async def test_hints_come_one_at_a_time_in_the_askers_namespace(
    tmp_path: Path, store: ExerciseStore
) -> None:
    room = workshop(tmp_path, store, FakeCluster())
    first = await room.hint(1, "U1")
    assert "(1 of 2)" in first.text and "`/exercise hint 1` again" in first.text
    second = await room.hint(1, "U1")
    assert "(2 of 2)" in second.text and "That was the last hint." in second.text
    assert (
        "`/kubectl get pod web -n ws-u1`" in second.text
    )  # Podium commands read the asker's namespace


async def test_the_solution_opens_after_an_attempt_or_a_release(
    tmp_path: Path, store: ExerciseStore
) -> None:
    room = workshop(tmp_path, store, FakeCluster())
    locked = await room.solution(1, "U1")
    assert locked.blocks is None and "solution" in locked.text.lower()
    refused = await room.release(1, "U1")
    assert refused.text.startswith("Only the instructors release solutions")
    released = await room.release(1, "UTEACH")
    assert "open to everyone now" in released.text
    opened = await room.solution(1, "U1")
    assert opened.blocks is not None and "name: web" in str(opened.blocks)


async def test_the_board_is_for_the_leaders(tmp_path: Path, store: ExerciseStore) -> None:
    cluster = FakeCluster()
    cluster.namespaces.add("ws-u1")
    room = workshop(tmp_path, store, cluster)
    assert "Only the instructors read `/exercise board`" in (await room.board("U1")).text
    assert (await room.board("UTEACH")).text == "Nobody has checked an exercise yet."
    await room.check(1, "U1")
    board = await room.board("UTEACH")
    assert board.blocks is not None and "<@U1>  1 ❌" in str(board.blocks)


async def test_unknown_exercises_name_the_known_ones(tmp_path: Path, store: ExerciseStore) -> None:
    reply = await workshop(tmp_path, store, FakeCluster()).check(7, "U1")
    assert reply.text == "There is no exercise 7; the exercises are 1. `/exercise list` shows them."


async def test_a_pass_tells_the_room_board_and_counts_per_person(
    tmp_path: Path, store: ExerciseStore
) -> None:
    told: list[str] = []
    cluster = FakeCluster()
    cluster.namespaces.update({"ws-u1", "ws-u2"})
    room = workshop(tmp_path, store, cluster, on_progress=told.append)
    await room.check(1, "U1")  # fails: the board has nothing new to show
    assert told == []
    cluster.pods["ws-u1"] = [{"kind": "Pod", "metadata": {"name": "web", "namespace": "ws-u1"}}]
    await room.check(1, "U1")
    await room.check(1, "U2")
    assert told == ["U1"]
    assert await store.passed_counts() == {"U1": 1, "U2": 0}
