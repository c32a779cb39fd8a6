"""Who may read which namespace (bot/kubectl/access.py): a pure function of the settings and the
asker, tested directly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.kubectl.access import NamespaceAccess, participant_namespace
from bot.kubectl.grammar import parse
from bot.kubectl.policy import (
    DescribeRequest,
    GetRequest,
    LogsRequest,
    Refusal,
    participant_pattern,
)
from bot.settings import load_settings

ACCESS = NamespaceAccess.from_settings(
    load_settings(
        {
            "PODIUM_NAMESPACES": "team-shared,ws-u0alice,ws-u0bob",
            "PODIUM_INSTRUCTORS": "U0TEACH",
        }
    )
)


@pytest.mark.parametrize(
    ("template", "yes", "no"),
    [
        (
            "ws-{user}",
            ["ws-u0alice", "ws-w0xyz9"],
            ["ws-team", "ws-u0gone-admin", "ws-", "xws-u0alice", "sandbox"],
        ),
        ("{user}-lab", ["u0alice-lab"], ["alice-lab", "u0alice-lab-2"]),
        ("k8s101-{user}", ["k8s101-u012ab3cd"], ["ws-u012ab3cd"]),
    ],
)
def test_the_participant_namespace_shape(template: str, yes: list[str], no: list[str]) -> None:
    pattern = participant_pattern(template)
    assert all(pattern.fullmatch(ns) for ns in yes), yes
    assert not any(pattern.fullmatch(ns) for ns in no), no
    assert pattern.fullmatch(participant_namespace(template, "U0CAROL"))


def test_a_participant_reads_the_sandbox_the_shared_ones_and_their_own_only() -> None:
    assert ACCESS.namespaces_for("U0ALICE") == ("sandbox", "team-shared", "ws-u0alice")
    assert ACCESS.namespaces_for("U0BOB") == ("sandbox", "team-shared", "ws-u0bob")
    # Someone not listed anywhere still reads their own namespace: no setting needed.
    assert ACCESS.namespaces_for("U0CAROL") == ("sandbox", "team-shared", "ws-u0carol")
    assert ACCESS.namespaces_for(None) == ("sandbox", "team-shared")
    alice = ACCESS.policy_for("U0ALICE")
    assert (
        not alice.may_read("ws-u0bob")
        and not alice.may_read("podium")
        and alice.may_read("ws-u0alice")
    )


def test_an_instructor_reads_every_participants_namespace_but_nothing_else() -> None:
    teacher = ACCESS.policy_for("U0TEACH")
    assert teacher.allowed_namespaces == (
        "sandbox",
        "team-shared",
        "ws-u0alice",
        "ws-u0bob",
        "ws-u0teach",
    )
    assert teacher.may_read("ws-u0zed")
    assert not teacher.may_read("podium") and not teacher.may_read("kube-system")
    assert not teacher.may_read("ws-u0gone-admin")


@pytest.mark.parametrize(
    "text",
    [
        "get cm -n ws-u0bob",
        "describe ns ws-u0bob",
        "get ns ws-u0bob",
        "logs app -n ws-u0bob",
        "get pods -A",
    ],
)
def test_the_refusal_names_what_the_asker_may_use(text: str) -> None:
    refusal = ACCESS.policy_for("U0ALICE").decide(parse(text))
    assert isinstance(refusal, Refusal)
    assert "`sandbox`, `team-shared`, `ws-u0alice`" in refusal.message
    assert "ws-u0bob`," not in refusal.message and "any participant" not in refusal.message


def test_an_instructors_refusal_says_they_may_read_any_participants() -> None:
    refusal = ACCESS.policy_for("U0TEACH").decide(parse("get pods -n podium"))
    assert isinstance(refusal, Refusal) and "any participant's (`ws-u0…`)" in refusal.message


def test_get_ns_lists_what_the_asker_may_read_and_only_get_ns_carries_the_list() -> None:
    listed = ACCESS.policy_for("U0ALICE").decide(parse("get ns"))
    assert isinstance(listed, GetRequest)
    assert listed.listed_namespaces == ("sandbox", "team-shared", "ws-u0alice")
    # Everyone's `get pods` is the same request, so the room's identical reads are shared.
    assert ACCESS.policy_for("U0ALICE").decide(parse("get pods")) == ACCESS.policy_for(
        "U0BOB"
    ).decide(parse("get pods"))


# Property: whatever a participant types, every namespace a decision would read is one they may
# read, and never another participant's.


_WORDS = st.sampled_from(
    [
        "get",
        "describe",
        "logs",
        "auth",
        "can-i",
        "list",
        "pods",
        "ns",
        "namespaces",
        "cm",
        "all",
        "app",
        "-n",
        "--namespace",
        "-A",
        "ws-u0alice",
        "ws-u0bob",
        "ws-u0zed",
        "team-shared",
        "sandbox",
        "podium",
        "ns/ws-u0bob",
        "namespace/ws-u0alice",
        "-o",
        "yaml",
        "ns,pods",
        "--namespace=ws-u0bob",
        "-n=ws-u0bob",
    ]
)


def _read_namespaces(decision: object) -> set[str]:
    if isinstance(decision, GetRequest):
        named = {
            n for kind, names in decision.targets if kind.plural == "namespaces" for n in names
        }
        return {decision.namespace} | named | set(decision.listed_namespaces)
    if isinstance(decision, DescribeRequest):
        return {decision.namespace} | (
            set(decision.names) if decision.kind.plural == "namespaces" else set()
        )
    if isinstance(decision, LogsRequest):
        return {decision.namespace}
    return (
        {getattr(decision, "namespace", "sandbox")} if not isinstance(decision, Refusal) else set()
    )


@given(
    st.sampled_from(["U0ALICE", "U0BOB", "U0TEACH"]),
    st.lists(_WORDS, min_size=1, max_size=7).map(" ".join),
)
@hypothesis_settings(max_examples=500, deadline=None)
def test_no_decision_reads_beyond_what_the_asker_may_read(user: str, text: str) -> None:
    policy = ACCESS.policy_for(user)
    read = _read_namespaces(policy.decide(parse(text)))
    assert all(policy.may_read(ns) for ns in read), (user, text, read)
    if user != "U0TEACH":
        others = {ns for ns in read if participant_pattern("ws-{user}").fullmatch(ns)}
        assert others <= {ACCESS.own_namespace(user)}, (user, text, others)


def test_write_hints_point_participants_at_their_own_namespace_and_instructors_at_the_sandbox():
    # A participant's own work is in their namespace; an instructor's demo is in the sandbox,
    # where their `/kubectl` reads by default. Nobody signed in: the sandbox too.
    def hint(user: str | None) -> str | None:
        refusal = ACCESS.policy_for(user).decide(parse("scale deploy web --replicas=0"))
        assert isinstance(refusal, Refusal)
        return refusal.hint

    assert (
        hint("U0ALICE")
        == "Run it in your own terminal: `kubectl scale deploy web --replicas=0 -n ws-u0alice`"
    )
    assert (
        hint("U0TEACH")
        == "Run it in your own terminal: `kubectl scale deploy web --replicas=0 -n sandbox`"
    )
    assert (
        hint(None)
        == "Run it in your own terminal: `kubectl scale deploy web --replicas=0 -n sandbox`"
    )
    assert (ACCESS.work_namespace("U0ALICE"), ACCESS.work_namespace("U0TEACH")) == (
        "ws-u0alice",
        None,
    )
