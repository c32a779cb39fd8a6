"""`/kubectl get pods -w` through the real Bolt app, the shared namespace streams (the real hub)
and the emulator's controllers: one message in the channel, updated in place as a Deployment's
pod is deleted and replaced, ended after its time with the stop text; the caps; the DM when
Podium cannot post where the command came from; @mentions and DMs."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.room import ROOM_ENV, Room, block_kit_problems, raw_pings
from tests.harness.running import running_podium

CHANNEL = "C0WORKSHOP"
HEADER = "kubectl get pods -n sandbox -w"


@contextlib.asynccontextmanager
async def room_with(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path, **env: str
) -> AsyncIterator[Room]:
    async with running_podium(cluster, standin, tmp_path, **{**ROOM_ENV, **env}) as running:
        yield Room(running)


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with room_with(cluster, standin, tmp_path, PODIUM_WATCH_SECONDS="120") as room:
        yield room


async def eventually(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy (the machine may be loaded: generous)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.05)


def watch_posts(standin: SlackStandIn, channel: str, header: str = HEADER) -> list[Any]:
    return [
        c
        for c in standin.calls("chat.postMessage")
        if c.ok
        and c.args.get("channel") == channel
        and header in str(c.args.get("blocks"))
        and "watching · updates for" in str(c.args.get("blocks"))  # not the answer saying where
    ]


def sandbox_pods(cluster: KubeEmulator) -> set[str]:
    return {p["metadata"]["name"] for p in cluster.objects("pods", "sandbox")}


async def delete_pod(cluster: KubeEmulator, name: str) -> None:
    """What `kubectl delete pod NAME` sends, as the cluster's admin."""
    url = f"{cluster.url}/api/v1/namespaces/sandbox/pods/{name}"
    headers = {"Authorization": f"Bearer {cluster.ADMIN_TOKEN}"}
    async with aiohttp.ClientSession() as session, session.delete(url, headers=headers) as response:
        assert response.status == 200, await response.text()


async def test_get_pods_w_updates_one_message_in_place_as_a_pod_is_replaced(room: Room):
    before = sandbox_pods(room.emulator)
    assert len(before) == 3  # the demo's nginx Deployment
    answer = await room.ask("get pods -w")
    said = message_to_text(answer)
    assert re.search(r"Watching pods in sandbox in this channel until \d\d:\d\d UTC", said), said
    [post] = await eventually(lambda: watch_posts(room.standin, CHANNEL), "the watch message")
    ts = post.response["ts"]
    first = message_to_text(post.args)
    assert all(name in first for name in before)
    assert "watching · updates for 2m" in first and "started by <@U0ALICE>" in first

    victim = min(before)
    await delete_pod(room.emulator, victim)
    replacement = await eventually(
        lambda: next(iter(sandbox_pods(room.emulator) - before), None), "the replacement pod"
    )

    def shown_now() -> str:
        message = room.standin.message(CHANNEL, ts)
        return message_to_text(message) if message else ""

    await eventually(
        lambda: replacement in shown_now().split("Changes, newest last:")[0], "the new pod shown"
    )
    text = shown_now()
    table, changes = text.split("Changes, newest last:")
    assert victim not in table  # gone from the table …
    assert re.search(rf"DELETED\s+{victim}", changes)  # … and its deletion is a watch row
    assert re.search(rf"ADDED\s+{replacement}", changes)
    # In place: one post, every update to the same ts, at least 1.5 s apart.
    assert len(watch_posts(room.standin, CHANNEL)) == 1
    updates = [c for c in room.standin.calls("chat.update") if c.args.get("channel") == CHANNEL]
    assert updates and {c.args["ts"] for c in updates} == {ts}
    moments = [c.at for c in updates if c.ok]
    assert all(b - a >= 1.4 for a, b in itertools.pairwise(moments)), moments
    assert not any(c.rate_limited for c in updates)
    final = room.standin.message(CHANNEL, ts)
    assert final is not None and not block_kit_problems(final) and not raw_pings(final)


async def test_a_watch_stops_after_its_time_and_says_how_to_watch_again(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with room_with(cluster, standin, tmp_path, PODIUM_WATCH_SECONDS="5") as room:
        await room.ask("get po -l app=nginx -w")
        [post] = await eventually(
            lambda: watch_posts(standin, CHANNEL, "kubectl get po -n sandbox -l app=nginx -w"),
            "posted",
        )
        ts = post.response["ts"]

        def stopped() -> str | None:
            message = standin.message(CHANNEL, ts)
            text = message_to_text(message) if message else ""
            return text if "stopped watching at" in text else None

        text = await eventually(stopped, "the stop text", 60)
        assert "watch again with `/kubectl get po -n sandbox -l app=nginx -w`" in text
        watches = room.running.podium.get_watches
        await eventually(lambda: watches.running == 0, "the session gone")
        again = await room.ask("get pods -w")
        assert "Watching pods in sandbox" in message_to_text(again)


async def test_the_per_person_and_room_caps_are_answered_clearly(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with room_with(cluster, standin, tmp_path, PODIUM_WATCHES_MAX="2") as room:
        assert "Watching pods" in message_to_text(await room.ask("get pods -w"))
        mine = message_to_text(await room.ask("get deploy -w"))
        assert re.search(
            r"You are already watching pods in sandbox \(until \d\d:\d\d UTC\); Podium runs one "
            r"watch per person at a time\.",
            mine,
        ), mine
        assert "Watching deployments" in message_to_text(
            await room.ask("get deploy -w", user="U0BOB")
        )
        full = message_to_text(await room.ask("get ep -w", user="U0INSTRUCTOR"))
        assert "Podium is already running 2 watches for the room" in full, full
        assert room.running.podium.get_watches.running == 2


async def test_where_podium_cannot_post_the_watch_goes_to_the_dm(room: Room):
    room.standin.add_channel("G0SECRET", "secret", is_private=True, member=False)
    sent = await room.slash("get pods -w", channel="G0SECRET")
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), count=1, timeout=15)
    said = message_to_text(answer)
    assert "Watching pods in sandbox in your DM with Podium" in said, said
    assert "/invite @Podium" in said
    dm = room.standin.dm_channel("U0ALICE")
    await eventually(lambda: watch_posts(room.standin, dm), "the watch in the DM")
    assert not room.standin.messages("G0SECRET")


async def test_mentions_and_dms_start_watches_too(room: Room):
    await room.mention("get pods -w")
    await eventually(lambda: watch_posts(room.standin, CHANNEL), "the watch in the channel")
    dm = await room.direct("get deploy -w", user="U0BOB")
    posted = await eventually(
        lambda: watch_posts(room.standin, dm["channel"], "kubectl get deploy -n sandbox -w"),
        "the watch in Bob's DM",
    )
    assert len(posted) == 1
    said = [message_to_text(m) for m in room.dm_answers_after(dm["channel"], dm["ts"])]
    assert any("Watching deployments in sandbox here until" in s for s in said), said
    assert room.running.podium.get_watches.running == 2


async def test_closing_podium_ends_the_watch_with_its_final_update(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with room_with(cluster, standin, tmp_path) as room:
        await room.ask("get pods -w")
        [post] = await eventually(lambda: watch_posts(standin, CHANNEL) or None, "posted")
        ts = post.response["ts"]
    message = standin.message(CHANNEL, ts)
    assert message is not None
    assert "stopped watching at" in message_to_text(message)
    assert "Podium is shutting down" in message_to_text(message)
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("watch ")]


async def test_watches_of_one_namespace_share_one_stream(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with room_with(cluster, standin, tmp_path, PODIUM_WATCHES_MAX="5") as room:
        for user, text in (
            ("U0ALICE", "get pods -w"),
            ("U0BOB", "get po -l app=nginx -w"),
            ("U0INSTRUCTOR", "get pods -o wide -w"),
        ):
            assert "Watching pods" in message_to_text(await room.ask(text, user=user))
        assert room.running.podium.get_watches.running == 3
        pod_reads = [
            r
            for r in cluster.requests
            if r.resource == "pods" and r.namespace == "sandbox" and r.verb in ("list", "watch")
        ]
        # One list and one watch for the room, not one per person (a reconnect may add one).
        assert [r.verb for r in pod_reads].count("list") == 1, pod_reads
        assert 1 <= [r.verb for r in pod_reads].count("watch") <= 2, pod_reads


async def test_the_room_typing_the_same_watch_gets_one_message(room: Room):
    assert "Watching pods in sandbox" in message_to_text(await room.ask("get pods -w"))
    again = message_to_text(await room.ask("get pods -w", user="U0BOB"))
    assert "Pods in sandbox are already being watched in this channel until" in again, again
    assert len(watch_posts(room.standin, CHANNEL)) == 1
    assert room.running.podium.get_watches.running == 1


async def test_a_cluster_outage_is_said_and_the_changes_made_meanwhile_shown_after(room: Room):
    await room.ask("get pods -w")
    [post] = await eventually(lambda: watch_posts(room.standin, CHANNEL), "the watch message")
    ts = post.response["ts"]
    cluster = room.emulator
    port, tls_port = (int(url.rsplit(":", 1)[1]) for url in (cluster.url, cluster.https_url))
    victim = min(sandbox_pods(cluster))
    await cluster.stop()
    cluster.store.remove("pods", "sandbox", victim)  # while Podium cannot reach the cluster

    def shown() -> str:
        message = room.standin.message(CHANNEL, ts)
        return message_to_text(message) if message else ""

    await eventually(
        lambda: "reconnecting to the cluster (Unreachable): changes may be late" in shown(),
        "the outage said in the footer",
        60,
    )
    await cluster.start(port=port, tls_port=tls_port)
    await eventually(
        lambda: "reconnecting" not in shown() and victim not in shown().split("Changes")[0],
        "caught up, and the footer back to normal",
        90,
    )
    assert re.search(rf"DELETED\s+{victim}", shown())
