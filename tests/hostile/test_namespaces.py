"""Issue 12, item 2: each person reads only where they belong.

Podium runs in-process (the real Bolt app over HTTP) against the Slack stand-in and the API
emulator, set up the way the guide says: manifests/podium/ and manifests/sandbox/, then
`python -m bot participants manifests` for Alice, Bob and the instructor. Bob's namespace holds
data Alice must never see, whatever way she asks (slash command, mention, DM, a slide's Run
button, a Share button), and the emulator's request log proves Podium did not even read it for her.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.output import SHARE_ACTION
from bot.slides.render import RUN_ACTION
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.attacks import (
    ALICE,
    ALICE_DATA,
    ALICE_NS,
    BOB,
    BOB_NS,
    BOB_SECRET,
    BROAD_GRANTS,
    GONE,
    LOOKALIKE,
    SHARED,
    TEACHER_NS,
    requests_in,
    table_names,
    workshop_cluster,
)
from tests.harness.room import CHANNEL, TEACHER, Room, text_of, visible_text
from tests.harness.running import running_podium


@pytest.fixture
async def workshop() -> AsyncIterator[KubeEmulator]:
    async with workshop_cluster() as emulator:
        yield emulator


async def _room(emulator: KubeEmulator, standin: SlackStandIn, tmp_path: Path, **env: str) -> Any:
    return running_podium(
        emulator, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER, PODIUM_USER_RATE="0/1s", **env
    )


@pytest.fixture
async def room(
    workshop: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[Room]:
    """What an instructor following the old advice configured: every participant's namespace in
    PODIUM_NAMESPACES, next to a truly shared one."""
    async with await _room(
        workshop, standin, tmp_path, PODIUM_NAMESPACES=f"{SHARED},{ALICE_NS},{BOB_NS}"
    ) as running:
        yield Room(running)


@pytest.fixture
async def plain_room(
    workshop: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[Room]:
    """The guide's setup: no PODIUM_NAMESPACES at all."""
    async with await _room(workshop, standin, tmp_path) as running:
        yield Room(running)


def _everything_sent(room: Room) -> str:
    return "\n".join(visible_text(body) for _, body in room.outgoing())


READS_OF_BOBS_NAMESPACE = [
    f"get cm -n {BOB_NS}",
    f"get cm settings -n {BOB_NS} -o yaml",
    f"get pod app -n {BOB_NS} -o json",
    f"describe pod app -n {BOB_NS}",
    f"describe cm -n {BOB_NS}",
    f"logs app -n {BOB_NS}",
    f"get ns {BOB_NS}",
    f"describe ns {BOB_NS}",
    f"get ns,pods -n {BOB_NS}",
]


@pytest.mark.parametrize("text", READS_OF_BOBS_NAMESPACE)
async def test_alice_cannot_read_bobs_namespace_with_kubectl(room: Room, text: str) -> None:
    room.emulator.clear_requests()
    answer = text_of(await room.ask(text, user=ALICE))
    assert BOB_SECRET not in answer
    assert f"`{BOB_NS}` is outside the workshop namespaces you may read" in answer, answer
    # The refusal names what Alice may use instead: the sandbox, the shared namespace, her own.
    assert f"`sandbox`, `{SHARED}`, `{ALICE_NS}`" in answer, answer
    assert not requests_in(room.emulator, BOB_NS)


async def test_alice_cannot_read_bobs_namespace_by_mention_dm_run_or_share(room: Room) -> None:
    room.emulator.clear_requests()
    await room.mention(f"get cm -n {BOB_NS} -o yaml", user=ALICE)
    await room.mention(f"kubectl logs app -n {BOB_NS}", user=ALICE)
    await room.direct(f"describe pod app -n {BOB_NS}", user=ALICE)
    # A slide's Run button and a Share button carry a command the client may have rewritten:
    # Run only runs commands written on the slides, Share only signed values (item 6), and
    # neither reaches Bob's namespace.
    await room.press(f"{RUN_ACTION}:1", f"get cm settings -n {BOB_NS} -o yaml", user=ALICE)
    await room.press(
        SHARE_ACTION,
        json.dumps({"k": "not-cached", "t": f"get cm settings -n {BOB_NS} -o yaml"}),
        user=ALICE,
    )
    sent = _everything_sent(room)
    assert sent.count(f"`{BOB_NS}` is outside the workshop") >= 3, sent
    assert "does not carry a command from the slides" in sent, sent
    assert "not made by Podium" in sent, sent
    assert BOB_SECRET not in sent
    assert not requests_in(room.emulator, BOB_NS)


async def test_alice_reads_her_own_namespace_with_no_setting(plain_room: Room) -> None:
    answer = text_of(await plain_room.ask(f"get cm settings -n {ALICE_NS} -o yaml", user=ALICE))
    assert ALICE_DATA in answer, answer
    logs = text_of(await plain_room.ask(f"logs app -n {ALICE_NS}", user=ALICE))
    assert f"started with {ALICE_DATA}" in logs, logs
    # …and Bob's stays closed to her, listed nowhere.
    refused = text_of(await plain_room.ask(f"get cm -n {BOB_NS}", user=ALICE))
    assert f"you may read: `sandbox`, `{ALICE_NS}`." in refused, refused


async def test_get_ns_shows_alice_only_hers_and_the_shared_ones(room: Room) -> None:
    listed = text_of(await room.ask("get ns", user=ALICE))
    assert table_names(listed) == ["sandbox", SHARED, ALICE_NS], listed
    described = text_of(await room.ask("describe ns", user=ALICE))
    names = [line.split()[1] for line in described.splitlines() if line.startswith("Name:")]
    assert names == ["sandbox", SHARED, ALICE_NS], described
    assert BOB_NS not in listed + described and "U0BOB" not in listed + described
    assert not requests_in(room.emulator, BOB_NS)


async def test_the_instructor_reads_every_participants_namespace(room: Room) -> None:
    listed = text_of(await room.ask("get ns", user=TEACHER))
    assert table_names(listed) == ["sandbox", SHARED, ALICE_NS, BOB_NS, TEACHER_NS], listed
    bobs = text_of(await room.ask(f"get cm settings -n {BOB_NS} -o yaml", user=TEACHER))
    assert BOB_SECRET in bobs, bobs
    logs = text_of(await room.ask(f"logs app -n {ALICE_NS}", user=TEACHER))
    assert f"started with {ALICE_DATA}" in logs, logs


async def test_the_instructors_get_ns_lists_the_namespaces_of_everyone_podium_knows(
    plain_room: Room,
) -> None:
    # No PODIUM_NAMESPACES: Podium knows its participants from who has asked it something.
    for user in (BOB, ALICE, "U0CAROL"):  # Carol has no namespace (yet): left out, no error line
        await plain_room.ask("get pods", user=user)
    listed = text_of(await plain_room.ask("get ns", user=TEACHER))
    assert table_names(listed) == ["sandbox", TEACHER_NS, ALICE_NS, BOB_NS], listed
    assert "Error" not in listed and "u0carol" not in listed
    # A participant's `get ns` stays their own.
    assert table_names(text_of(await plain_room.ask("get ns", user=BOB))) == ["sandbox", BOB_NS]


async def test_the_instructor_needs_no_setting_to_help_a_participant(plain_room: Room) -> None:
    answer = text_of(await plain_room.ask(f"describe pod app -n {BOB_NS}", user=TEACHER))
    assert "Name:" in answer and "app" in answer and BOB_SECRET in answer, answer
    # Not a participant-shaped name, and not the sandbox or a shared one: refused, even for them.
    refused = text_of(await plain_room.ask("get pods -n podium", user=TEACHER))
    assert "`podium` is outside the workshop namespaces you may read" in refused
    assert "any participant's (`ws-u0…`)" in refused, refused


@pytest.mark.parametrize("asker", [TEACHER, "U0GONE"])
async def test_describe_ns_of_a_missing_namespace_reads_nothing_else(
    standin: SlackStandIn, tmp_path: Path, asker: str
) -> None:
    async with (
        workshop_cluster(*BROAD_GRANTS) as emulator,
        await _room(emulator, standin, tmp_path, PODIUM_NAMESPACES=GONE) as running,
    ):
        room = Room(running)
        emulator.clear_requests()
        answer = text_of(await room.ask(f"describe ns {GONE}", user=asker))
        assert f'namespaces "{GONE}" not found' in answer, answer
        assert LOOKALIKE not in answer
        # Exactly one read: the Namespace asked for. No list of namespaces, and none of the
        # look-alike's quotas and limit ranges (which kubectl's prefix fallback would read).
        assert [f"{r.method} {r.path}" for r in emulator.requests] == [
            f"GET /api/v1/namespaces/{GONE}"
        ]


async def test_help_and_app_home_name_the_askers_own_namespaces(room: Room) -> None:
    help_text = text_of(await room.ask("help", user=ALICE))
    assert f"sandbox, {SHARED}, {ALICE_NS}" in help_text and BOB_NS not in help_text, help_text
    asked = await room.mention("help", user=ALICE)
    [reply] = room.thread_answers(CHANNEL, asked["ts"])
    assert f"`{ALICE_NS}`" in visible_text(reply) and BOB_NS not in visible_text(reply)
    sent = await room.running.sender.event(
        {"type": "app_home_opened", "user": ALICE, "tab": "home", "channel": "D0ALICEHOME"}
    )
    assert sent.status == 200
    published = await room.standin.wait_for_call(
        "views.publish", timeout=10, predicate=lambda c: c.args.get("user_id") == ALICE
    )
    view = json.dumps(published.args)
    assert f"Commands run in `sandbox`, `{SHARED}`, `{ALICE_NS}`" in view, view
    assert BOB_NS not in view


async def test_exercise_checks_read_only_the_askers_own_namespace(room: Room) -> None:
    for user, own in ((ALICE, ALICE_NS), (TEACHER, TEACHER_NS)):
        room.emulator.clear_requests()
        answer = text_of(await room.ask("check 1", command="/exercise", user=user))
        assert "Exercise 1" in answer or "exercise 1" in answer, answer
        touched = {r.namespace or r.path.rsplit("/", 1)[-1] for r in room.emulator.requests}
        assert touched == {own}, (user, touched)
