"""Issue 12, items 2–6, at the process level: one real `python -m bot serve` (module-scoped)
against the Kubernetes API emulator and the Slack stand-in, attacked only through signed HTTP
requests (slash commands, interactivity payloads, events) the way Slack delivers them. Every
assertion reads what the stand-ins recorded: each Web API call, response_url post and uploaded
file Podium sent, and each request the emulator served. Item 1 has its own process-level test
(test_redact_freeze.py); the in-process tests of each item cover the many variants.

The cluster is the guide's workshop (Alice, Bob and the instructor each with a `ws-…`
namespace, a shared one, a look-alike of a gone participant's namespace, and RBAC broad enough
that only Podium's own policy keeps people apart), plus the trojan pod of the markup tests and
the vault pod of the leak tests. Budgets are Podium's defaults; each attack speaks as its own
people so that one attack's spending never answers for another's."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import yaml

from bot.kubectl.redact import LAST_APPLIED
from bot.slack.kubectl_command import ALREADY_SHARED, FORGED_SHARE
from bot.slack.output import SHARE_ACTION
from podium_devkit.kube_api import KubeEmulator, RecordedRequest
from podium_devkit.slack_api import SlackStandIn, SlackUser
from podium_devkit.slack_limits import RateLimits
from podium_devkit.slack_sender import SlackSender, slack_encoded
from tests.harness.attacks import (
    ALICE,
    ALICE_NS,
    BOB_NS,
    BOB_SECRET,
    BROAD_GRANTS,
    FORGED,
    GHP,
    GONE,
    LOOKALIKE,
    SECRETS,
    SHARED,
    SLOW_DOWN,
    is_question,
    is_slide,
    metrics_body,
    printed,
    problems,
    requests_in,
    share_value,
    table_names,
    trojan_objects,
    vault_pod,
    workshop_cluster,
)
from tests.harness.process import PodiumProcess, podium_env, start_podium, stop_podium
from tests.harness.room import CHANNEL, TEACHER, Room, text_of, visible_text
from tests.harness.running import Running

pytestmark = pytest.mark.asyncio(loop_scope="module")

SIGNING_SECRET = "attacks-process-signing-secret-77c1"
METRICS_TOKEN = "attacks-process-metrics-token-0123"
LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")
SLIDES_CHANNEL = "C0GENERAL"  # item 5's presentation, apart from the other attacks' channel

# Who attacks what (Alice, Bob and the instructor are the stand-in's own members); the 200 made-up
# verbs of item 5 come from people Podium only ever answers through the response_url.
PEOPLE = [
    "U0GONE",
    "U0MARKUP",
    "U0VAULT",
    "U0FLOOD",
    "U0FANOUT",
    "U0VERBS",
    "U0SHARER",
    *(f"U0Q{n:02d}" for n in range(10)),
]

# The vault's log: the two credentials item 4 names, in the shapes people paste them in.
VAULT_LOG = [
    "connecting to postgres://app:pg-url-pass-1@db:5432/app",
    "charging with sk_live_51HleakleakLEAK0123",
    f"GITHUB_TOKEN={GHP}",
    "DB_PASSWORD=hunter2-db-pw",
]


def vault_logs() -> dict[str, Any]:
    return {
        "apiVersion": "devkit.podium/v1",
        "kind": "PodLogs",
        "metadata": {"namespace": "sandbox", "name": "vault"},
        "lines": [
            {"time": f"-{len(VAULT_LOG) - i}m", "text": line} for i, line in enumerate(VAULT_LOG)
        ],
    }


@dataclass
class Podium:
    process: PodiumProcess
    sender: SlackSender
    standin: SlackStandIn
    emulator: KubeEmulator
    base_url: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def podium(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Podium]:
    emulator = workshop_cluster(*BROAD_GRANTS, *trojan_objects(), vault_pod(), vault_logs())
    state = tmp_path_factory.mktemp("attacks")
    # Slack's pace made faster for the test, in Podium (PODIUM_POST_INTERVAL) and the stand-in alike.
    async with (
        emulator,
        SlackStandIn(rate_limits=RateLimits(channel_posts_per_second=5.0)) as standin,
    ):
        for person in PEOPLE:  # members of the workspace (a snippet goes to the asker's DM)
            standin.add_user(SlackUser(person, person.lower()))
        env = podium_env(
            standin,
            emulator.write_kubeconfig(state / "kubeconfig"),
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            PODIUM_INSTRUCTORS=TEACHER,
            PODIUM_NAMESPACES=SHARED,
            PODIUM_METRICS_TOKEN=METRICS_TOKEN,
            PODIUM_POST_INTERVAL="0.2",
        )  # Slack's pace, faster: the pacer is in play
        process = await start_podium(["serve", "--host", "127.0.0.1"], env, LISTENING)
        assert process.events_url
        try:
            async with SlackSender(process.events_url, SIGNING_SECRET, standin) as sender:
                yield Podium(
                    process,
                    sender,
                    standin,
                    emulator,
                    process.events_url.removesuffix("/slack/events"),
                )
        finally:
            await stop_podium(process)
        assert not [line for line in process.stderr_lines if "Traceback" in line], "\n".join(
            process.stderr_lines
        )


@dataclass
class Attack(Room):
    """Room (the ways people reach Podium) over the process, remembering where the stand-ins'
    records stood when the attack began: what it made Podium send and read is what came after."""

    calls_before: int = 0
    requests_before: int = 0
    files_before: set[str] = field(default_factory=set)

    def requests(self) -> list[RecordedRequest]:
        return self.emulator.requests[self.requests_before :]

    def files(self) -> list[Any]:
        return [f for f in self.standin.files() if f.id not in self.files_before]

    def sent(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Web API call Podium made during the attack, and every response_url post."""
        sent = [(call.method, call.args) for call in self.standin.calls()[self.calls_before :]]
        for url in self.response_urls:
            sent.extend(("response_url", post.body) for post in self.standin.responses(url))
        return sent

    def every_byte(self) -> str:
        """All of it as one string, uploaded snippets' contents included."""
        texts = [json.dumps(body, ensure_ascii=False) for _, body in self.sent()]
        return "\n".join(texts + [f.text for f in self.files()])

    def channel_posts(self, channel: str = CHANNEL) -> list[dict[str, Any]]:
        return [
            args
            for method, args in self.sent()
            if method == "chat.postMessage" and args.get("channel") == channel
        ]


@pytest.fixture
def room(podium: Podium) -> Attack:
    # No Podium object in this test's hands: it runs in the other process.
    running = Running(None, podium.sender, podium.standin, podium.emulator, podium.base_url)  # type: ignore[arg-type]
    return Attack(
        running,
        calls_before=len(podium.standin.calls()),
        requests_before=len(podium.emulator.requests),
        files_before={f.id for f in podium.standin.files()},
    )


async def reply(room: Attack, text: str, command: str = "/kubectl", *, user: str) -> str:
    return text_of(await room.ask(text, command, user=user, timeout=30))


# --- item 2: each person reads only where they belong ---------------------------------------------


async def test_alice_cannot_reach_bobs_namespace_and_sees_only_hers(room: Attack):
    refused = await reply(room, f"get cm -n {BOB_NS} -o yaml", user=ALICE)
    asked = await room.mention(f"get cm settings -n {BOB_NS} -o yaml", user=ALICE)
    [in_thread] = room.thread_answers(CHANNEL, asked["ts"])
    for answer in (refused, text_of(in_thread)):
        assert f"`{BOB_NS}` is outside the workshop namespaces you may read" in answer, answer
        assert f"`sandbox`, `{SHARED}`, `{ALICE_NS}`" in answer, answer  # what she may use instead
    listed = await reply(room, "get ns", user=ALICE)
    assert table_names(listed) == ["sandbox", SHARED, ALICE_NS], listed
    assert BOB_SECRET not in room.every_byte() and "u0bob" not in listed.lower()
    assert not requests_in(room.emulator, BOB_NS)  # not one read of Bob's namespace, ever


async def test_describe_ns_of_a_gone_namespace_reads_that_one_name_only(room: Attack):
    # U0GONE may read ws-u0gone (their own), which no longer exists; the cluster would let Podium
    # list every namespace and read the look-alike's quotas (BROAD_GRANTS).
    answer = await reply(room, f"describe ns {GONE}", user="U0GONE")
    assert f'namespaces "{GONE}" not found' in answer, answer
    assert LOOKALIKE not in answer
    assert [f"{r.method} {r.path}" for r in room.requests()] == [f"GET /api/v1/namespaces/{GONE}"]


# --- item 3: no user or cluster text becomes markup in Podium's voice ------------------------------


def assert_nothing_unsafe(room: Attack) -> None:
    sent = room.sent()
    assert sent, "Podium sent nothing"
    for where, body in sent:
        assert problems(body) == [], (where, problems(body), text_of(body)[:400])
    titles = [f.title or "" for f in room.files()]
    assert not [t for t in titles if "<!" in t or "<http" in t], titles


async def test_typed_pings_and_cluster_controls_arrive_escaped_once_and_visible(room: Attack):
    user = "U0MARKUP"
    # Typed in a mention: Slack's wire encoding of typed text.
    asked = await room.mention("exercise x`" + slack_encoded("<!channel>") + "`x", user=user)
    [answer] = room.thread_answers(CHANNEL, asked["ts"])
    assert "`/exercise` has no `x`&lt;!channel&gt;`x`" in visible_text(answer)
    asked = await room.mention(
        "slides x`" + slack_encoded("<https://evil.example/login|Reset password>") + "`x", user=user
    )
    [answer] = room.thread_answers(CHANNEL, asked["ts"])
    assert "`/slides` has no `x`&lt;https://evil.example/login|reset`" in visible_text(answer)
    # Typed in slash commands (the sender entity-encodes `<`, `>`, `&` as Slack does).
    search = await room.ask("search <!here>", "/slides", user=user)
    assert "&lt;!here&gt;" in search["text"], search["text"]  # the notification's fallback too
    await room.ask("a < b", "/ask", user=user)  # on the wire: `a &lt; b`
    [question] = [args for args in room.channel_posts() if is_question(args)]
    assert "a &lt; b" in visible_text(question) and "&amp;lt;" not in visible_text(question), (
        question
    )
    # The cluster's text: a log with a bidi override, ANSI colours and a NUL.
    logs = await room.ask("logs trojan", user=user)
    shown = visible_text(logs)
    assert "&lt;U+202E&gt;nimda" in shown and "^[[1;31mALERT" in shown and "nul^@byte" in shown, (
        shown
    )
    assert_nothing_unsafe(room)


# --- item 4: secrets stay out of chat --------------------------------------------------------------


async def test_the_vaults_secrets_never_reach_slack_in_any_output_kind(room: Attack):
    user = "U0VAULT"
    for output, load in (("yaml", yaml.safe_load), ("json", json.loads)):
        answer = await room.ask(f"get pod vault -o {output}", user=user)
        pod = load(printed(room, answer))  # still valid yaml / json, whether a snippet or not
        env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
        assert (
            env["DB_PASSWORD"] == "[redacted: password]"
            and env["GITHUB_TOKEN"] == "[redacted: token]"
        ), env
        applied = json.loads(pod["metadata"]["annotations"][LAST_APPLIED])  # hidden the same way
        assert {e["name"]: e.get("value") for e in applied["spec"]["containers"][0]["env"]} == env
        assert "Podium hid" in text_of(answer)
    described = printed(room, await room.ask("describe pod vault", user=user))
    assert re.search(r"DB_PASSWORD: +\[redacted: password\]\n", described), described
    assert re.search(r"GITHUB_TOKEN: +\[redacted: token\]\n", described), described
    logs = printed(room, await room.ask("logs vault", user=user))
    assert "postgres://app:[redacted: password]@db:5432/app" in logs, logs
    assert logs.count("[redacted: ") == len(VAULT_LOG), logs
    everything = room.every_byte()  # every message, response_url post and snippet Podium sent
    assert not [secret for secret in SECRETS if secret in everything]


# --- item 5: one person cannot starve the room -----------------------------------------------------


async def test_a_sixth_question_in_a_row_is_told_to_slow_down(room: Attack):
    replies = [await reply(room, f"flood {i}?", "/ask", user="U0FLOOD") for i in range(6)]
    assert all("is in this channel's questions thread" in r for r in replies[:5]), replies
    assert SLOW_DOWN.search(replies[5]) and "questions" in replies[5], replies[5]
    assert sum(1 for args in room.channel_posts() if is_question(args)) == 5


async def test_a_command_that_would_fan_out_is_refused_before_any_api_request(room: Attack):
    answer = await reply(room, "get po,svc,ep,cm,deploy,rs,jobs,ev a b c d e f", user="U0FANOUT")
    assert "This asks for 48 reads; Podium allows 20 per command." in answer, answer
    assert room.requests() == []


OTHER_REFUSED = re.compile(
    r'^podium_commands_total\{outcome="refused",verb="other"\} (\S+)$', re.MULTILINE
)


async def test_metrics_need_the_token_and_stay_bounded_after_two_hundred_made_up_verbs(
    room: Attack,
):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{room.running.base_url}/metrics") as response:
            assert response.status == 401  # the port is Slack's public endpoint
    assert (await metrics_body(room.running, token="wrong-token-0123456789"))[0] == 401
    await reply(room, "frobnicate x", user="U0VERBS")  # the `other` series exists from here on
    status, before = await metrics_body(room.running, token=METRICS_TOKEN)
    assert status == 200
    for batch in range(10):  # 200 people, one made-up verb each: no budget in the way
        sent = await asyncio.gather(
            *(room.slash(f"madeup{batch}x{i} pods", user=f"U0V{batch}{i:02d}") for i in range(20))
        )
        await asyncio.gather(
            *(room.standin.wait_for_responses(str(s.response_url), timeout=30) for s in sent)
        )
    status, after = await metrics_body(room.running, token=METRICS_TOKEN)
    assert status == 200 and "madeup" not in after
    [was], [now] = OTHER_REFUSED.findall(before), OTHER_REFUSED.findall(after)
    assert float(now) - float(was) == 200
    assert len(after) - len(before) < 300, (len(before), len(after))  # the same series, new counts


async def test_the_instructors_next_slide_goes_before_the_queued_questions(room: Attack):
    def posts() -> list[dict[str, Any]]:
        return room.channel_posts(SLIDES_CHANNEL)

    start = await room.slash("start", "/slides", user=TEACHER, channel=SLIDES_CHANNEL)
    await room.standin.wait_for_responses(
        str(start.response_url), timeout=30
    )  # once slide 1 is posted
    assert any(is_slide(args, 1) for args in posts())
    # Ten people ask three questions each (within their budget): thirty posts in the queue.
    asks = await asyncio.gather(
        *(
            room.slash(
                f"question {i} from {n}?", "/ask", user=f"U0Q{n:02d}", channel=SLIDES_CHANNEL
            )
            for n in range(10)
            for i in range(3)
        )
    )
    await room.standin.wait_for_call(
        "chat.postMessage",
        timeout=10,
        predicate=lambda c: c.args.get("channel") == SLIDES_CHANNEL and is_question(c.args),
    )
    await asyncio.sleep(0.5)  # the rest reach the queue (a slow machine only makes it longer)
    queued = 30 - sum(1 for args in posts() if is_question(args))
    nxt = await room.slash("next", "/slides", user=TEACHER, channel=SLIDES_CHANNEL)
    await room.standin.wait_for_responses(str(nxt.response_url), timeout=30)
    await asyncio.gather(
        *(room.standin.wait_for_responses(str(s.response_url), timeout=60) for s in asks)
    )
    order = posts()
    [slide_two] = [i for i, args in enumerate(order) if is_slide(args, 2)]
    questions = [i for i, args in enumerate(order) if is_question(args)]
    assert len(questions) == 30
    after = sum(1 for i in questions if i > slide_two)
    # First come, first served would post every queued question before the slide (after == 0);
    # slides first lets at most the posts already leaving the pacer go ahead of it.
    assert queued >= 10, queued
    assert after >= queued - 3, (queued, after)


# --- item 6: buttons cannot be forged into messages ------------------------------------------------


async def test_a_forged_share_is_refused_and_a_real_one_posts_once_attributed(room: Attack):
    user = "U0SHARER"
    forged = await room.press(SHARE_ACTION, FORGED, user=user)
    [refusal] = await room.standin.wait_for_responses(str(forged.response_url), timeout=20)
    assert FORGED_SHARE in text_of(refusal)
    answer = await room.ask("get deploy nginx", user=user)
    value = share_value(answer)  # the value Podium put on its own answer's button
    first = await room.press(SHARE_ACTION, value, user=user)
    [shared] = await room.standin.wait_for_responses(str(first.response_url), timeout=20)
    assert "Shared in the channel." in text_of(shared)
    again = await room.press(SHARE_ACTION, value, user=user)
    [second] = await room.standin.wait_for_responses(str(again.response_url), timeout=20)
    assert ALREADY_SHARED in text_of(second)
    [post] = room.channel_posts()  # one post: the real answer, none for the forgery or the repeat
    assert text_of(post).startswith(f"<@{user}> ran `kubectl get deploy nginx -n sandbox`"), (
        text_of(post)
    )
    assert "Message from your instructor" not in room.every_byte()
