"""Exercises through the real Bolt app and the Slack stand-in: list, show, check, hints, the
solution gate, the board, Check my work on the slide, and results that survive a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.exercises.workshop import CHECK_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from tests.harness.exercises import participant_setup, solution
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
DECK = load_deck(default_slides_folder() / "kubernetes-101.md")


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    # Alice has a namespace with exercise 2 solved; Bob was never set up.
    seed = [*participant_setup("U0ALICE"), *solution("02-deployment")]
    async with KubeEmulator([*load_documents(*demo_seed_paths()), *seed]) as emulator:
        yield emulator


@pytest.fixture
async def room(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as running:
        yield running


async def exercise(running: Running, text: str, user: str = "U0ALICE") -> str:
    sent = await running.sender.slash_command("/exercise", text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return message_to_text(reply)


async def test_list_show_and_check(room: Running):
    listing = await exercise(room, "list")
    assert "· *1. Multi-container Pod*" in listing and "Your namespace: `ws-u0alice`" in listing
    shown = await exercise(room, "show 2")
    assert (
        shown.startswith("Exercise 2: Create a Deployment\n1. Generate a manifest")
        and "[Check my work]  [Hint]" in shown
    )
    passed = await exercise(room, "check 2")
    assert passed.startswith("*Exercise 2: Create a Deployment — all ")
    assert "❌" not in passed and passed.count("✅") >= 3
    failed = await exercise(room, "check 1")
    assert "❌ A Pod named web-with-sidecar exists — expected " in failed
    assert "Fix what is ❌ and check again" in failed
    assert "✅ *2. Create a Deployment*" in await exercise(room, "list")


async def test_a_participant_without_a_namespace_is_told_how_to_get_one(room: Running):
    text = await exercise(room, "check 2", user="U0BOB")
    assert "Your namespace `ws-u0bob` does not exist yet" in text
    assert "python -m bot participants manifests --users U0BOB | kubectl apply -f -" in text


async def test_hints_progress_and_are_remembered(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path) as first:
        one = await exercise(first, "hint 1")
        assert "(1 of 3)" in one and "1. " in one and "2. " not in one
        assert "(2 of 3)" in await exercise(first, "hint 1")
    async with running_podium(cluster, standin, tmp_path) as second:  # after a restart
        three = await exercise(second, "hint 1")
        assert "(3 of 3)" in three and "That was the last hint." in three
        assert "(3 of 3)" in await exercise(second, "hint 1")
        assert "(1 of 3)" in await exercise(
            second, "hint 1", user="U0BOB"
        )  # each person has their own


async def test_a_solution_needs_an_attempt_a_passing_check_all_hints_or_a_release(
    room: Running, cluster
):
    # Nothing tried: refused, saying what opens it.
    locked = await exercise(room, "solution 1")
    assert locked.startswith(
        "Try it first: the solution to exercise 1 opens once one of its checks passes"
    )
    assert "`/exercise hint 1`: 0 of 3 so far" in locked and "release" in locked
    # A check at 0 passes is not an attempt that got anywhere.
    assert "0 of 4 checks pass" in await exercise(room, "check 1")
    assert (await exercise(room, "solution 1")).startswith("Try it first")

    # One passing check opens it: a Pod web-with-sidecar with one container (the other checks fail).
    cluster.store.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-with-sidecar", "namespace": "ws-u0alice"},
            "spec": {"containers": [{"name": "web", "image": "busybox:1.37"}]},
        }
    )
    assert "1 of 4 checks pass" in await exercise(room, "check 1")
    opened = await exercise(room, "solution 1")
    assert opened.startswith("*Solution to exercise 1*") and "name: web-with-sidecar" in opened
    # It ends with what to run with her own kubectl, on the file shown: no repository path, no namespace.
    assert "Save as `pod.yaml`:" in opened and opened.endswith(
        "Then run:\nkubectl apply -f pod.yaml"
    )
    assert "manifests/" not in opened and " -n " not in opened

    # Every hint seen opens it too, without a check.
    assert (await exercise(room, "solution 3")).startswith("Try it first")
    for _ in range(3):
        await exercise(room, "hint 3")
    opened = await exercise(room, "solution 3")
    assert "Save as `web.yaml`:" in opened and "kubectl apply -f web.yaml" in opened

    # A release opens it for everyone; instructors see it anyway.
    assert (await exercise(room, "solution 4", user="U0BOB")).startswith("Try it first")
    assert "web-client" in await exercise(room, "solution 4", user=TEACHER)
    assert "Only the instructors" in await exercise(room, "release 4", user="U0BOB")
    assert "open to everyone" in await exercise(room, "release 4", user=TEACHER)
    released = await exercise(room, "solution 4", user="U0BOB")
    assert "Save as `web-client.yaml`:" in released and "wget -qO- -T 3 http://web" in released
    assert released.endswith(
        "Then run:\nkubectl apply -f web-client.yaml\nkubectl scale deployment web --replicas=4"
    )


async def test_board_after_several_users(room: Running):
    await exercise(room, "check 2")
    await exercise(room, "check 1")
    await exercise(room, "check 2", user="U0BOB")  # no namespace: nothing recorded
    assert "Only the instructors read `/exercise board`" in await exercise(
        room, "board", user="U0BOB"
    )
    board = await exercise(room, "board", user=TEACHER)
    assert "<@U0ALICE>  1 ❌  2 ✅  3 ·  4 ·" in board
    assert "U0BOB" not in board
    assert "exercise 2: 1/1" in board


async def test_without_instructors_the_presenter_releases_and_reads_the_board(
    cluster, standin, tmp_path
):
    # PODIUM_INSTRUCTORS empty: the same rule as driving the slides, so whoever presents leads.
    async with running_podium(cluster, standin, tmp_path) as room:
        await exercise(room, "check 2")
        refused = await exercise(room, "release 1", user=TEACHER)
        assert "Only the person presenting the slides may release solutions" in refused
        assert "Only the person presenting" in await exercise(room, "board", user=TEACHER)
        started = await room.sender.slash_command(
            "/slides", "start", user_id=TEACHER, channel_id=CHANNEL
        )
        await room.standin.wait_for_responses(started.response_url, count=1, timeout=15)
        assert "<@U0ALICE>" in await exercise(room, "board", user=TEACHER)
        assert "Only the person presenting" in await exercise(room, "board", user="U0BOB")
        assert "Only the person presenting" in await exercise(room, "release 1", user="U0BOB")
        assert "open to everyone" in await exercise(room, "release 1", user=TEACHER)
        assert "name: web-with-sidecar" in await exercise(room, "solution 1", user="U0BOB")


async def test_check_my_work_button_on_the_exercise_slide(room: Running):
    slide = next(s for s in DECK.slides if s.exercise == 2)
    sent = await room.sender.slash_command("/slides", "start", user_id=TEACHER, channel_id=CHANNEL)
    await room.standin.wait_for_responses(sent.response_url, timeout=10)
    sent = await room.sender.slash_command(
        "/slides", f"goto {slide.number}", user_id=TEACHER, channel_id=CHANNEL
    )
    await room.standin.wait_for_responses(sent.response_url, timeout=10)
    live = room.standin.messages(CHANNEL)[-1]
    buttons = [e for b in live["blocks"] if b["type"] == "actions" for e in b["elements"]]
    check = next(e for e in buttons if e["action_id"] == CHECK_ACTION)
    assert check["value"] == "2"
    pressed = await room.sender.block_action(
        CHECK_ACTION, "2", user_id="U0ALICE", channel_id=CHANNEL, message_ts=live["ts"]
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, timeout=15)
    assert reply["response_type"] == "ephemeral"
    assert "Exercise 2: Create a Deployment — all" in message_to_text(reply)


async def test_usage(room: Running):
    assert "needs an exercise number" in await exercise(room, "check")
    assert "There is no exercise 9" in await exercise(room, "show 9")
    assert "`/exercise list`" in await exercise(room, "")
