"""Asking Podium with @mentions and in its DM, through the real Bolt app and the Slack stand-in:
where answers go, aliases, questions in plain words, reactions, redeliveries and bots."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import build_podium
from bot.settings import load_settings
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import event_callback_envelope
from tests.harness.conversation import (
    BOT,
    CHANNEL,
    Asked,
    bot_posts,
    direct,
    dm_event,
    finished,
    mention,
    replies_to,
    text_of,
)
from tests.harness.running import Running, running_podium

REPO = Path(__file__).resolve().parents[3]


async def test_mention_in_a_channel_is_answered_in_the_thread_of_the_asking_message(
    podium: Running,
):
    asked = await mention(podium, "get pods -n sandbox")
    assert asked.sent.status == 200
    done = await finished(podium, asked)
    assert done.args["name"] == "white_check_mark"
    [answer] = replies_to(podium, asked)
    text = text_of(answer)
    assert "<@U0ALICE> ran `kubectl get pods -n sandbox`" in text
    assert "NAME" in text and "nginx" in text
    # Nothing was posted at the channel's top level.
    assert [m for m in bot_posts(podium, CHANNEL) if not m.get("thread_ts")] == []


async def test_mention_in_a_thread_is_answered_in_that_thread(podium: Running):
    parent = podium.standin.post_user_message(CHANNEL, "U0BOB", "my deployment is broken")
    asked = await mention(podium, "describe deploy nginx", thread_ts=parent["ts"])
    await finished(podium, asked)
    [answer] = replies_to(podium, asked, thread_ts=parent["ts"])
    assert "Name:" in text_of(answer) and "nginx" in text_of(answer)
    assert replies_to(podium, asked) == []  # no second thread under the asking reply


async def test_kubectl_and_k_prefixes_and_logs(podium: Running):
    asked = await mention(podium, "kubectl logs deploy/nginx --tail 5")
    await finished(podium, asked)
    assert "ran `kubectl logs deployment/nginx -n sandbox --tail 5`" in text_of(
        replies_to(podium, asked)[0]
    )
    asked = await mention(podium, "k get svc")
    await finished(podium, asked)
    assert "nginx" in text_of(replies_to(podium, asked)[0])


async def test_dm_is_answered_in_the_dm(podium: Running):
    asked = await direct(podium, "get deployments")
    done = await finished(podium, asked)
    assert done.args["channel"] == asked.channel
    answers = list(bot_posts(podium, asked.channel))
    assert len(answers) == 1 and not answers[0].get("thread_ts")  # a DM is answered in place
    assert "nginx" in text_of(answers[0]) and "READY" in text_of(answers[0])
    assert bot_posts(podium, CHANNEL) == []


async def test_aliases_default_and_configured(cluster, standin, tmp_path):
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_ALIASES="kgn=get namespaces;kgd="
    ) as running:
        asked = await mention(running, "kgp")
        await finished(running, asked)
        assert "ran `kubectl get pods" in text_of(replies_to(running, asked)[0])
        asked = await direct(running, "kgn")
        await finished(running, asked)
        assert "sandbox" in text_of(bot_posts(running, asked.channel)[-1])
        asked = await mention(running, "kgd")  # removed by the setting: now a question in words
        await finished(running, asked)
        assert "ran `kubectl" not in text_of(replies_to(running, asked)[0])
        asked = await mention(running, "help")
        await finished(running, asked)
        help_text = text_of(replies_to(running, asked)[0])
        assert "`kgn` = `get namespaces`" in help_text and "`kgp` = `get pods`" in help_text
        assert "kgd" not in help_text and "slides search" in help_text


async def test_refusal_is_answered_in_the_thread_with_a_warning(podium: Running):
    asked = await mention(podium, "get pods -n kube-system")
    done = await finished(podium, asked)
    assert done.args["name"] == "warning"
    [answer] = replies_to(podium, asked)
    assert "Namespace `kube-system` is outside the workshop" in text_of(answer)
    assert "kube-system" not in [
        c.args.get("namespace") for c in podium.standin.calls()
    ]  # never asked


async def test_reactions_show_progress_then_the_outcome(podium: Running):
    asked = await mention(podium, "get pods")
    await finished(podium, asked)
    steps = [
        (c.method, c.args["name"])
        for c in podium.standin.calls()
        if c.method.startswith("reactions.") and c.args.get("timestamp") == asked.ts
    ]
    assert steps == [
        ("reactions.add", "eyes"),
        ("reactions.remove", "eyes"),
        ("reactions.add", "white_check_mark"),
    ]
    post = next(i for i, c in enumerate(podium.standin.calls()) if c.method == "chat.postMessage")
    eyes = next(i for i, c in enumerate(podium.standin.calls()) if c.method == "reactions.add")
    assert eyes < post  # 👀 shows before the answer is there
    assert [r["name"] for r in podium.standin.message(CHANNEL, asked.ts)["reactions"]] == [
        "white_check_mark"
    ]

    failed = await mention(podium, "delete pod nginx")
    await finished(podium, failed)
    reactions = podium.standin.message(CHANNEL, failed.ts)["reactions"]
    assert [r["name"] for r in reactions] == ["warning"]
    assert "read-only" in text_of(replies_to(podium, failed)[0])


async def test_a_question_in_plain_words_gets_slide_links(podium: Running):
    teacher = "U0INSTRUCTOR"
    started = await podium.sender.slash_command(
        "/slides", "start", user_id=teacher, channel_id=CHANNEL
    )
    await podium.standin.wait_for_responses(started.response_url, timeout=15)
    deck = next(iter(podium.podium.slides.catalogue.decks.values()))
    slide = next(s for s in deck.slides if "replicaset" in s.title.lower().replace(" ", ""))
    moved = await podium.sender.slash_command(
        "/slides", f"goto {slide.number}", user_id=teacher, channel_id=CHANNEL
    )
    await podium.standin.wait_for_responses(moved.response_url, timeout=15)

    asked = await mention(podium, "what is a replicaset?", user="U0BOB")
    assert (await finished(podium, asked)).args["name"] == "white_check_mark"
    [answer] = replies_to(podium, asked)
    assert "Slides about “replicaset”" in text_of(answer)
    linked = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and "<https://" in b["text"]["text"]
    ]
    assert linked and "/archives/C0WORKSHOP/p" in linked[0]
    # A presentation is live, so the question can go to the instructor's queue with one press.
    [offer] = [
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "questions_offer"
    ]
    assert offer["value"] == "what is a replicaset?"
    pressed = await podium.sender.block_action(
        "questions_offer", offer["value"], user_id="U0BOB", channel_id=CHANNEL
    )
    [reply] = await podium.standin.wait_for_responses(pressed.response_url, timeout=10)
    assert "Your question (Q1) is in this channel's questions thread" in text_of(reply)
    queued = await podium.podium.questions.top(CHANNEL)
    assert [(q.user_id, q.text, q.slide) for q in queued] == [
        ("U0BOB", "what is a replicaset?", slide.number)
    ]


async def test_the_instructor_offer_appears_only_when_handled_and_live(podium: Running):
    podium.podium.text_commands.offer_questions()
    asked = await mention(podium, "what is a replicaset?")
    await finished(podium, asked)
    assert "questions_offer" not in str(replies_to(podium, asked)[0]["blocks"])  # nothing is live

    started = await podium.sender.slash_command(
        "/slides", "start", user_id="U0INSTRUCTOR", channel_id=CHANNEL
    )
    await podium.standin.wait_for_responses(started.response_url, timeout=15)
    asked = await mention(podium, "how does a pod get its ip address?")
    await finished(podium, asked)
    buttons = [
        e
        for b in replies_to(podium, asked)[0]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    offer = next(e for e in buttons if e["action_id"] == "questions_offer")
    assert offer["value"] == "how does a pod get its ip address?"
    assert offer["text"]["text"] == "Ask the instructor"


async def test_text_commands_in_the_dm(podium: Running):
    asked = await direct(podium, "slides list")
    await finished(podium, asked)
    assert "`kubernetes-101`" in text_of(bot_posts(podium, asked.channel)[-1])
    asked = await direct(podium, "slides next")
    await finished(podium, asked)
    assert "works there, not in a DM" in text_of(bot_posts(podium, asked.channel)[-1])

    # `ask` from the DM goes to the one live room; with none live, Podium says where to ask.
    asked = await direct(podium, "ask why three replicas?", user="U0BOB")
    await finished(podium, asked)
    assert "Ask in the workshop channel" in text_of(bot_posts(podium, asked.channel)[-1])
    started = await podium.sender.slash_command(
        "/slides", "start", user_id="U0INSTRUCTOR", channel_id=CHANNEL
    )
    await podium.standin.wait_for_responses(started.response_url, timeout=15)
    asked = await direct(podium, "ask --anon why three replicas?", user="U0BOB")
    await finished(podium, asked)
    assert "without your name" in text_of(bot_posts(podium, asked.channel)[-1])
    [queued] = await podium.podium.questions.top(CHANNEL)
    assert (queued.text, queued.anonymous, queued.channel_id) == (
        "why three replicas?",
        True,
        CHANNEL,
    )
    asked = await direct(podium, "exercise list", user="U0BOB")
    await finished(podium, asked)
    assert "Your namespace: `ws-u0bob`" in text_of(bot_posts(podium, asked.channel)[-1])


async def test_an_event_delivered_three_times_is_answered_once(podium: Running):
    message = podium.standin.post_user_message(CHANNEL, "U0ALICE", f"<@{BOT}> get pods")
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": message["text"],
        "ts": message["ts"],
        "channel": CHANNEL,
        "event_ts": message["ts"],
    }
    # The first delivery and two retries, racing each other as they do when Slack times out.
    sent = await asyncio.gather(
        *(podium.sender.event(event, event_id="EvTHRICE01", retry_num=n) for n in (None, 1, 2))
    )
    assert all(
        r.status == 200 and r.elapsed_seconds < 1 for r in sent
    )  # every delivery acked at once
    asked = Asked(CHANNEL, message, sent[0])
    await finished(podium, asked)
    await asyncio.sleep(0.5)  # nothing more may come
    assert len(replies_to(podium, asked)) == 1
    assert (
        len(
            [
                c
                for c in podium.standin.calls("reactions.add")
                if c.args.get("timestamp") == asked.ts
            ]
        )
        == 2
    )


async def test_a_redelivery_after_a_restart_is_not_answered_again(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path) as first:
        asked = await direct(first, "get pods", event_id="EvRESTART1")
        await finished(first, asked)
    async with running_podium(cluster, standin, tmp_path) as second:
        retry = await second.sender.event(
            dm_event(asked.channel, asked.message), event_id="EvRESTART1", retry_num=1
        )
        assert retry.status == 200
        fresh = await direct(second, "get svc")  # the restarted Podium still answers new messages
        await finished(second, fresh)
        await asyncio.sleep(0.3)
    answers = [m for m in standin.messages(asked.channel) if m.get("bot_id")]
    assert len(answers) == 2 and "svc" in text_of(answers[-1])


async def test_bots_and_podiums_own_messages_are_ignored(podium: Running):
    standin = podium.standin
    dm = standin.dm_channel("U0ALICE")
    own = {
        "type": "message",
        "channel_type": "im",
        "channel": dm,
        "user": BOT,
        "bot_id": "B0PODIUM",
        "text": "get pods",
        "ts": "1700000000.000100",
    }
    other_bot = {
        "type": "message",
        "subtype": "bot_message",
        "channel_type": "im",
        "channel": dm,
        "bot_id": "B0OTHER",
        "username": "deploybot",
        "text": "get pods",
        "ts": "1700000000.000200",
    }
    other_bot_user = {
        "type": "app_mention",
        "channel": CHANNEL,
        "user": "U0DEPLOYBOT",
        "bot_id": "B0OTHER",
        "text": f"<@{BOT}> get pods",
        "ts": "1700000000.000300",
    }
    self_mention = {
        "type": "app_mention",
        "channel": CHANNEL,
        "user": BOT,
        "text": f"<@{BOT}> get pods",
        "ts": "1700000000.000400",
    }
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": dm,
        "message": {"user": "U0ALICE", "text": "get pods", "ts": "1700000000.000500"},
        "ts": "1700000000.000600",
    }
    for event in (own, other_bot, other_bot_user, self_mention, edited):
        assert (await podium.sender.event(event)).status == 200
    # A person's message afterwards is answered: by then every ignored event was processed.
    asked = await direct(podium, "get pods")
    await finished(podium, asked)
    assert [c.args["channel"] for c in standin.calls("chat.postMessage")] == [dm]
    assert [c.args["timestamp"] for c in standin.calls("reactions.add")] == [asked.ts, asked.ts]


async def test_app_home_is_published_when_opened(podium: Running):
    event = {"type": "app_home_opened", "user": "U0BOB", "channel": "D0BOB", "tab": "home"}
    assert (await podium.sender.event(event)).status == 200
    await podium.standin.wait_for_call("views.publish", timeout=10)
    view = podium.standin.home_view("U0BOB")
    text = "\n".join(text_of({"blocks": [b]}) for b in view["blocks"])
    assert view["type"] == "home"
    assert (
        "Ask Podium" in text and "@Podium get pods" in text and "@Podium slides search etcd" in text
    )
    assert "Kubernetes 101" in text and "`sandbox`" in text
    assert "No presentation is live right now." in text
    assert (
        "1. Multi-container Pod: not checked yet" in text
    )  # the workshop's real progress provider

    async def progress(user: str) -> str:
        return f"<@{user}>: 2 of 4 exercises done"

    podium.podium.text_commands.provide_progress(progress)
    started = await podium.sender.slash_command(
        "/slides", "start", user_id="U0INSTRUCTOR", channel_id=CHANNEL
    )
    await podium.standin.wait_for_responses(started.response_url, timeout=15)
    await podium.sender.event(event)
    await podium.standin.wait_for_call(
        "views.publish", timeout=10, predicate=lambda c: "2 of 4" in str(c.args.get("view"))
    )
    text = str(podium.standin.home_view("U0BOB")["blocks"])
    assert "<#C0WORKSHOP>: *Kubernetes 101*, slide 1/" in text and "placeholder" not in text
    assert "set up" not in text

    await podium.sender.event({**event, "tab": "messages"})  # the Messages tab: nothing to publish
    await asyncio.sleep(0.3)
    assert len(podium.standin.calls("views.publish")) == 2


async def test_socket_mode_redelivery_is_answered_once(cluster, standin, tmp_path):
    """Over Socket Mode the envelope's payload is the same event_callback, event_id included."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": standin.bot_token,
            "SLACK_APP_TOKEN": standin.app_token,
            "SLACK_API_URL": standin.api_url,
            "PODIUM_STATE": str(tmp_path / "state.db"),
            "KUBECONFIG": str(cluster.write_kubeconfig(tmp_path / "kubeconfig")),
            "PODIUM_POST_INTERVAL": "0",
        }
    )
    podium = await build_podium(settings)
    handler = AsyncSocketModeHandler(podium.app, standin.app_token)
    await handler.connect_async()
    try:
        await standin.wait_for_socket_client()
        channel = standin.dm_channel("U0ALICE")
        message = standin.post_user_message(channel, "U0ALICE", "kgp")
        payload = event_callback_envelope(
            standin.workspace, dm_event(channel, message), event_id="EvSOCKET01"
        )
        for attempt in (0, 1, 2):
            ack = await standin.socket.send(
                "events_api", payload, retry_attempt=attempt, retry_reason="timeout"
            )
            assert ack.elapsed_seconds < 1
        await standin.wait_for_call(
            "reactions.add",
            timeout=15,
            predicate=lambda c: c.args.get("name") == "white_check_mark",
        )
        await asyncio.sleep(0.5)
        answers = [m for m in standin.messages(channel) if m.get("bot_id")]
        assert len(answers) == 1 and "nginx" in text_of(answers[0])
    finally:
        await handler.close_async()
        await podium.close()


async def test_the_manifests_scopes_are_enough(cluster, tmp_path):
    """Slack refuses calls outside the app's scopes: run the whole feature with exactly the
    scopes the manifest asks for."""
    manifest = yaml.safe_load(
        (REPO / "manifests/slack/app-manifest.socket.yaml").read_text(encoding="utf-8")
    )
    async with (
        SlackStandIn(scopes=manifest["oauth_config"]["scopes"]["bot"]) as standin,
        running_podium(cluster, standin, tmp_path) as running,
    ):
        for asked in (await mention(running, "get pods"), await direct(running, "what is etcd?")):
            assert (await finished(running, asked)).args["name"] == "white_check_mark"
        await running.sender.event({"type": "app_home_opened", "user": "U0BOB", "tab": "home"})
        await standin.wait_for_call("views.publish", timeout=10)
        assert all(c.ok for c in standin.calls() if c.method != "auth.test"), [
            c.response for c in standin.calls() if not c.ok
        ]


async def test_an_answer_slack_refuses_is_replaced_by_why_in_the_thread(podium: Running):
    podium.standin.fail_next(
        "chat.postMessage", status=200, error="msg_too_long"
    )  # the answer's post
    asked = await mention(podium, "get pods")
    done = await finished(podium, asked)
    assert done.args["name"] == "warning"
    [reply] = replies_to(podium, asked)
    assert text_of(reply).startswith(
        "The message Podium built is too long for Slack: narrow the request"
    )
    assert "(ref " in text_of(reply)
