import pytest

from bot.kubectl.fanout import planned_reads, too_many_reads_line
from bot.kubectl.grammar import parse
from bot.kubectl.policy import Policy, Refusal

POLICY = Policy(("sandbox",))


def reads(text: str) -> int:
    decision = POLICY.decide(parse(text))
    assert not isinstance(decision, Refusal), decision
    return planned_reads(decision)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("get pods", 1),
        ("get pod web-1", 1),
        ("get pods a b c", 3),
        ("get po,svc,ep,cm,deploy,rs,jobs,ev a b c", 24),  # kinds × names
        ("get pod/a svc/b", 2),
        ("get ns", 1),  # the workshop namespaces: bounded by configuration, not by what was typed
        ("describe pod web-1", 2),  # the pod and its events
        ("describe pods a b c", 3),  # events only for a single object
        ("describe deploy nginx", 3),  # + its ReplicaSets
        ("describe deploy a b", 4),
        ("describe pods", 2),
        ("logs web-1", 2),
        ("logs deploy/nginx", 3),
        (
            "logs -l app=nginx",
            2,
        ),  # the pod list and a first log; fetch_logs caps the rest (max_streams)
        ("auth can-i list pods", 1),
        ("help", 0),
    ],
)
def test_planned_reads_count_kinds_times_names(text, expected):
    assert reads(text) == expected


def test_the_attack_from_the_issue_is_counted_before_it_runs():
    names = " ".join(f"n{i}" for i in range(321))[:900]
    count = len(names.split())
    assert reads(f"get po,svc,ep,cm,deploy,rs,jobs,ev {names}") == 8 * count


def test_the_refusal_names_the_count_and_the_limit():
    assert too_many_reads_line(72, 20) == (
        "This asks for 72 reads; Podium allows 20 per command. Ask for fewer kinds or names."
    )
