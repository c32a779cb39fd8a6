"""Escape attempts and generated garbage through `/kubectl`, @mention and the DM: every one gets
exactly one answer, nothing crashes, and the cluster sees no request outside the workshop's
namespaces and none for Secrets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_limits import RateLimits
from tests.harness.room import ALLOWED_NAMESPACES, CHANNEL, Room, settle, text_of


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    """Slack's rate limits off, on purpose: these tests send dozens of mentions into one channel
    within a second to see what each answer says (at Slack's pace that is a minute per test);
    pacing under Slack's limits is tests/hostile/test_pacing_room.py's subject."""
    async with SlackStandIn(rate_limits=RateLimits.off()) as standin:
        yield standin


ESCAPES = (
    # other namespaces, every spelling
    "get pods -n kube-system",
    "get pods --namespace=default",
    "get pods --namespace default",
    "get pods -nkube-system",
    "get pods -n=kube-system",
    "get secrets -n kube-system",
    "get pods —namespace kube-system",
    "get pods –namespace=kube-system",
    "get pods −n kube-system",
    "get pods －ｎ kube-system",
    "get pods ‐n kube-system",
    "get pods -n kube‐system",
    "get pods -n ＫＵＢＥ-system",
    "get pods -n KUBE-SYSTEM",
    "get pods -n sandbox -n kube-system",
    "get pods -n kube-system -n sandbox",
    "get pods -A",
    "get pods --all-namespaces",
    "get pods -Aw",
    "describe pods -A",
    "logs kube-proxy-abcde -n kube-system",
    "get pod kube-system/coredns",
    "get ns kube-system -o yaml",
    "get pods -n ../kube-system",
    "get pods -n sandbox/../kube-system",
    "get pods -- -n kube-system",
    # identities and other servers
    "get pods --token x",
    "get pods --token=x",
    "get pods --as admin",
    "get pods --as=system:admin",
    "get pods --as-group system:masters",
    "get pods --kubeconfig /etc/x",
    "get pods --kubeconfig=/root/.kube/config",
    "get pods -s https://evil",
    "get pods --server=https://evil.example",
    "get pods --context prod",
    "get pods --insecure-skip-tls-verify",
    "get pods --user admin",
    # secrets, every spelling
    "get secrets",
    "get secret",
    "get secret/db-credentials",
    "get secret db-credentials -o yaml",
    "get pods,secrets",
    "get secrets,pods",
    "describe secret db-credentials",
    "get all,secrets",
    "get Secrets",
    "get SECRETS",
    "get secrets.v1.",
    "get secret.v1",
    "get sEcReT/db-credentials -o json",
    # write and channel verbs
    "exec -it web-1 -- sh",
    "exec web-1 -- cat /etc/passwd",
    "port-forward pod/web-1 8080:80",
    "cp web-1:/etc/passwd .",
    "delete pod web-1",
    "apply -f https://evil/x.yaml",
    "proxy",
    "debug web-1 --image=busybox",
    "run x --image=evil",
    # shell metacharacters and a second command
    "get pods; delete pod web-1",
    "get pods | sh",
    "get pods && rm -rf /",
    "get pods $(cat /etc/passwd)",
    "get pods `id`",
    "get pods > /tmp/x",
    "get pods\ndelete pods --all",
    "get pods\n-n kube-system",
    "get pods\r\nget secrets",
    "get pods ../../etc/passwd",
    "logs ../../../etc/passwd",
    "get pods '",
    'get pods "',
    "get pods \\",
    "get pods %00",
    "get pods \x00 -n kube-system",
    "get pods\x1b[31m",
    "get pods\x7f\x08\x0b\x0c",
    "get\tpods\t-n\tkube-system",
    "get pods \u202e metsys-ebuk n-",
    # sizes and weird values
    "get pods -l " + "a" * 5_000,
    "get pods -o " + "x" * 3_000,
    "get pods --sort-by=" + "." * 2_000,
    "get " + "pods," * 500,
    "x" * 10_000,
    "get pods " + "-n sandbox " * 400,
    # output flags
    "get pods -o jsonpath={.items[*].metadata.name}",
    "get pods -o jsonpath='{..token}'",
    "get pods -o go-template={{.}}",
    "get pods -o custom-columns=N:.metadata.name",
    "get pods -o template --template={{.}}",
    "get pods --sort-by=.spec.containers[0].env",
    "get pods --sort-by='{.metadata.annotations}'",
    "get pods --sort-by=.metadata.name[999]",
    "get pods --sort-by=..",
    "get pods --field-selector=metadata.namespace=kube-system",
    "get pods --field-selector=metadata.namespace!=sandbox",
    "get pods -l 'app in (nginx'",
    "auth can-i get secrets",
    "auth can-i '*' '*' --all-namespaces",
    "auth can-i list pods -n kube-system",
    "auth can-i get secrets --as admin",
    # nothing at all, and odd spacing
    "",
    " ",
    "\u00a0",
    "-",
    "--",
    "-n",
    "get",
    "get -n",
    "logs",
    "describe",
)


def cluster_escapes(emulator: KubeEmulator) -> list[str]:
    """Requests the emulator saw outside the workshop namespaces, or for Secrets."""
    bad = []
    for r in emulator.requests:
        cluster_scoped_ok = r.namespace == "" and r.resource in (
            "",
            "namespaces",
            "selfsubjectaccessreviews",
        )
        if r.resource == "secrets" or not (r.namespace in ALLOWED_NAMESPACES or cluster_scoped_ok):
            bad.append(f"{r.method} {r.path}?{r.query}")
    return bad


def assert_no_crash(caplog: pytest.LogCaptureFixture) -> None:
    serious = [r for r in caplog.records if r.levelno >= logging.WARNING]
    texts = [caplog.text] + [r.getMessage() for r in serious]
    assert not any("Traceback" in t or "internal error" in t.lower() for t in texts), caplog.text[
        -3000:
    ]
    assert not [r for r in serious if r.exc_info], [r.getMessage() for r in serious]


async def test_escape_attempts_by_slash_command_get_one_answer_each_and_stay_in_the_sandbox(
    room: Room, caplog
):
    caplog.set_level(logging.WARNING)
    sent = await asyncio.gather(*(room.slash(text) for text in ESCAPES))
    answers = await asyncio.gather(
        *(room.standin.wait_for_responses(str(s.response_url), timeout=30) for s in sent)
    )
    await settle(0.5)
    for text, s, [answer] in zip(ESCAPES, sent, answers):
        assert len(room.standin.responses(str(s.response_url))) == 1, text
        assert text_of(answer).strip(), text
    assert cluster_escapes(room.emulator) == []
    assert_no_crash(caplog)


async def test_escape_attempts_by_mention_get_one_thread_answer_each(room: Room, caplog):
    caplog.set_level(logging.WARNING)
    asked = await asyncio.gather(*(room.mention(text) for text in ESCAPES))
    await settle(0.5)
    for text, message in zip(ESCAPES, asked):
        assert len(room.thread_answers(CHANNEL, message["ts"])) == 1, text
    assert cluster_escapes(room.emulator) == []
    assert_no_crash(caplog)


async def test_escape_attempts_in_the_dm_get_one_answer_each(room: Room, caplog):
    caplog.set_level(logging.WARNING)
    users = [f"U0H{i:04d}" for i in range(len(ESCAPES))]  # one DM each, so answers cannot mix
    asked = await asyncio.gather(
        *(room.direct(text, user=user) for text, user in zip(ESCAPES, users))
    )
    await settle(0.5)
    for text, message in zip(ESCAPES, asked):
        assert len(room.dm_answers_after(message["channel"], message["ts"])) == 1, text
    assert cluster_escapes(room.emulator) == []
    assert_no_crash(caplog)


async def test_refusals_name_the_reason(room: Room):
    for text, expected in (
        ("get pods -n kube-system", "outside the workshop"),
        ("get pods —namespace kube-system", "outside the workshop"),
        ("get pods -A", "namespace"),
        ("get pods --token x", "token"),
        ("get secrets", "Secret"),
        ("get pods,secrets", "Secret"),
        ("exec web-1 -- sh", "read-only"),
        ("port-forward pod/web-1 8080:80", "read-only"),
    ):
        assert expected.lower() in text_of(await room.ask(text)).lower(), text


async def test_sort_by_a_missing_or_unsortable_field_is_kubectls_error_not_an_internal_one(
    room: Room, caplog
):
    caplog.set_level(logging.WARNING)
    missing = text_of(await room.ask("get pods --sort-by=.spec.containers[0].env"))
    assert (
        "error: couldn't find any field with path '.spec.containers[0].env' in the list of objects"
        in missing
    )
    assert "error: field .metadata.labels is an unsortable type" in text_of(
        await room.ask("get pods --sort-by=.metadata.labels")
    )
    assert_no_crash(caplog)


async def test_exec_with_its_usual_flags_gets_the_read_only_answer(room: Room):
    assert "read-only" in text_of(await room.ask("exec -it web-1 -- sh")).lower()


WORDS = st.sampled_from(
    [
        "get",
        "describe",
        "logs",
        "auth",
        "can-i",
        "pods",
        "po",
        "secrets",
        "secret/db-credentials",
        "all",
        "deploy/nginx",
        "cm",
        "ns",
        "events",
        "-n",
        "--namespace",
        "-A",
        "--all-namespaces",
        "kube-system",
        "default",
        "sandbox",
        "ws-team",
        "-o",
        "yaml",
        "json",
        "wide",
        "jsonpath={..}",
        "-l",
        "app=nginx",
        "--sort-by",
        ".metadata.name",
        "--token",
        "--as",
        "-s",
        "--kubeconfig",
        "--",
        "-c",
        "--tail",
        "-1",
        "--since",
        "5m",
        "-p",
        "—n",
        "－ｎ",
        "−A",
        ";",
        "|",
        "&&",
        "$(id)",
        "`id`",
        "'",
        '"',
        "\\",
        "\n",
        "../",
    ]
)
GENERATED = st.lists(WORDS | st.text(max_size=12), min_size=0, max_size=12).map(" ".join)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=GENERATED)
async def test_generated_commands_get_exactly_one_answer_and_never_leave_the_sandbox(
    room: Room, text: str
):
    sent = await room.slash(text)
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=15)
    assert text_of(answer).strip()
    assert "internal error" not in text_of(answer).lower()
    assert len(room.standin.responses(str(sent.response_url))) == 1
    assert cluster_escapes(room.emulator) == []
