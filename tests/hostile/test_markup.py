"""Issue 12, item 3: no user or cluster text becomes markup in Podium's voice.

People type `<!channel>` and masked links into commands, mentions and questions; the cluster
carries bidi overrides, ANSI escapes and NUL. Whatever path builds the answer, Slack must receive
them escaped exactly once (`&lt;!channel&gt;`, never `&amp;lt;`) and made visible (`<U+202E>`,
`^[`), and `python -m bot audit` must show them without obeying them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.messages.text import decode_slack_text, escape_mrkdwn, mrkdwn, neutralise, seal_message
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import slack_encoded, slash_command_fields
from tests.harness.attacks import ESC, INVISIBLE, NUL, RLO, problems, trojan_objects
from tests.harness.room import (
    CHANNEL,
    ROOM_ENV,
    TEACHER,
    Room,
    hostile_objects,
    raw_pings,
    text_of,
    visible_text,
)
from tests.harness.running import running_podium


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    """The hostile room's cluster plus the trojan pod."""
    emulator = KubeEmulator(
        [*load_documents(*demo_seed_paths()), *hostile_objects(), *trojan_objects()]
    )
    for event in emulator.objects(
        "events", "sandbox"
    ):  # as hostile_cluster() ties them to their objects
        target = event["involvedObject"]
        if event["reason"] == "Hostile":
            plural = {"Pod": "pods", "Deployment": "deployments"}[target["kind"]]
            target["uid"] = emulator.get_object(plural, "sandbox", target["name"])["metadata"][
                "uid"
            ]
    async with emulator:
        yield emulator


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with running_podium(cluster, standin, tmp_path, **ROOM_ENV) as running:
        yield Room(running)


def assert_nothing_unsafe_was_sent(room: Room) -> list[tuple[str, dict[str, Any]]]:
    outgoing = room.outgoing()
    assert outgoing, "Podium sent nothing"
    for where, message in outgoing:
        assert problems(message) == [], (where, problems(message), text_of(message)[:400])
    uploads = [c.args for c in room.standin.calls() if c.method == "files.completeUploadExternal"]
    for upload in uploads:
        files = (
            json.loads(upload["files"])
            if isinstance(upload.get("files"), str)
            else upload.get("files")
        )
        shown = [f.get("title", "") for f in files or []] + [
            str(upload.get("initial_comment") or "")
        ]
        assert not [t for t in shown if "<!" in t or INVISIBLE.search(t)], shown
    return outgoing


def all_visible(room: Room) -> str:
    return "\n".join(visible_text(m) for _, m in room.outgoing())


# --- typed markup in mentions and commands ------------------------------------------------------


async def test_a_mention_cannot_make_podium_ping_or_plant_a_masked_link(room: Room):
    # Each as Slack delivers it: typed characters entity-encoded, or real markup (an @channel
    # picked from the menu, a link posted through the API).
    attacks = [
        "exercise x`" + slack_encoded("<!channel>") + "`x",
        "exercise x`<!channel>`x",
        "slides x`" + slack_encoded("<https://evil.example/login|Reset password>") + "`x",
        "slides x`<https://evil.example/login|Reset password>`x",
        "slides search " + slack_encoded("<!here>"),
        "ask is " + slack_encoded("<!channel>") + " allowed?",
    ]
    for attack in attacks:
        asked = await room.mention(attack)
        [answer] = room.thread_answers(CHANNEL, asked["ts"])
        assert problems(answer) == [], (attack, text_of(answer))
    seen = all_visible(room)
    assert (
        "`/exercise` has no `x`&lt;!channel&gt;`x`" in seen
    )  # the word shown as typed, escaped once
    assert (
        "`/slides` has no `x`&lt;https://evil.example/login|reset`" in seen
    )  # the first word, escaped
    assert_nothing_unsafe_was_sent(room)


async def test_usage_errors_and_searches_of_slash_commands_echo_escaped_once(room: Room):
    exercise = await room.ask("x`<!channel>`x", command="/exercise")
    slides = await room.ask("x`<https://evil.example/login|Reset password>`x", command="/slides")
    search = await room.ask("search <!here>", command="/slides")
    # The fallback `text` (what notifications show) carries the term escaped too.
    assert "&lt;!here&gt;" in search["text"], search["text"]
    assert "&lt;!channel&gt;" in visible_text(exercise)
    assert "`/slides` has no `x`&lt;https://evil.example/login|reset`" in visible_text(slides)
    assert_nothing_unsafe_was_sent(room)


async def test_a_snippet_title_never_carries_the_typed_command_as_markup(room: Room):
    # Long enough for a snippet (the hostile pod's 50,000-character annotation), with a field
    # selector that quotes a ping: the snippet's title is the command line.
    await room.ask("get pods -o yaml --field-selector metadata.name!=<!channel>")
    [upload] = [c.args for c in room.standin.calls() if c.method == "files.completeUploadExternal"]
    [file] = json.loads(upload["files"]) if isinstance(upload["files"], str) else upload["files"]
    assert "&lt;!channel&gt;" in file["title"] and "<!channel>" not in file["title"], file
    assert_nothing_unsafe_was_sent(room)


# --- entities in, once; out, once ---------------------------------------------------------------


def test_the_slack_stand_in_sends_typed_text_entity_encoded_like_slack(standin: SlackStandIn):
    fields = slash_command_fields(
        standin.workspace,
        command="/ask",
        text="a < b && c > d",
        user_id="U0ALICE",
        user_name="alice",
        channel_id=CHANNEL,
        channel_name="workshop",
        response_url="https://hooks.example/x",
        trigger_id="t",
    )
    assert fields["text"] == "a &lt; b &amp;&amp; c &gt; d"
    assert decode_slack_text(fields["text"]) == "a < b && c > d"


async def test_ask_decodes_once_and_escapes_once(room: Room):
    await room.ask(
        "is a < b && c > d?", command="/ask"
    )  # Slack sends `a &lt; b &amp;&amp; c &gt; d`
    await room.ask("what does &lt; mean?", command="/ask")  # typed as an entity: stays one
    posted = [
        m for m in room.standin.messages(CHANNEL) if m.get("bot_id") and "Q" in str(m.get("text"))
    ]
    texts = "\n".join(visible_text(m) for m in posted)
    assert "is a &lt; b &amp;&amp; c &gt; d?" in texts, texts
    assert "&amp;lt;&amp;lt;" not in texts and "&amp;amp;" not in texts
    assert "what does &amp;lt; mean?" in texts  # shows as "&lt;", what was typed
    for _, message in room.outgoing():
        assert raw_pings(message) == []


async def test_every_command_reads_the_decoded_text(room: Room):
    # /kubectl decoded before too; the others did not: `/slides search a&b` looked for `a&amp;b`.
    answer = await room.ask("get pods -l 'app in (web,nginx)'", command="/kubectl")
    assert "web-1" in text_of(answer)
    reply = await room.ask("search <!here> & more", command="/slides")
    assert "“&lt;!here&gt; &amp; more”" in visible_text(reply), visible_text(reply)


# --- bidi, ANSI, NUL from the cluster and from people -------------------------------------------


async def test_bidi_ansi_and_nul_from_the_cluster_arrive_visible_not_obeyed(room: Room):
    for text in (
        "logs trojan",
        "describe pod trojan",
        "get pod trojan -o yaml",
        "get pod trojan -o json",
    ):
        await room.ask(text)
    asked = await room.mention("logs trojan")
    assert room.thread_answers(CHANNEL, asked["ts"])
    seen = all_visible(room)
    assert "&lt;U+202E&gt;" in seen and "^[[1;31mALERT" in seen and "nul^@byte" in seen
    assert "&lt;U+009B&gt;31m" in seen
    assert_nothing_unsafe_was_sent(room)


async def test_a_question_with_bidi_and_controls_is_posted_neutralised(room: Room):
    await room.ask(f"why {RLO}sdrawkcab{ESC}[5m and{NUL}?", command="/ask")
    seen = all_visible(room) + "\n".join(visible_text(m) for m in room.standin.messages(CHANNEL))
    assert "why &lt;U+202E&gt;sdrawkcab^[[5m and^@?" in seen
    assert_nothing_unsafe_was_sent(room)


async def test_the_audit_cli_shows_typed_controls_without_obeying_them(room: Room, tmp_path: Path):
    await room.ask(f"get pods {ESC}[2J{RLO}x{NUL}\n2026-01-01 00:00:00Z  U0FORGED")
    await room.running.podium.audit.flush()
    env = {**os.environ, "PODIUM_STATE": str(tmp_path / "state.db")}
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "audit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    [line] = [line for line in shown.splitlines() if "get pods" in line]
    assert "^[[2J<U+202E>x^@\\n2026-01-01" in line, line
    assert not INVISIBLE.search(shown.replace("\n", "")), repr(shown)
    assert not any(line.startswith("2026-01-01 00:00:00Z  U0FORGED") for line in shown.splitlines())
    as_json = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert not INVISIBLE.search(as_json.replace("\n", "")), repr(as_json)


# --- the boundary itself (pure) -----------------------------------------------------------------


def test_the_boundary_escapes_plain_text_exactly_once_and_leaves_podiums_markup():
    typed = "<!channel> a&b"
    message = {
        "text": typed,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": mrkdwn("*{}* by <@{}>", typed, "U0ALICE")},
            },
            {"type": "header", "text": {"type": "plain_text", "text": typed}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "value": typed,
                        "text": {"type": "plain_text", "text": "Share"},
                    }
                ],
            },
        ],
    }
    sealed = seal_message(seal_message(message))  # sealing twice changes nothing
    assert sealed["text"] == "&lt;!channel&gt; a&amp;b"
    assert sealed["blocks"][0]["text"]["text"] == "*&lt;!channel&gt; a&amp;b* by <@U0ALICE>"
    assert sealed["blocks"][1]["text"]["text"] == "&lt;!channel&gt; a&amp;b"
    assert sealed["blocks"][2]["elements"][0]["value"] == typed  # a button value is data, not text


def test_neutralise_is_linear_idempotent_and_keeps_newlines_and_tabs():
    text = f"a{RLO}b{ESC}[31mc{NUL}d\r\n\te\x7f\x9b"
    once = neutralise(text)
    assert once == "a<U+202E>b^[[31mc^@d\\r\n\te^?<U+009B>"
    assert neutralise(once) == once
    assert escape_mrkdwn(text) == "a&lt;U+202E&gt;b^[[31mc^@d\\r\n\te^?&lt;U+009B&gt;"
    assert decode_slack_text("&amp;lt; &lt;!here&gt; &#8238;") == "&lt; <!here> &#8238;"


def test_podiums_own_mentions_survive_the_boundary():
    assert seal_message({"text": mrkdwn("<@{}> ran {}", TEACHER, "<!here>")})["text"] == (
        f"<@{TEACHER}> ran &lt;!here&gt;"
    )


# --- every path at once: slides, questions (slash, dialog, queue, live slide), App Home ---------

HOSTILE_QUESTION = (
    f"<!channel> see <https://evil.example/login|Reset password> {RLO}3 < 4 & 5{ESC}[5m{NUL}?"
)


async def test_a_whole_session_with_hostile_questions_sends_nothing_unsafe(room: Room):
    from bot.exercises.workshop import CHECK_ACTION
    from bot.questions.render import ASK_DIALOG, UPVOTE_ACTION

    await room.ask("start", command="/slides", user=TEACHER)
    await room.ask(HOSTILE_QUESTION, command="/ask", user="U0ALICE")
    values = {
        "question": {"text": {"type": "plain_text_input", "value": HOSTILE_QUESTION}},
        "anonymous": {"anon": {"type": "checkboxes", "selected_options": []}},
    }
    sent = await room.running.sender.view_submission(
        ASK_DIALOG, values, user_id="U0ALICE", private_metadata=CHANNEL
    )
    assert sent.status == 200
    await room.standin.wait_for_call("chat.postEphemeral", timeout=10)
    await room.press(UPVOTE_ACTION, "1", user="U0BOB")
    await room.standin.wait_for_call(
        "chat.update",
        timeout=10,
        predicate=lambda c: "Q1" in json.dumps(c.args, ensure_ascii=False),
    )
    queue = await room.ask("", command="/questions", user=TEACHER)
    assert "&lt;!channel&gt; see &lt;https://evil.example/login|Reset password&gt;" in visible_text(
        queue
    )
    deck = next(iter(room.running.podium.slides.catalogue.decks.values()))
    questions_slide = next(s.number for s in deck.slides if s.is_questions)
    await room.ask(f"goto {questions_slide}", command="/slides", user=TEACHER)
    live = await room.standin.wait_for_call(
        "chat.postMessage",
        timeout=10,
        predicate=lambda c: "Top open questions" in json.dumps(c.args, ensure_ascii=False),
    )
    assert "&lt;U+202E&gt;3 &lt; 4 &amp; 5^[[5m^@?" in json.dumps(live.args, ensure_ascii=False)
    await room.press(CHECK_ACTION, "1", user="U0ALICE")
    await room.running.sender.event(
        {"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"}
    )
    await room.standin.wait_for_call("views.publish", timeout=10)
    sent_to_slack = assert_nothing_unsafe_was_sent(room)
    assert {"views.publish", "chat.update", "chat.postMessage", "response_url"} <= {
        w for w, _ in sent_to_slack
    }
