"""Every in-place edit shares one chat.update budget (bot/slack/pacing.py UpdateBudget), against
the Slack stand-in's real limits (chat.update is Tier 3: 50 a minute for the app). A busy room at
once: the instructor advancing a live deck, 20 `get pods -w` watches (one per breakout channel)
each seeing pods deleted and replaced, the instructor's room board changing, and a questions
storm with upvotes. Slack never answers 429; every watch message and the board end on their
latest content; the slides' edits are not held behind the background ones (the order of the
stand-in's calls is compared, not times)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.notify.model import Trouble
from bot.questions.render import UPVOTE_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import ApiCall, SlackStandIn
from tests.harness.room import CHANNEL, ROOM_ENV, TEACHER, Room
from tests.harness.running import running_podium

WATCHERS = 20
ROUNDS = 3  # pods deleted and replaced, one after the other
ASKERS = 12
UPVOTE_WAVES = 3  # each wave edits every question's message once more
SLIDE_STEPS = 4
STUCK = 8  # participants on the board whose trouble changes every round


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    env = {
        **ROOM_ENV,
        "PODIUM_POST_INTERVAL": "1",  # Podium's default: Slack's pace
        "PODIUM_WATCHES_MAX": str(WATCHERS),
        "PODIUM_WATCH_SECONDS": "900",  # every watch runs to the end of the test
    }
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        yield Room(running)


async def eventually(check: Callable[[], Any], what: str, timeout: float = 240.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        await asyncio.sleep(0.1)
    return found


def nginx_pods(cluster: KubeEmulator) -> set[str]:
    return {
        p["metadata"]["name"]
        for p in cluster.objects("pods", "sandbox")
        if p["metadata"]["name"].startswith("nginx-")
    }


async def replace_a_pod(cluster: KubeEmulator) -> str:
    """Delete one nginx pod and wait for the Deployment's replacement; returns the deleted one."""
    before = nginx_pods(cluster)
    victim = min(before)
    url = f"{cluster.url}/api/v1/namespaces/sandbox/pods/{victim}"
    headers = {"Authorization": f"Bearer {cluster.ADMIN_TOKEN}"}
    async with aiohttp.ClientSession() as session, session.delete(url, headers=headers) as reply:
        assert reply.status == 200
    await eventually(lambda: nginx_pods(cluster) - before, "the replacement", 60)
    return victim


def trouble(user: str, round_: int) -> Trouble:
    return Trouble(
        user,
        f"ws-{user.lower()}",
        "pods",
        f"web-round{round_}",
        "CrashLoopBackOff",
        time.time() - 60 * (STUCK - int(user[-2:])),
        f"back-off restarting failed container (round {round_})",
    )


def watch_tables(standin: SlackStandIn, users: list[str]) -> dict[str, str]:
    """Each breakout channel's watch message: its table (above the change rows)."""
    tables: dict[str, str] = {}
    for user in users:
        for message in standin.messages(f"C{user}"):
            text = message_to_text(message)
            if message.get("bot_id") and "watching · updates for" in text:
                tables[user] = text.split("Changes, newest last:")[0]
    return tables


def slide_number(call: ApiCall) -> int | None:
    text = message_to_text(call.args)
    if call.method != "chat.postMessage" or not call.ok or call.args.get("thread_ts"):
        return None
    if call.args.get("channel") != CHANNEL or "Slide " not in text:
        return None
    return int(text.split("Slide ", 1)[1].split("/", 1)[0])


async def test_a_busy_room_stays_within_one_update_budget(room: Room) -> None:
    standin = room.standin
    users = [f"U0W{n:03d}" for n in range(WATCHERS)]
    for user in users:  # breakout rooms: one watch each, so twenty messages to keep up to date
        standin.add_channel(f"C{user}", f"room-{user.lower()}", members=[user])
    await room.ask("start", "/slides", user=TEACHER)
    board_answer = await room.ask("board", command="/workshop", user=TEACHER)
    assert "in your DM with Podium" in board_answer["text"]

    async def watch(user: str) -> str:
        sent = await room.slash("get pods -w", user=user, channel=f"C{user}")
        [answer] = await standin.wait_for_responses(str(sent.response_url), count=1, timeout=120)
        return message_to_text(answer)

    said = await asyncio.gather(*(watch(u) for u in users))
    assert all("Watching pods in sandbox in this channel" in s for s in said), said
    await eventually(lambda: len(watch_tables(standin, users)) == WATCHERS, "every watch posted")
    started = len(standin.calls())

    async def questions_storm() -> None:
        asked = await asyncio.gather(
            *(
                room.ask(f"question {n} about pods?", "/ask", user=f"U0Q{n:03d}", timeout=90)
                for n in range(ASKERS)
            )
        )
        assert all("question" in message_to_text(a).lower() for a in asked), asked
        posts = [
            c
            for c in standin.calls("chat.postMessage")
            if c.ok and "about pods?" in message_to_text(c.args)
        ]
        buttons = [
            e
            for c in posts
            for b in c.args.get("blocks") or []
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == UPVOTE_ACTION
        ]
        assert len(buttons) == ASKERS
        for wave in range(UPVOTE_WAVES):
            await asyncio.gather(
                *(
                    room.press(UPVOTE_ACTION, button["value"], user=f"U0V{wave:03d}")
                    for button in buttons
                )
            )
            await asyncio.sleep(1.5)  # each wave after the questions' debounce: one more edit

    async def advance_the_deck() -> None:
        for _ in range(SLIDE_STEPS):
            await asyncio.sleep(2)  # the instructor talks a little between slides
            await room.ask("next", "/slides", user=TEACHER, timeout=60)

    async def pods_and_board() -> list[str]:
        victims = []
        for round_ in range(ROUNDS):
            for n in range(STUCK):
                user = f"U0S{n:03d}"
                room.running.podium.board.troubles_changed(user, (trouble(user, round_),))
            victims.append(await replace_a_pod(room.emulator))
            await asyncio.sleep(4)  # each round reaches the watches on its own, not folded in
        return victims

    busy_from = time.monotonic()
    victims, *_ = await asyncio.gather(pods_and_board(), questions_storm(), advance_the_deck())
    last_change = time.monotonic()

    # Every watch converges on the cluster as it is now; the board on its last round.
    current = nginx_pods(room.emulator)

    def converged() -> bool:
        tables = watch_tables(standin, users)
        return len(tables) == WATCHERS and all(
            all(pod in table for pod in current) and not any(v in table for v in victims)
            for table in tables.values()
        )

    await eventually(converged, "every watch showing the last replacement")
    watches_at = time.monotonic()
    dm = standin.dm_channel(TEACHER)

    def board_text() -> str:
        return " ".join(
            message_to_text(m)
            for m in standin.messages(dm)
            if m.get("bot_id") and "Room board" in str(m.get("text"))
        )

    await eventually(lambda: f"web-round{ROUNDS - 1}" in board_text(), "the board's last round")
    assert "web-round0" not in board_text() and "web-round1" not in board_text()
    done_at = time.monotonic()

    calls = standin.calls()[started:]
    board_ts = {m["ts"] for m in standin.messages(dm) if "Room board" in str(m.get("text"))}
    watch_channels = {f"C{u}" for u in users}

    def background(call: ApiCall) -> bool:
        return call.method == "chat.update" and (
            call.args.get("channel") in watch_channels or call.args.get("ts") in board_ts
        )

    # Each `/slides next`: the new slide is posted, then the previous one loses its buttons. That
    # edit lands right after the post, not behind the twenty watches' and the board's edits that
    # are waiting meanwhile.
    posted = [(i, n) for i, c in enumerate(calls) if (n := slide_number(c)) is not None]
    assert len(posted) == SLIDE_STEPS, [n for _, n in posted]
    held_behind = []
    for at, _number in posted:
        edit = next(
            j
            for j in range(at + 1, len(calls))
            if calls[j].method == "chat.update"
            and calls[j].args.get("channel") == CHANNEL
            and calls[j].ok
        )
        held_behind.append(sum(background(c) for c in calls[at:edit]))
    background_edits = sum(background(c) and c.ok for c in calls)
    print(
        f"\nmixed room: {len(standin.calls('chat.update'))} chat.update calls "
        f"({background_edits} background), 429s: {len(standin.rate_limited_calls())}, "
        f"failed: {sum(not c.ok for c in standin.calls('chat.update'))}, "
        f"busy for {last_change - busy_from:.1f} s, watches converged "
        f"{watches_at - last_change:.1f} s after the last change, board {done_at - last_change:.1f} s; "
        f"background edits between a slide's post and its edit: {held_behind}"
    )
    assert standin.rate_limited_calls("chat.update") == [], "Slack answered chat.update 429"
    assert standin.rate_limited_calls() == []
    assert all(n <= 3 for n in held_behind), held_behind  # at most those already sent
