"""Hostile input and faults: Podium in-process against the Slack stand-in and a Kubernetes API
emulator seeded with the demo plus objects whose data tries to ping the room.

`Room` wraps the running Podium with the ways people (and attackers) reach it and remembers every
response_url it handed out, so a test can look at *every* message Podium sent."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import DEFAULT_USERS, ApiCall, SlackStandIn, SlackUser, block_errors
from podium_devkit.slack_sender import SentRequest
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
BOT = "U0PODIUMBOT"
TEACHER = "U0INSTRUCTOR"
FINAL_REACTIONS = ("white_check_mark", "warning")
EXTRA_NAMESPACE = "ws-team"  # PODIUM_NAMESPACES: the one other namespace Podium may read
ALLOWED_NAMESPACES = {"sandbox", EXTRA_NAMESPACE}

# What cluster data may carry to ping or trick the room.
PINGS = "<!channel> <!here> <@U0BOB> <!subteam^S0ADMINS> <https://evil.example/login|click here>"
MARKUP = "*bold* _it_ ~strike~ ```fence``` `tick` > quote"
HOSTILE = f"{PINGS} {MARKUP}"
LONG_LINE = "A" * 49_950 + " <!channel> end"  # 50,000 characters, the ping at the very end
MULTILINE = "first line\n<!here> on a line of its own\n```\n<@U0BOB>\n```"


def hostile_objects() -> list[dict[str, Any]]:
    """Harmless names, hostile contents: a Pod (labels, annotations, logs, an Event), a ConfigMap,
    and an Event on the demo's nginx Deployment (so `describe deploy nginx` and the deck's demo
    slides carry it too)."""

    def event(name: str, kind: str, target: str, api_version: str, message: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": "sandbox", "creationTimestamp": "-5m"},
            "involvedObject": {
                "kind": kind,
                "namespace": "sandbox",
                "name": target,
                "apiVersion": api_version,
            },
            "reason": "Hostile",
            "message": message,
            "source": {"component": "evil-controller"},
            "firstTimestamp": "-5m",
            "lastTimestamp": "-5m",
            "count": 1,
            "type": "Warning",
            "reportingComponent": "evil-controller",
            "reportingInstance": "",
        }

    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-1",
                "namespace": "sandbox",
                "labels": {"app": "web", "owner": "<!channel>", "team": "<@U0BOB>"},
                "annotations": {"note": HOSTILE, "multi": MULTILINE, "long": LONG_LINE},
            },
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "settings",
                "namespace": "sandbox",
                "labels": {"app": "web"},
                "annotations": {"note": HOSTILE},
            },
            "data": {"banner": HOSTILE, "multi": MULTILINE, "long": LONG_LINE},
        },
        event("web-1.hostile1", "Pod", "web-1", "v1", HOSTILE),
        event("web-1.hostile2", "Pod", "web-1", "v1", LONG_LINE),
        event("nginx.hostile1", "Deployment", "nginx", "apps/v1", HOSTILE),
        {
            "apiVersion": "devkit.podium/v1",
            "kind": "PodLogs",
            "metadata": {"namespace": "sandbox", "name": "web-1"},
            "lines": [
                {"time": "-4m", "text": f"hello {HOSTILE}"},
                {"time": "-3m", "text": MULTILINE.replace("\n", " | ")},
                {"time": "-2m", "text": LONG_LINE},
                {"time": "-1m", "text": "bye <!here>"},
            ],
        },
    ]


def hostile_cluster() -> KubeEmulator:
    """The demo sandbox plus the hostile objects, their Events tied to their objects by uid (as
    `describe` looks them up)."""
    emulator = KubeEmulator([*load_documents(*demo_seed_paths()), *hostile_objects()])
    for event in emulator.objects("events", "sandbox"):
        target = event["involvedObject"]
        if event["reason"] == "Hostile":
            plural = {"Pod": "pods", "Deployment": "deployments"}[target["kind"]]
            target["uid"] = emulator.get_object(plural, "sandbox", target["name"])["metadata"][
                "uid"
            ]
    return emulator


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    async with hostile_cluster() as emulator:
        yield emulator


ROOM_ENV = {
    "PODIUM_INSTRUCTORS": TEACHER,
    "PODIUM_USER_RATE": "0/1s",  # hundreds of commands from one person: no budget in the way
    "PODIUM_BUDGETS": "ask=0/1s,exercise=0/1s,share=0/1s,run=0/1s,upvote=0/1s",  # nor in other families
    "PODIUM_NAMESPACES": EXTRA_NAMESPACE,
}


@dataclass
class Room:
    """Podium running, and everything sent to it through the ways Slack delivers."""

    running: Running
    response_urls: list[str] = field(default_factory=list)

    @property
    def standin(self) -> SlackStandIn:
        return self.running.standin

    @property
    def emulator(self) -> KubeEmulator:
        return self.running.emulator

    async def slash(
        self, text: str, command: str = "/kubectl", user: str = "U0ALICE", channel: str = CHANNEL
    ) -> SentRequest:
        sent = await self.running.sender.slash_command(
            command, text, user_id=user, channel_id=channel
        )
        assert sent.status == 200, (text, sent.status, sent.body)
        self.response_urls.append(str(sent.response_url))
        return sent

    async def ask(
        self, text: str, command: str = "/kubectl", user: str = "U0ALICE", timeout: float = 15
    ) -> dict[str, Any]:
        """A slash command and its (first) answer at the response_url."""
        sent = await self.slash(text, command, user)
        [answer] = await self.standin.wait_for_responses(
            str(sent.response_url), count=1, timeout=timeout
        )
        return answer

    async def press(
        self,
        action_id: str,
        value: str | None,
        *,
        user: str = "U0ALICE",
        channel: str = CHANNEL,
        message_ts: str | None = None,
    ) -> SentRequest:
        sent = await self.running.sender.block_action(
            action_id, value, user_id=user, channel_id=channel, message_ts=message_ts
        )
        assert sent.status == 200
        self.response_urls.append(str(sent.response_url))
        return sent

    async def mention(
        self, text: str, *, user: str = "U0ALICE", channel: str = CHANNEL
    ) -> dict[str, Any]:
        """`@Podium text` in the channel; returns the asking message once Podium is done with it."""
        message = self.standin.post_user_message(channel, user, f"<@{BOT}> {text}")
        event = {
            "type": "app_mention",
            "user": user,
            "text": message["text"],
            "ts": message["ts"],
            "channel": channel,
            "event_ts": message["ts"],
        }
        sent = await self.running.sender.event(event)
        assert sent.status == 200
        await self.finished(channel, message["ts"])
        return message

    async def direct(self, text: str, *, user: str = "U0ALICE") -> dict[str, Any]:
        """`text` in the DM with Podium; returns the asking message once Podium is done with it."""
        if user not in {u.id for u in DEFAULT_USERS}:  # a member the stand-in does not know yet
            self.standin.add_user(SlackUser(user, user.lower()))
        channel = self.standin.dm_channel(user)
        message = self.standin.post_user_message(channel, user, text)
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": message["ts"],
            "event_ts": message["ts"],
        }
        sent = await self.running.sender.event(event)
        assert sent.status == 200
        await self.finished(channel, message["ts"])
        return {**message, "channel": channel}

    async def finished(self, channel: str, ts: str, timeout: float = 20) -> ApiCall:
        """The ✅ or ⚠️ reaction that says Podium is done with a message."""
        return await self.standin.wait_for_call(
            "reactions.add",
            timeout=timeout,
            predicate=lambda c: (
                c.args.get("channel") == channel
                and c.args.get("timestamp") == ts
                and c.args.get("name") in FINAL_REACTIONS
            ),
        )

    def thread_answers(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Podium's messages in the thread of `ts` (file-share messages of snippets left out)."""
        return [
            m
            for m in self.standin.messages(channel)
            if m.get("bot_id") and m.get("thread_ts") == ts and not m.get("upload")
        ]

    def dm_answers_after(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Podium's top-level messages in a DM after the asking message `ts`."""
        return [
            m
            for m in self.standin.messages(channel)
            if m.get("bot_id")
            and m.get("thread_ts", m["ts"]) == m["ts"]
            and not m.get("upload")
            and float(m["ts"]) > float(ts)
        ]

    def outgoing(self) -> list[tuple[str, dict[str, Any]]]:
        """Every message Podium sent to Slack: Web API message calls and response_url posts."""
        sent: list[tuple[str, dict[str, Any]]] = []
        for call in self.standin.calls():
            if call.method in (
                "chat.postMessage",
                "chat.update",
                "chat.postEphemeral",
                "views.publish",
                "views.open",
                "files.completeUploadExternal",
            ):
                sent.append((call.method, call.args))
        for url in self.response_urls:
            sent.extend(("response_url", post.body) for post in self.standin.responses(url))
        return sent


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with running_podium(cluster, standin, tmp_path, **ROOM_ENV) as running:
        yield Room(running)


# --- what a Slack message may carry ---------------------------------------------------------------

RAW_PINGS = re.compile(r"<!(channel|here|everyone|subteam)[^>]*>|<@U0BOB>|<https?://evil")


def visible_text(message: dict[str, Any]) -> str:
    """Everything Slack would render (and scan for mentions) in a message, as one string."""
    parts = [
        json.dumps(message.get(k), ensure_ascii=False)
        for k in ("text", "blocks", "attachments", "view", "initial_comment")
    ]
    return "\n".join(parts)


def raw_pings(message: dict[str, Any]) -> list[str]:
    return [m.group(0) for m in RAW_PINGS.finditer(visible_text(message))]


def block_kit_problems(message: dict[str, Any]) -> list[str]:
    """Slack's limits for a message: ≤ 50 blocks, section text ≤ 3,000, fields ≤ 2,000, context
    elements ≤ 2,000 (the stand-in's own checks, and these stated again), text ≤ 40,000."""
    blocks = message.get("blocks")
    problems: list[str] = []
    if blocks is not None:
        problems += block_errors(blocks)
        if len(blocks) > 50:
            problems.append(f"{len(blocks)} blocks")
        for i, block in enumerate(blocks):
            if (
                block.get("type") == "section"
                and len((block.get("text") or {}).get("text", "")) > 3000
            ):
                problems.append(f"section {i} text is {len(block['text']['text'])} characters")
            if block.get("type") == "context":
                for element in block.get("elements") or []:
                    if len(element.get("text", "")) > 2000:
                        problems.append(f"context {i} element is {len(element['text'])} characters")
    if len(str(message.get("text") or "")) > 40_000:
        problems.append("text over 40,000 characters")
    return problems


def text_of(message: dict[str, Any]) -> str:
    return message_to_text(message)


async def settle(seconds: float = 0.3) -> None:
    """Give a (wrongly) running or duplicate handler the time to show itself."""
    await asyncio.sleep(seconds)
