"""`kill -9` in the middle of a workshop: `python -m bot serve` restarted on the same PODIUM_STATE
continues where the room was: the slide on screen, its buttons, the questions and their votes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.questions.render import UPVOTE_ACTION
from bot.slides.render import NEXT_ACTION
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.process import (
    SIGNING_SECRET,
    PodiumProcess,
    podium_env,
    start_podium,
    stop_podium,
)
from tests.harness.room import CHANNEL, TEACHER, text_of

LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")


class Workshop:
    """Podium as a process that can be killed and started again on the same state file."""

    def __init__(self, standin: SlackStandIn, emulator: KubeEmulator, tmp_path: Path) -> None:
        self.standin = standin
        self.env = podium_env(
            standin,
            emulator.write_kubeconfig(tmp_path / "kubeconfig"),
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            PODIUM_STATE=str(tmp_path / "workshop.db"),
            PODIUM_INSTRUCTORS=TEACHER,
            PODIUM_POST_INTERVAL="0",
        )
        self.process: PodiumProcess | None = None
        self.sender: SlackSender | None = None

    async def start(self) -> None:
        self.process = await start_podium(["serve", "--host", "127.0.0.1"], self.env, LISTENING)
        self.sender = SlackSender(str(self.process.events_url), SIGNING_SECRET, self.standin)

    async def kill_9(self) -> None:
        assert self.process is not None and self.sender is not None
        await self.sender.close()
        self.process.process.kill()  # SIGKILL: no clean-up, no flush, no goodbye
        await self.process.process.wait()
        await self.process.drain_task  # type: ignore[attr-defined]
        assert self.process.process.returncode == -9

    async def stop(self) -> None:
        if self.sender is not None:
            await self.sender.close()
        if self.process is not None:
            await stop_podium(self.process)

    async def command(self, name: str, text: str, user: str = TEACHER) -> str:
        assert self.sender is not None
        sent = await self.sender.slash_command(name, text, user_id=user, channel_id=CHANNEL)
        assert sent.status == 200
        [reply] = await self.standin.wait_for_responses(str(sent.response_url), timeout=15)
        return text_of(reply)


@pytest.fixture
async def workshop(standin, emulator, tmp_path) -> AsyncIterator[Workshop]:
    workshop = Workshop(standin, emulator, tmp_path)
    await workshop.start()
    yield workshop
    await workshop.stop()


def slides_on_screen(standin: SlackStandIn) -> list[dict]:
    return [
        m
        for m in standin.messages(CHANNEL)
        if any(b["type"] == "header" for b in m.get("blocks", []))
    ]


def slide_number(message: dict) -> int:
    footer = [
        e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]
    ][-1]
    return int(footer.split()[1].split("/")[0])


def action_ids(message: dict) -> list[str]:
    return [
        e.get("action_id")
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def test_kill_9_mid_deck_then_restart_continues_at_the_same_slide(
    workshop: Workshop, standin: SlackStandIn
):
    assert "Started" in await workshop.command("/slides", "start")
    for _ in range(4):
        await workshop.command("/slides", "next")
    on_air = slides_on_screen(standin)[-1]
    assert slide_number(on_air) == 5 and NEXT_ACTION in action_ids(on_air)

    await workshop.kill_9()
    await workshop.start()

    assert "slide 5/" in await workshop.command("/slides", "status")
    assert workshop.sender is not None
    pressed = await workshop.sender.block_action(
        NEXT_ACTION, "x", user_id=TEACHER, channel_id=CHANNEL, message_ts=on_air["ts"]
    )
    assert pressed.status == 200
    await standin.wait_for_call(
        "chat.update", timeout=15, predicate=lambda c: c.args.get("ts") == on_air["ts"]
    )
    posted = [slide_number(m) for m in slides_on_screen(standin)]
    assert posted == [1, 2, 3, 4, 5, 6]
    assert NEXT_ACTION not in action_ids(
        standin.message(CHANNEL, on_air["ts"])
    )  # slide 5 lost its buttons
    assert NEXT_ACTION in action_ids(slides_on_screen(standin)[-1])  # slide 6 has them


async def test_kill_9_keeps_questions_and_votes(workshop: Workshop, standin: SlackStandIn):
    await workshop.command("/ask", "Why does etcd want an odd number of members?", user="U0ALICE")
    await workshop.command("/ask", "Is a Pod the same as a container?", user="U0BOB")
    posts = [m for m in standin.messages(CHANNEL) if "*Q2*" in text_of(m)]
    assert workshop.sender is not None
    await workshop.sender.block_action(
        UPVOTE_ACTION, "2", user_id="U0ALICE", channel_id=CHANNEL, message_ts=posts[0]["ts"]
    )
    await standin.wait_for_call(
        "chat.update", predicate=lambda c: "1 vote" in json.dumps(c.args), timeout=15
    )

    await workshop.kill_9()
    await workshop.start()

    queue = await workshop.command("/questions", "")
    assert "2 open questions" in queue
    assert list(votes_by_question(queue).items()) == [  # both kept, the vote too, most votes first
        ("Is a Pod the same as a container?", 1),
        ("Why does etcd want an odd number of members?", 0),
    ]
    # Still one vote per person after the restart: Alice's second press changes nothing.
    again = await workshop.sender.block_action(
        UPVOTE_ACTION, "2", user_id="U0ALICE", channel_id=CHANNEL, message_ts=posts[0]["ts"]
    )
    [reply] = await standin.wait_for_responses(str(again.response_url), timeout=15)
    assert "already upvoted Q2" in text_of(reply)
    assert (
        votes_by_question(await workshop.command("/questions", ""))[
            "Is a Pod the same as a container?"
        ]
        == 1
    )


def votes_by_question(queue: str) -> dict[str, int]:
    """`/questions` as {question: votes}, in the order listed (each "… · N votes" line, then "> question")."""
    lines = queue.splitlines()
    return {
        lines[i + 1].removeprefix("> "): int(re.search(r"(\d+) votes?$", line).group(1))  # type: ignore[union-attr]
        for i, line in enumerate(lines[:-1])
        if re.search(r"\d+ votes?$", line)
    }
