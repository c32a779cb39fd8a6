"""Item 5 of issue 12: one person cannot starve the room. Podium runs in-process over HTTP against
the Slack stand-in and the Kubernetes API emulator; every attack is sent the way Slack sends it.

- 40 questions in the channel's post queue do not hold back the instructor's next slide;
- every command and button family answers "slow down, try again in N s" past its budget;
- 25 presses of one Share button post once (also concurrently, also after a restart);
- a command that would fan out is refused with the limit before any API request;
- /metrics stays bounded after 200 made-up verbs, and is not served publicly without a token."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.exercises.workshop import CHECK_ACTION
from bot.questions.render import UPVOTE_ACTION
from bot.slack.output import SHARE_ACTION
from bot.slides.render import RUN_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_limits import RateLimits
from tests.harness.attacks import SLOW_DOWN, TOKEN, is_question, is_slide, metrics_body, share_value
from tests.harness.room import CHANNEL, ROOM_ENV, TEACHER, Room, settle
from tests.harness.running import running_podium

NO_BUDGETS = "ask=0/1s,exercise=0/1s,share=0/1s,run=0/1s,upvote=0/1s"


def room_env(**env: str) -> dict[str, str]:
    return {**ROOM_ENV, **env}


async def answer_to(room: Room, sent_response_url: str, timeout: float = 20) -> str:
    [answer] = await room.standin.wait_for_responses(sent_response_url, count=1, timeout=timeout)
    return message_to_text(answer)


def channel_posts(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [m for m in standin.messages(CHANNEL) if m.get("bot_id") and not m.get("upload")]


def is_question_call(call: Any) -> bool:
    return call.method == "chat.postMessage" and is_question(call.args)


# The room with Podium's default budgets (the shared hostile room turns the /kubectl one off).
@pytest.fixture
async def room_default_budgets(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path):
    env = {k: v for k, v in ROOM_ENV.items() if k not in ("PODIUM_USER_RATE", "PODIUM_BUDGETS")}
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        yield Room(running)


# --- the instructor's slides go first --------------------------------------------------------------


async def test_forty_questions_in_the_queue_do_not_hold_back_the_next_slide(
    cluster: KubeEmulator, tmp_path: Path
):
    # Slack's pace, made faster for the test (0.25 s per post, bursts of 3), in Podium and in the
    # stand-in alike; no /ask budget, so all forty questions reach the channel's post queue and the
    # pacer alone must put the slide first.
    env = room_env(PODIUM_POST_INTERVAL="0.25", PODIUM_BUDGETS=NO_BUDGETS)
    async with (
        SlackStandIn(rate_limits=RateLimits(channel_posts_per_second=4.0)) as standin,
        running_podium(cluster, standin, tmp_path, **env) as running,
    ):
        room = Room(running)
        await room.ask("start", "/slides", user=TEACHER)
        await standin.wait_for_call(
            "chat.postMessage", predicate=lambda c: "Slide 1/" in str(c.args), timeout=10
        )
        asks = await asyncio.gather(
            *(room.slash(f"question number {i}?", "/ask", user="U0ALICE") for i in range(40))
        )
        # Let the questions reach the pacer: the first few are posted, the rest are queued.
        await standin.wait_for_call("chat.postMessage", predicate=is_question_call, timeout=10)
        await settle(1.0)
        nxt = await room.slash("next", "/slides", user=TEACHER)
        await room.standin.wait_for_responses(str(nxt.response_url), timeout=20)
        await asyncio.gather(
            *(room.standin.wait_for_responses(str(s.response_url), timeout=30) for s in asks)
        )
        posts = channel_posts(standin)
        [slide_two] = [i for i, m in enumerate(posts) if is_slide(m, 2)]
        questions_before = sum(1 for m in posts[:slide_two] if is_question(m))
        questions_after = sum(1 for m in posts[slide_two:] if is_question(m))
        assert questions_before + questions_after == 40
        # First come, first served posts all forty first (40 s at Slack's pace): measured 40 before,
        # 0 after; slides first: 4 before, 36 after. The margin leaves room for a loaded machine.
        assert questions_after >= 15, (questions_before, questions_after)


async def test_forty_questions_from_one_person_are_mostly_told_to_slow_down(
    room_default_budgets: Room,
):
    room = room_default_budgets
    asks = [await room.slash(f"flood {i}?", "/ask", user="U0ALICE") for i in range(40)]
    replies = [await answer_to(room, str(s.response_url)) for s in asks]
    accepted = [r for r in replies if "is in this channel's questions thread" in r]
    slowed = [r for r in replies if SLOW_DOWN.search(r)]
    assert len(accepted) == 5 and len(slowed) == 35  # the default: 5 questions a minute
    assert sum(1 for m in room.standin.messages(CHANNEL) if is_question(m)) == 5
    other = await answer_to(
        room, str((await room.slash("my own question?", "/ask", user="U0BOB")).response_url)
    )
    assert "is in this channel's questions thread" in other  # one person's budget is theirs alone


# --- a budget per family ----------------------------------------------------------------------------


async def test_every_family_answers_slow_down_with_when_to_try_again(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    env = room_env(
        PODIUM_USER_RATE="1/60s",
        PODIUM_BUDGETS="ask=1/60s,exercise=1/60s,share=1/60s,run=1/60s,upvote=1/60s",
    )
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        room = Room(running)

        async def twice(command: str, text: str, user: str) -> tuple[str, str]:
            first = await answer_to(
                room, str((await room.slash(text, command, user=user)).response_url)
            )
            second = await answer_to(
                room, str((await room.slash(text, command, user=user)).response_url)
            )
            return first, second

        # /kubectl, then the same person's @mention and DM kubectl share that budget.
        first, second = await twice("/kubectl", "get pods", "U0ALICE")
        assert "nginx-" in first and SLOW_DOWN.search(second) and "kubectl commands" in second
        asking = await room.mention("get pods", user="U0ALICE")
        [reply] = room.thread_answers(CHANNEL, asking["ts"])
        assert SLOW_DOWN.search(message_to_text(reply))
        dm = await room.direct("get pods", user="U0ALICE")
        [reply] = room.dm_answers_after(dm["channel"], dm["ts"])
        assert SLOW_DOWN.search(message_to_text(reply))

        first, second = await twice("/ask", "why pods?", "U0BOB")
        assert "questions thread" in first and SLOW_DOWN.search(second) and "questions" in second

        first, second = await twice("/exercise", "list", "U0CAROL")
        assert (
            not SLOW_DOWN.search(first)
            and SLOW_DOWN.search(second)
            and "exercise commands" in second
        )
        pressed = await room.press(
            CHECK_ACTION, "1", user="U0CAROL"
        )  # Check my work: the same family
        assert SLOW_DOWN.search(await answer_to(room, str(pressed.response_url)))

        # Share: two answers of someone else whose /kubectl budget is fresh.
        shares = []
        for user in ("U0DAVE", "U0ERIN"):
            sent = await room.slash("get deploy nginx", user=user)
            [answer] = await standin.wait_for_responses(str(sent.response_url), timeout=20)
            shares.append(share_value(answer))
        first_press = await room.press(SHARE_ACTION, shares[0], user="U0FRANK")
        second_press = await room.press(SHARE_ACTION, shares[1], user="U0FRANK")
        assert "Shared in the channel." in await answer_to(room, str(first_press.response_url))
        second = await answer_to(room, str(second_press.response_url))
        assert SLOW_DOWN.search(second) and "Share presses" in second

        # Run in sandbox: a command written on the deck, pressed twice.
        command = next(
            c
            for deck in running.podium.slides.catalogue.decks.values()
            for s in deck.slides
            for c in s.commands
            if c.startswith("get ")
        )
        ts = standin.post_user_message(CHANNEL, TEACHER, "a slide")["ts"]
        first_run = await room.press(f"{RUN_ACTION}:0", command, user="U0GRACE", message_ts=ts)
        assert not SLOW_DOWN.search(await answer_to(room, str(first_run.response_url)))
        again = await room.press(f"{RUN_ACTION}:0", command, user="U0GRACE", message_ts=ts)
        second = await answer_to(room, str(again.response_url))
        assert SLOW_DOWN.search(second) and "Run in sandbox presses" in second
        assert room.thread_answers(CHANNEL, ts) == []  # answers and refusals alike stay private

        # Upvotes: two questions, upvoted by one person.
        await answer_to(
            room, str((await room.slash("another?", "/ask", user="U0HEIDI")).response_url)
        )
        first_vote = await room.press(UPVOTE_ACTION, "1", user="U0IVAN")
        await standin.wait_for_call("chat.update", timeout=10)
        second_vote = await room.press(UPVOTE_ACTION, "2", user="U0IVAN")
        second = await answer_to(room, str(second_vote.response_url))
        assert SLOW_DOWN.search(second) and "upvotes" in second
        assert not standin.responses(
            str(first_vote.response_url)
        )  # a counted upvote needs no answer


# --- one Share press posts once --------------------------------------------------------------------


async def test_twenty_five_presses_of_one_share_button_post_once(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    env = room_env(PODIUM_BUDGETS=NO_BUDGETS)  # no budget: the claim alone must hold
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        room = Room(running)
        answer = await room.ask("get deploy nginx")
        value = share_value(answer)
        presses = await asyncio.gather(*(room.press(SHARE_ACTION, value) for _ in range(25)))
        replies = [await answer_to(room, str(p.response_url)) for p in presses]
        await settle()
        posts = [
            m
            for m in channel_posts(standin)
            if "ran `kubectl get deploy nginx" in message_to_text(m)
        ]
        assert len(posts) == 1
        assert "<@U0ALICE> ran `kubectl get deploy nginx -n sandbox`" in message_to_text(posts[0])
        assert sum("Shared in the channel." in r for r in replies) == 1
        assert sum("Already shared in the channel" in r for r in replies) == 24
    # After a restart (the same state database) the button is still spent.
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        room = Room(running)
        again = await room.press(SHARE_ACTION, value)
        assert "Already shared in the channel" in await answer_to(room, str(again.response_url))
        await settle()
        assert (
            len(
                [
                    m
                    for m in channel_posts(standin)
                    if "ran `kubectl get deploy nginx" in message_to_text(m)
                ]
            )
            == 1
        )


async def test_presses_of_a_shared_button_answer_already_shared_within_the_default_budget(
    room_default_budgets: Room,
):
    room = room_default_budgets
    value = share_value(await room.ask("get deploy nginx"))
    first = await room.press(SHARE_ACTION, value)
    assert "Shared in the channel." in await answer_to(room, str(first.response_url))
    for _ in range(24):  # one after another: each sees the button spent, none costs the budget
        again = await room.press(SHARE_ACTION, value)
        assert "Already shared in the channel" in await answer_to(room, str(again.response_url))
    other = share_value(await room.ask("get svc nginx"))
    pressed = await room.press(SHARE_ACTION, other)
    assert "Shared in the channel." in await answer_to(room, str(pressed.response_url))
    assert (
        len([m for m in channel_posts(room.standin) if " ran `kubectl get " in message_to_text(m)])
        == 2
    )


# --- one command may not fan out --------------------------------------------------------------------


async def test_a_command_that_would_fan_out_is_refused_before_any_api_request(room: Room):
    names = " ".join(f"n{i}" for i in range(40))
    room.emulator.clear_requests()
    text = await answer_to(
        room, str((await room.slash(f"get po,svc,ep,cm,deploy,rs,jobs,ev {names}")).response_url)
    )
    assert (
        "This asks for 320 reads; Podium allows 20 per command. Ask for fewer kinds or names."
        in text
    )
    asking = await room.mention(f"describe pods {names}")
    [reply] = room.thread_answers(CHANNEL, asking["ts"])
    assert "This asks for 40 reads; Podium allows 20 per command." in message_to_text(reply)
    assert room.emulator.requests == []  # not one request reached the API server
    ok = await answer_to(
        room, str((await room.slash("get po,svc,deploy nginx web-1")).response_url)
    )
    assert "reads; Podium allows" not in ok  # 6 reads: within the limit


# --- /metrics -------------------------------------------------------------------------------------


async def test_metrics_stay_bounded_after_two_hundred_made_up_verbs(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with running_podium(
        cluster, standin, tmp_path, **room_env(PODIUM_METRICS_TOKEN=TOKEN)
    ) as running:
        room = Room(running)
        for verb in ("get pods", "frobnicate0 x", "delete pod x"):
            await answer_to(room, str((await room.slash(verb)).response_url))
        status, before = await metrics_body(running)
        assert status == 200
        for batch in range(10):
            sent = await asyncio.gather(*(room.slash(f"madeup{batch}x{i} pods") for i in range(20)))
            await asyncio.gather(
                *(room.standin.wait_for_responses(str(s.response_url), timeout=30) for s in sent)
            )
        status, after = await metrics_body(running)
        assert status == 200
        assert "madeup" not in after
        assert 'podium_commands_total{outcome="refused",verb="other"} 202.0' in after
        assert len(after) - len(before) < 200, (
            len(before),
            len(after),
        )  # the same series, new counts
        assert len(after) < 16_000


async def test_metrics_are_not_served_on_the_public_port_without_the_token(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    async with running_podium(cluster, standin, tmp_path / "open", **ROOM_ENV) as running:
        assert (await metrics_body(running, token=None))[0] == 404  # HTTP mode: the port is public
    async with running_podium(
        cluster, standin, tmp_path / "token", **room_env(PODIUM_METRICS_TOKEN=TOKEN)
    ) as running:
        assert (await metrics_body(running, token=None))[0] == 401
        assert (await metrics_body(running, token="wrong-token-0123456789"))[0] == 401
        status, body = await metrics_body(running)
        assert status == 200 and "podium_commands_total" in body
