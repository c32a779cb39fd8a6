"""Property: whatever anyone types, the answer is an allowed request or a refusal; never an
exception, never a namespace outside the allowlist, never a Secret."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kubectl.grammar import parse
from bot.kubectl.policy import (
    AccessReviewRequest,
    DescribeRequest,
    GetRequest,
    HelpRequest,
    LogsRequest,
    Policy,
    Refusal,
)

POLICY = Policy(("sandbox", "ws-alice"))

WORDS = st.sampled_from(
    [
        "get",
        "pods",
        "po",
        "pod/x",
        "secrets",
        "secret",
        "-n",
        "--namespace",
        "kube-system",
        "sandbox",
        "ws-alice",
        "-A",
        "--all-namespaces",
        "-l",
        "app=web",
        "-o",
        "wide",
        "yaml",
        "--token",
        "abc",
        "--as",
        "--context",
        "=",
        "-n=kube-system",
        "--namespace=default",
        "delete",
        "exec",
        "--",
        "$(id)",
        "`id`",
        "'",
        '"',
        "\u2014namespace",
        "\u2212n",
        "&lt;!channel&gt;",
        "<@U123>",
        "\x00",
        "\u00a0",
        "describe",
        "logs",
        "auth",
        "can-i",
        "deploy/web",
        "ns",
        "all",
        "svc,secrets",
        "-c",
        "--tail",
        "-1",
        "--since",
        "5m",
        "-f",
        "--sort-by",
        ".metadata.name",
        "--show-labels",
        "default",
    ]
)


def expect_allowed_or_refused(text: str) -> None:
    decision = POLICY.decide(parse(text))
    assert isinstance(
        decision,
        (GetRequest, DescribeRequest, LogsRequest, AccessReviewRequest, HelpRequest, Refusal),
    )
    if not isinstance(decision, (HelpRequest, Refusal)):
        assert decision.namespace in POLICY.allowed_namespaces
    if isinstance(decision, GetRequest):
        for kind, names in decision.targets:
            assert kind.plural != "secrets"
            if kind.plural == "namespaces":
                assert set(names) <= set(POLICY.allowed_namespaces)
    if isinstance(decision, DescribeRequest):
        assert decision.kind.plural != "secrets"
    if isinstance(decision, Refusal):
        assert decision.message and "\n" not in decision.message


@given(st.lists(WORDS, max_size=8).map(" ".join))
@settings(max_examples=400, deadline=None)
def test_kubectl_like_word_salad(text):
    expect_allowed_or_refused(text)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text(text):
    expect_allowed_or_refused(text)


def test_a_line_break_inside_a_typed_word_stays_out_of_the_one_line_refusal():
    # Found by test_arbitrary_text: a backslash-newline (or a quoted one) keeps a line break in the word.
    cases = {
        "\\\n0": 'unknown command "0" for "kubectl"',
        "get --'a\nb'": "unknown flag: --a b",
        "'x\ty'": 'unknown command "x y" for "kubectl"',
    }
    for text, message in cases.items():
        expect_allowed_or_refused(text)
        decision = POLICY.decide(parse(text))
        assert isinstance(decision, Refusal) and decision.message == message
