"""`participants manifests --channel C…`: the participants are a Slack channel's people, asked of
Slack (here the stand-in, through SLACK_API_URL as Podium would) with the bot token; bots,
Slackbot, deactivated accounts and instructors are left out; every failure is one line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.__main__ import main
from bot.ops.participants import ParticipantsError
from bot.ops.slack_members import _explain, channel_participants
from podium_devkit.slack_api import SlackStandIn, SlackUser
from podium_devkit.slack_limits import RateLimits
from tests.harness.manifests import REPO, by_kind, load_all

SLACKBOT = SlackUser("USLACKBOT", "slackbot", "Slackbot")  # Slack's own: is_bot is false for it


def _clean_environment(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBECONFIG"))
    }
    return {**env, **extra}


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "participants",
        "manifests",
        *args,
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


def _workshop(standin: SlackStandIn) -> None:
    """The workshop channel: two people, the instructor, a deactivated account, an app, Slackbot."""
    standin.add_user(SlackUser("U0GONE", "gone", deleted=True))
    standin.add_user(SlackUser("U0APP", "helper-app", is_bot=True))
    standin.add_user(SLACKBOT)
    standin.add_channel(
        "C0CLASS",
        "class",
        members=["U0ALICE", "U0INSTRUCTOR", "U0GONE", "U0APP", "USLACKBOT", "U0BOB"],
    )


async def test_the_channels_people_become_participants_as_a_real_process(
    standin: SlackStandIn,
) -> None:
    _workshop(standin)
    env = _clean_environment(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_API_URL=standin.api_url,
        PODIUM_INSTRUCTORS="U0INSTRUCTOR",
    )
    code, out, err = await _cli("--channel", "C0CLASS", "--users", "U0LATE", env=env)
    assert code == 0, err
    docs = load_all(out)
    assert [d["metadata"]["name"] for d in by_kind(docs, "Namespace")] == [
        "ws-u0late",
        "ws-u0alice",
        "ws-u0bob",
    ]
    assert len(by_kind(docs, "ServiceAccount", "participant")) == 3
    assert "2 participant(s) from C0CLASS" in err
    [members_call] = standin.calls("conversations.members")
    assert members_call.args["channel"] == "C0CLASS" and int(members_call.args["limit"]) == 200
    assert members_call.token == standin.bot_token
    # Instructors and Slackbot need no users.info; everyone else (Podium's bot too) is asked once.
    asked = [c.args["user"] for c in standin.calls("users.info")]
    assert "U0INSTRUCTOR" not in asked and "USLACKBOT" not in asked
    assert sorted(asked) == sorted(["U0ALICE", "U0GONE", "U0APP", "U0BOB", standin.bot_user_id])


async def test_pages_are_followed_and_each_person_counted_once() -> None:
    people = [f"U{n:05d}" for n in range(230)]
    # 230 people cost 230 users.info calls: over tier 4's 100 a minute. Rate limits are tested below.
    async with SlackStandIn(rate_limits=RateLimits.off()) as standin:
        standin.add_channel("C0HALL", "hall", members=people)
        standin.add_channel("C0ROOM", "room", members=["U00003", "U0ALICE"])
        for user_id in people:
            standin.add_user(SlackUser(user_id, user_id.lower()))
        client = WebClient(token=standin.bot_token, base_url=standin.api_url)
        found = await asyncio.to_thread(channel_participants, client, ["C0HALL", "C0ROOM"])
        assert found == [*people, "U0ALICE"]
        cursors = [c.args.get("cursor") for c in standin.calls("conversations.members")]
        assert len(cursors) == 3 and cursors[0] is None and all(cursors[1:2])


async def test_a_rate_limit_is_waited_out_as_retry_after_says(standin: SlackStandIn) -> None:
    _workshop(standin)
    standin.fail_next("conversations.members", status=429, retry_after=7)
    standin.fail_next("users.info", status=429, retry_after=2, times=2)
    waits: list[float] = []
    client = WebClient(token=standin.bot_token, base_url=standin.api_url)
    found = await asyncio.to_thread(
        channel_participants, client, ["C0CLASS"], instructors=["U0INSTRUCTOR"], sleep=waits.append
    )
    assert found == ["U0ALICE", "U0BOB"]
    assert waits == [7.0, 2.0, 2.0]
    # Slack that never lets up: one line, no endless loop.
    standin.fail_next("conversations.members", status=429, retry_after=1, times=50)
    with pytest.raises(
        ParticipantsError, match=r"kept answering conversations\.members with 'rate limited'"
    ):
        await asyncio.to_thread(channel_participants, client, ["C0CLASS"], sleep=waits.append)


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("no-token", ["--channel", "C0WORKSHOP"], "--channel needs SLACK_BOT_TOKEN"),
        (
            "bad-token",
            ["--channel", "C0WORKSHOP"],
            "Slack does not accept SLACK_BOT_TOKEN (invalid_auth)",
        ),
        (
            "",
            ["--channel", "C0NOSUCH"],
            "--channel C0NOSUCH: Slack finds no such channel for Podium",
        ),
        ("", ["--channel", "G0SECRET"], "(/invite @Podium there)"),
        ("", ["--channel", "general"], "'general' is not a channel ID"),
        (
            "scopes",
            ["--channel", "G0SECRET"],
            "lacks the scope groups:read (members of private channels",
        ),
        (
            "scopes",
            ["--channel", "C0WORKSHOP"],
            "lacks the scope users:read (telling people from bots",
        ),
    ],
)
async def test_each_failure_is_one_line_and_exit_2(
    tmp_path: Path, setup: str, args: list[str], message: str
) -> None:
    scopes = ["channels:read"] if setup == "scopes" else None
    async with SlackStandIn(scopes=scopes) as standin:
        standin.add_channel(
            "G0SECRET", "secret", is_private=True, member=setup == "scopes", members=["U0BOB"]
        )
        token = {"no-token": None, "bad-token": "xoxb-not-this-one"}.get(setup, standin.bot_token)
        env = _clean_environment(
            SLACK_API_URL=standin.api_url, **({"SLACK_BOT_TOKEN": token} if token else {})
        )
        code, out, err = await _cli(*args, env=env)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("podium participants: "), err
    assert message in err
    assert standin.bot_token not in err


async def test_a_channel_of_only_bots_and_instructors_is_one_line(standin: SlackStandIn) -> None:
    standin.add_user(SlackUser("U0APP", "helper-app", is_bot=True))
    standin.add_channel("C0STAFF", "staff", members=["U0INSTRUCTOR", "U0APP"])
    env = _clean_environment(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_API_URL=standin.api_url,
        PODIUM_INSTRUCTORS="U0INSTRUCTOR",
    )
    code, out, err = await _cli("--channel", "C0STAFF", env=env)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == (
        "podium participants: nobody to set up: C0STAFF has only bots, "
        "deactivated accounts and instructors in it; add people with --users."
    )


def test_not_in_channel_says_to_invite_podium() -> None:
    # Slack answers not_in_channel to members' reads in some workspaces (e.g. shared channels).
    line = _explain("conversations.members", "C0CLASS", "not_in_channel", None)
    assert line == (
        "--channel C0CLASS: Podium is not in that channel; invite Podium to the channel first: "
        "/invite @Podium"
    )


def test_a_bad_setting_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("PODIUM_INSTRUCTORS", "teacher")
    code = main(["participants", "manifests", "--channel", "C0WORKSHOP"])
    err = capsys.readouterr().err
    assert code == 2 and "PODIUM_INSTRUCTORS: 'teacher' is not a Slack user ID" in err
