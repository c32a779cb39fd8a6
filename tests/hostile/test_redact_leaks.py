"""Issue 12, item 4: secrets stay out of chat, whatever output kind shows them.

Podium runs in-process against the Slack stand-in and an emulator holding a Pod whose env,
`last-applied-configuration` annotation and logs carry every credential issue 12 found passing
through, a ConfigMap with secret-named keys, and exercise 4's Job whose last log line holds a
password. Every answer (the reply, the DM snippet, Share in channel, the exercise check) must
carry none of them, say what it hid (`[redacted: password]`), and -o yaml|json must stay valid."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.kubectl.redact import LAST_APPLIED
from bot.slack.output import SHARE_ACTION
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from tests.harness.attacks import ENV, SECRETS, SHAPED, printed, vault_pod
from tests.harness.exercises import fixture, participant_setup
from tests.harness.room import CHANNEL, Room, text_of
from tests.harness.running import running_podium

LOG_LINES = [
    *(f"{name}={value}" for name, value in ENV.items()),
    "MYSQL_ROOT_PASSWORD: root-pw-4242",
    "GET / Authorization: Basic dXNlcjpsZWFrbGVhaw==",
    *(value for value, _ in SHAPED.values()),
]


def documents() -> list[dict[str, Any]]:
    exercise = [*participant_setup("U0ALICE"), *fixture("04-client-wrong-name.yaml")]
    for doc in exercise:
        if doc.get("kind") == "PodLogs":
            doc["lines"] = [{"time": "-9m", "text": "connecting with DB_PASSWORD=check-log-pw-77"}]
    return [
        *load_documents(*demo_seed_paths()),
        vault_pod(),
        {
            "apiVersion": "devkit.podium/v1",
            "kind": "PodLogs",
            "metadata": {"namespace": "sandbox", "name": "vault"},
            "lines": [{"time": "-2m", "text": line} for line in LOG_LINES],
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "creds", "namespace": "sandbox"},
            "data": {
                "DB_PASSWORD": "hunter2-db-pw",
                "app.properties": "db.password=root-pw-4242\nport=80",
                "mode": "prod",
            },
        },
        *exercise,
    ]


@pytest.fixture
async def room(standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with KubeEmulator(documents()) as emulator:
        async with running_podium(emulator, standin, tmp_path, PODIUM_USER_RATE="0/1s") as running:
            yield Room(running)


def assert_nothing_leaked(room: Room) -> None:
    sent = [json.dumps(args, ensure_ascii=False) for _, args in room.outgoing()]
    sent += [file.text for file in room.standin.files()]
    everything = "\n".join(sent)
    leaked = [secret for secret in SECRETS if secret in everything]
    assert not leaked, leaked


async def snippet_settled(room: Room, answer: dict[str, Any]) -> None:
    if "not shown here" in text_of(answer):
        await room.standin.wait_for_call("files.completeUploadExternal", timeout=10)


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container["env"]}


@pytest.mark.parametrize("output", ["yaml", "json"])
async def test_yaml_and_json_hide_env_values_and_stay_valid(room: Room, output: str):
    answer = await room.ask(f"get pod vault -o {output}")
    await snippet_settled(room, answer)
    obj = (yaml.safe_load if output == "yaml" else json.loads)(printed(room, answer))
    env = env_of(obj["spec"]["containers"][0])
    assert env["DB_PASSWORD"] == "[redacted: password]" and env["API_TOKEN"] == "[redacted: token]"
    assert env["client_secret"] == "[redacted: secret]" and env["LOG_LEVEL"] == "debug"
    assert env["REDIS_URL"] == "redis://:[redacted: password]@cache:6379/0"
    applied = json.loads(
        obj["metadata"]["annotations"][LAST_APPLIED]
    )  # still JSON, redacted the same way
    assert env_of(applied["spec"]["containers"][0]) == env
    assert "Podium hid" in text_of(answer)
    assert_nothing_leaked(room)


async def test_describe_hides_what_yaml_hides(room: Room):
    answer = await room.ask("describe pod vault")
    await snippet_settled(room, answer)
    text = printed(room, answer)
    assert re.search(r"DB_PASSWORD: +\[redacted: password\]\n", text)
    assert re.search(r"REDIS_URL: +redis://:\[redacted: password\]@cache:6379/0\n", text)
    assert re.search(r"LOG_LEVEL: +debug\n", text)
    assert_nothing_leaked(room)


async def test_logs_hide_every_known_credential(room: Room):
    answer = await room.ask("logs vault")
    await snippet_settled(room, answer)
    text = printed(room, answer)
    assert "DB_PASSWORD=[redacted: password]" in text
    assert "Authorization: Basic [redacted: credential]" in text
    assert text.count("[redacted: ") == len(LOG_LINES)
    assert f"Podium hid {len(LOG_LINES)} credential-like values" in text_of(answer)
    assert_nothing_leaked(room)


async def test_configmap_keys_that_look_secret(room: Room):
    answer = await room.ask("get cm creds -o yaml")
    data = yaml.safe_load(printed(room, answer))["data"]
    assert data == {
        "DB_PASSWORD": "[redacted: password]",
        "app.properties": "db.password=[redacted: password]\nport=80",
        "mode": "prod",
    }
    assert_nothing_leaked(room)


async def test_share_in_channel_posts_the_redacted_answer(room: Room):
    for command in ("get pod vault -o json", "describe pod vault", "logs vault"):
        answer = await room.ask(command)
        [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
        pressed = await room.press(SHARE_ACTION, button["value"])
        verb = command.split()[0]
        await room.standin.wait_for_call(
            "chat.postMessage",
            timeout=10,
            predicate=lambda c, verb=verb: (
                c.args.get("channel") == CHANNEL and verb in json.dumps(c.args)
            ),
        )
        assert pressed.status == 200
    posted = [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")]
    assert posted and any("[redacted: " in json.dumps(m) for m in posted)
    assert_nothing_leaked(room)


async def test_exercise_check_message_hides_the_log_line_credential(room: Room):
    answer = await room.ask("check 4", command="/exercise", user="U0ALICE")
    assert "DB_PASSWORD=[redacted: password]" in text_of(answer)
    assert_nothing_leaked(room)


async def test_an_api_error_quoting_a_credential_is_redacted_too(room: Room):
    room.emulator.inject_fault(
        status=403,
        times=1,
        path_contains="/configmaps",
        message="admission webhook denied the request: DB_PASSWORD=hunter2-db-pw is weak",
    )
    answer = await room.ask("get cm")
    assert "DB_PASSWORD=[redacted: password] is weak" in text_of(answer)
    assert_nothing_leaked(room)
