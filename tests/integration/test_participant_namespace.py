"""Issue 14, item 3: everything participant-facing uses the person's own namespace, through the
real Bolt app, the Slack stand-in and the API emulator.

- `/exercise show N` is the deck's exercise slide, as Slack mrkdwn, with ▶ buttons that read the
  presser's own namespace and answer privately, Check my work and Hint;
- a refused write (`/kubectl scale …`) tells the person to run *their* command in *their*
  namespace; an instructor gets the sandbox, where their demo is; hostile words in it are escaped
  exactly once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.exercises.workshop import CHECK_ACTION, HINT_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from bot.slides.render import RUN_ACTION, render_slide
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from tests.harness.exercises import participant_setup, solution
from tests.harness.room import raw_pings, visible_text
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
ALICE = "U0ALICE"
DECK = load_deck(default_slides_folder() / "kubernetes-101.md")
DOUBLE_ESCAPED = re.compile(r"&amp;(lt|gt|amp);")


@pytest.fixture
async def room(standin, tmp_path) -> AsyncIterator[Running]:
    # Alice has her namespace with exercise 2 solved; the sandbox holds the demo only.
    seed = [*participant_setup(ALICE), *solution("02-deployment")]
    async with KubeEmulator([*load_documents(*demo_seed_paths()), *seed]) as cluster:
        async with running_podium(
            cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER
        ) as running:
            yield running


async def slash(running: Running, command: str, text: str, user: str = ALICE) -> dict[str, Any]:
    sent = await running.sender.slash_command(command, text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return reply


def elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


async def test_exercise_show_is_the_exercise_slide_in_slack_mrkdwn(room: Running):
    for slide in DECK.exercises.values():
        shown = await slash(room, "/exercise", f"show {slide.exercise}")
        assert shown["response_type"] == "ephemeral"
        # One source: the text is the slide's, rendered the way the room sees it.
        assert section_texts(shown["blocks"]) == section_texts(render_slide(DECK, slide.number))
        assert shown["blocks"][0]["text"]["text"] == slide.title
        text = visible_text(shown)
        assert "**" not in text and "```sh" not in text and "```yaml" not in text
    two = await slash(room, "/exercise", "show 2")
    sections = "\n".join(section_texts(two["blocks"]))
    # Markdown's numbered list and fenced `sh` block become Slack's: a list line and a bare ``` block.
    assert sections.startswith("1. Generate a manifest instead of writing it by hand:")
    assert (
        "```\nkubectl create deployment hello --image=nginx:1.27 --replicas=2 --dry-run=client -o yaml &gt; hello.yaml"
        in sections
    )
    assert (
        "Work in your namespace `ws-u0alice` with your own kubectl (`kubectl apply -f FILE -n ws-u0alice`); "
        "the ▶ buttons read it for you."
    ) in message_to_text(two)
    buttons = elements(two)
    runs = [e for e in buttons if e["action_id"].startswith(RUN_ACTION)]
    assert [e["value"] for e in runs] == DECK.exercises[2].commands
    assert [
        (e["action_id"], e["value"]) for e in buttons if not e["action_id"].startswith(RUN_ACTION)
    ] == [(CHECK_ACTION, "2"), (HINT_ACTION, "2")]


async def test_a_run_button_of_exercise_show_reads_the_pressers_namespace_privately(room: Running):
    shown = await slash(room, "/exercise", "show 2")
    run = next(e for e in elements(shown) if e["value"] == "get deploy hello")
    reads_before = len(room.emulator.requests)
    posts_before = len(room.standin.messages(CHANNEL))
    # Pressed in an ephemeral message: Slack sends no message and no ts with it.
    pressed = await room.sender.block_action(
        run["action_id"], run["value"], user_id=ALICE, channel_id=CHANNEL
    )
    [answer] = await room.standin.wait_for_responses(str(pressed.response_url), timeout=20)
    assert answer["response_type"] == "ephemeral"
    text = message_to_text(answer)
    assert "kubectl get deploy hello -n ws-u0alice" in text and "3/3" in text
    assert {r.namespace for r in room.emulator.requests[reads_before:] if r.namespace} == {
        "ws-u0alice"
    }
    assert len(room.standin.messages(CHANNEL)) == posts_before  # nothing in the channel


@pytest.mark.parametrize(
    ("user", "typed", "instead"),
    [
        (
            ALICE,
            "scale deploy web --replicas=0",
            "kubectl scale deploy web --replicas=0 -n ws-u0alice",
        ),
        (ALICE, "apply -f x.yaml", "kubectl apply -f x.yaml -n ws-u0alice"),
        (
            ALICE,
            "rollout restart deployment/hello",
            "kubectl rollout restart deployment/hello -n ws-u0alice",
        ),
        # An instructor's demo is in the sandbox, where their /kubectl reads by default.
        (
            TEACHER,
            "scale deploy nginx --replicas=0",
            "kubectl scale deploy nginx --replicas=0 -n sandbox",
        ),
    ],
)
async def test_a_refused_write_says_what_to_run_with_the_persons_words_and_namespace(
    room: Running, user: str, typed: str, instead: str
):
    reply = await slash(room, "/kubectl", typed, user=user)
    text = message_to_text(reply)
    assert "Podium is read-only" in text
    assert f"Run it in your own terminal: `{instead}`" in text
    assert "--replicas=3" not in text and "manifest.yaml" not in text


async def test_hostile_words_in_a_write_hint_are_escaped_exactly_once(room: Running):
    # Typed in Slack: quotes, a backtick, a channel ping and a literal `&lt;`.
    reply = await slash(room, "/kubectl", "delete pod \"<!channel> x\" 'a`b' &lt;c&gt;")
    hint = next(
        e["text"]
        for b in reply["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if "own terminal" in e["text"]
    )
    assert hint == (
        "Run it in your own terminal: `kubectl delete pod '&lt;!channel&gt; x' 'a'b' "
        "'&amp;lt;c&amp;gt;' -n ws-u0alice`"
    )
    assert raw_pings(reply) == []
    assert not DOUBLE_ESCAPED.search(visible_text(reply).replace("&amp;lt;c&amp;gt;", ""))


@pytest.mark.parametrize("user", ["U0BOB", TEACHER])
async def test_a_run_button_of_someone_never_set_up_says_their_namespace_is_not_set_up(
    room: Running, user: str
):
    # ▶ on an exercise is about the presser's own work, instructors included (they rehearse in
    # their own namespace): without one, the answer says so and how to get one, not only Forbidden.
    shown = await slash(room, "/exercise", "show 2", user=user)
    run = next(e for e in elements(shown) if e["value"] == "get deploy hello")
    pressed = await room.sender.block_action(
        run["action_id"], run["value"], user_id=user, channel_id=CHANNEL
    )
    [answer] = await room.standin.wait_for_responses(str(pressed.response_url), timeout=20)
    namespace = f"ws-{user.lower()}"
    assert answer["response_type"] == "ephemeral"
    text = message_to_text(answer)
    assert f"kubectl get deploy hello -n {namespace}" in text and "Forbidden" in text
    assert (
        f"Namespace `{namespace}` is not set up for the workshop yet: the instructor adds its owner with "
        "`python -m bot participants manifests --users SLACK_ID | kubectl apply -f -`."
    ) in text


async def test_exercise_show_in_the_dm_and_its_run_button_answer_there(room: Running):
    # `exercise show 2` typed in the DM with Podium: the slide comes back in the DM, and its ▶
    # reads the presser's namespace and answers privately in the DM.
    dm = room.standin.dm_channel(ALICE)
    asked = room.standin.post_user_message(dm, ALICE, "exercise show 2")
    await room.sender.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": dm,
            "user": ALICE,
            "text": "exercise show 2",
            "ts": asked["ts"],
            "event_ts": asked["ts"],
        }
    )
    await room.standin.wait_for_call(
        "reactions.add",
        timeout=20,
        predicate=lambda c: (
            c.args.get("timestamp") == asked["ts"]
            and c.args.get("name") in ("white_check_mark", "warning")
        ),
    )
    [shown] = [
        m
        for m in room.standin.messages(dm)
        if m.get("bot_id") and float(m["ts"]) > float(asked["ts"])
    ]
    assert shown["blocks"][0]["text"]["text"] == "Exercise 2: Create a Deployment"
    assert "Work in your namespace `ws-u0alice`" in message_to_text(shown)
    run = next(e for e in elements(shown) if e["value"] == "get pods -l app=hello")
    pressed = await room.sender.block_action(
        run["action_id"], run["value"], user_id=ALICE, channel_id=dm, message_ts=shown["ts"]
    )
    [answer] = await room.standin.wait_for_responses(str(pressed.response_url), timeout=20)
    assert answer["response_type"] == "ephemeral"
    assert "kubectl get pods -n ws-u0alice -l app=hello" in message_to_text(answer)


async def test_hints_quote_podium_commands_for_the_participants_namespace(room: Running):
    for _ in range(3):
        hints = message_to_text(await slash(room, "/exercise", "hint 2"))
    assert (
        "3. READY below `3/3`? `/kubectl describe deploy hello -n ws-u0alice` and "
        "`/kubectl get pods -l app=hello -n ws-u0alice` show which Pod is not ready; "
        "`/kubectl describe pod NAME -n ws-u0alice` tells why"
    ) in hints
    assert "`kubectl apply -f hello.yaml` again" in hints  # their own kubectl: as written


async def test_an_exercise_without_a_slide_says_so_and_what_still_works(standin, tmp_path):
    # A workshop whose deck lost its exercise slide: show answers with a reason, never nothing.
    slides = tmp_path / "slides"
    (slides / "exercises").mkdir(parents=True)
    (slides / "deck.md").write_text(
        "---\ntitle: T\nauthor: A\ndescription: D\n---\n\n# Only slide\n\ntext\n"
    )
    source = default_slides_folder() / "exercises" / "02-deployment.yaml"
    (slides / "exercises" / "02-deployment.yaml").write_text(source.read_text(encoding="utf-8"))
    async with KubeEmulator(load_documents(*demo_seed_paths())) as cluster:
        async with running_podium(cluster, standin, tmp_path, PODIUM_SLIDES=str(slides)) as running:
            shown = message_to_text(await slash(running, "/exercise", "show 2"))
    assert shown == (
        "Exercise 2: Create a Deployment has no slide in the deck (`<!-- exercise: 2 -->`), so there "
        "are no instructions to show. `/exercise hint 2` and `/exercise check 2` work."
    )
