"""Issue 12, item 1: every per-text pass over person- or cluster-supplied text is linear in its
input, whatever the input. The worst cases for a backtracking engine are repetitions of a
pattern's prefix that never complete a match (`eyJ-eyJ-…` cost the old patterns 18 s at 160 KB);
each is timed at n and 4n characters: linear time grows ~4×, quadratic ~16×. We allow 8× (plus a
little absolute slack for a busy CI machine) and an absolute bound. Hypothesis mixes the prefixes
into adversarial strings of its own.

The passes: redaction (`redact_text`, and `redact_credentials` with its line cap), structured
redaction of an object, Slack escaping and fitting (`escape_mrkdwn`, `code_block`, `fit_inline`),
the kubectl grammar and the @mention parser."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation.parsing import clean_text
from bot.kubectl import grammar
from bot.kubectl.printers.formats import go_yaml_resolve, sort_objects, to_json, to_yaml
from bot.kubectl.redact import redact_credentials, redact_object, redact_text
from bot.slack.output import code_block, escape_mrkdwn, fit_inline

SMALL = 10_000
GROWTH = 4
MAX_RATIO = 8.0  # linear is ~4, quadratic ~16
SLACK_SECONDS = 0.05  # scheduler noise on a shared machine, added to the allowed time
ABSOLUTE_SECONDS = 1.0  # for 40,000 characters of the worst input

# Each pattern's prefix (and near-misses of it), repeated: none of these ever completes a match
# the way a backtracking engine would need to give up on it.
ADVERSARIAL_UNITS = [
    "eyJ-",
    "eyJabcde.",
    "eyJabcde.eyJabcde.",
    "password=",
    "password= ",
    "DB_PASSWORD_",
    "key.",
    "a_",
    "://a:",
    "://:",
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN RSA ",
    "Authorization: Basic ",
    "Bearer ",
    "bearer\t",
    "ghp_",
    "github_pat_",
    "glpat-",
    "AKIA",
    "AIza",
    "xoxb-",
    "sk_live_",
    "sk-",
    "SG.",
    "hvs.",
    '"password":"',
    "'token': '",
    "token:=",
    "secret=>",
    "x=",
    ":",
    "@",
    "a",
    " ",
    "\t",
    "<",
    "<!--",
    "`",
    "```",
    "&",
    "<<",
    "<@",
    "--",
    "—",
    "-o=",
    "\u2212",
    "https://hooks.slack.com/services/",
]


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The least CPU time of this thread over `runs`: CPU time, not wall time, so a machine busy
    with other test workers does not count against the code being measured."""
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        work()
        best = min(best, time.thread_time() - started)
    return best


def assert_linear(process: Callable[[str], object], unit: str, *, small: int = SMALL) -> None:
    text_small = (unit * (small // len(unit) + 1))[:small]
    text_large = (unit * (small * GROWTH // len(unit) + 1))[: small * GROWTH]
    t_small = best_of(3, lambda: process(text_small))
    t_large = best_of(3, lambda: process(text_large))
    assert t_large < ABSOLUTE_SECONDS, f"{unit!r}×{len(text_large)}: {t_large:.3f}s"
    assert t_large <= MAX_RATIO * t_small + SLACK_SECONDS, (
        f"{unit!r}: {t_small * 1000:.1f} ms for {small:,} chars, {t_large * 1000:.1f} ms for {small * GROWTH:,}"
    )


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_redaction_patterns_are_linear_on_adversarial_repetitions(unit):
    assert_linear(redact_text, unit)


@pytest.mark.parametrize(
    "unit", ["eyJ-", "password=", "://a:", "-----BEGIN PRIVATE KEY-----", '"password":"']
)
def test_redaction_of_many_lines_and_of_objects_is_linear(unit):
    assert_linear(lambda text: redact_credentials("\n".join([text] * 4)), unit)
    assert_linear(
        lambda text: redact_object(
            {"metadata": {"annotations": {"a": text}}, "env": [{"name": "TOKEN", "value": text}]}
        ),
        unit,
    )


@pytest.mark.parametrize("unit", ["<", "&", "`", "```", "<!channel>", "a\n", "\n", "x" * 50])
def test_escaping_and_fitting_are_linear(unit):
    assert_linear(escape_mrkdwn, unit)
    assert_linear(code_block, unit)
    assert_linear(fit_inline, unit, small=50_000)


@pytest.mark.parametrize(
    "unit", ["get ", "-o=", "—", "\u2212", "--tail ", "'", '"', "\\", "<@U1>", "<", "<!--"]
)
def test_parsing_what_people_type_is_linear(unit):
    assert_linear(grammar.parse, unit)
    assert_linear(lambda text: clean_text(text, "U0PODIUMBOT"), unit)


def configmaps(value: str) -> list[dict]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"cm-{i}", "annotations": {"q": f"{value}{i}"}},
            "data": {"v": value},
        }
        for i in range(2)
    ]


@pytest.mark.parametrize(
    "unit", ["1", "1.", ".1", "1_", "1:", "-1", "1e", "2026-01-01", "0x", "0b1"]
)
def test_printing_cluster_values_is_linear(unit):
    """Cluster strings go through go-yaml's scalar resolution (quoting), -o json escaping and
    --sort-by's quantity comparison: `\\d+\\.?\\d*` there was quadratic on a long digit run."""
    assert_linear(lambda text: go_yaml_resolve(text + "x"), unit)
    assert_linear(
        lambda text: to_yaml(configmaps(text + "x"), single=False, plural="configmaps"), unit
    )
    assert_linear(
        lambda text: to_json(configmaps(text + "x"), single=False, plural="configmaps"), unit
    )
    assert_linear(
        lambda text: sort_objects(configmaps(text + "x"), ".metadata.annotations.q"), unit
    )


def test_one_megabyte_line_is_redacted_in_well_under_a_second():
    line = "eyJ-" * 250_000
    assert best_of(1, lambda: redact_credentials(line)) < ABSOLUTE_SECONDS


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(ADVERSARIAL_UNITS), min_size=1, max_size=4),
    st.text(alphabet="aZ09_-.:=@/ \"'", max_size=3),
)
def test_mixtures_of_prefixes_are_linear(units, filler):
    assert_linear(redact_text, "".join(units) + filler)
