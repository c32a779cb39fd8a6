from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium_devkit.kube_selectors import (
    Requirement,
    SelectorError,
    compile_field_selector,
    parse_field_selector,
    parse_label_selector,
    selector_from_match,
)

LABELS = {"app": "nginx", "tier": "web", "env": "prod"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", True),
        ("app=nginx", True),
        ("app==nginx", True),
        ("app!=nginx", False),
        ("app!=redis", True),
        ("missing!=x", True),  # absent labels satisfy negative requirements
        ("app in (nginx, redis)", True),
        ("app in (redis)", False),
        ("app notin (redis,db)", True),
        ("missing notin (x)", True),
        ("app notin (nginx)", False),
        ("app", True),
        ("missing", False),
        ("!missing", True),
        ("!app", False),
        ("app=nginx,tier=web", True),
        ("app=nginx, tier=db", False),
        ("  app = nginx , env in (prod,staging) , !canary ", True),
        ("missing=", False),
        ("example.com/team", False),
    ],
)
def test_label_selector_matching(selector: str, expected: bool) -> None:
    assert parse_label_selector(selector).matches(LABELS) is expected


def test_empty_value_matches_empty_label() -> None:
    assert parse_label_selector("flag=").matches({"flag": ""})
    assert parse_label_selector("flag in (,x)").matches({"flag": ""})


def test_parsed_requirements() -> None:
    selector = parse_label_selector("app in (a,b),!x,tier!=db,y,n>3")
    assert selector.requirements == (
        Requirement("app", "in", ("a", "b")),
        Requirement("x", "!"),
        Requirement("tier", "!=", ("db",)),
        Requirement("y", "exists"),
        Requirement("n", "gt", ("3",)),
    )
    assert str(selector) == "app in (a,b),!x,tier!=db,y,n>3"


@pytest.mark.parametrize(
    "selector",
    ["app=(", "app in nginx", "app in ()", "=nginx", "app=nginx,", "app=a b", "app nginx", "bad key=x", "app=a=b",
     "-app=x", "app=" + "x" * 64, "app>x", ",app"],
)  # fmt: skip
def test_invalid_label_selectors(selector: str) -> None:
    with pytest.raises(SelectorError):
        parse_label_selector(selector)


def test_selector_from_match_labels_and_expressions() -> None:
    selector = selector_from_match(
        {
            "matchLabels": {"app": "nginx"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
        }
    )
    assert selector.matches(LABELS)
    assert not selector.matches({"app": "nginx", "env": "dev"})


_label_value = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(
    st.dictionaries(st.sampled_from(["app", "tier", "env", "team"]), _label_value, max_size=4),
    _label_value,
)
def test_equality_and_inequality_are_complements(labels: dict[str, str], value: str) -> None:
    equal = parse_label_selector(f"app={value}").matches(labels)
    unequal = parse_label_selector(f"app!={value}").matches(labels)
    assert equal != unequal
    assert parse_label_selector(f"app in ({value})").matches(labels) == equal


def test_field_selector_parsing_and_escapes() -> None:
    selector = parse_field_selector(r"metadata.name=a\,b,status.phase!=Failed,spec.nodeName==n1")
    assert [(r.field, r.operator, r.value) for r in selector.requirements] == [
        ("metadata.name", "=", "a,b"),
        ("status.phase", "!=", "Failed"),
        ("spec.nodeName", "==", "n1"),
    ]


@pytest.mark.parametrize("selector", ["metadata.name", "metadata.name=a\\x"])
def test_invalid_field_selectors(selector: str) -> None:
    with pytest.raises(SelectorError):
        parse_field_selector(selector)


def test_field_selectors_per_resource() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "sandbox"},
        "spec": {"nodeName": "n1"},
        "status": {"phase": "Running"},
    }
    assert compile_field_selector("pods", "status.phase=Running,spec.nodeName=n1")(pod)
    assert not compile_field_selector("pods", "status.phase!=Running")(pod)
    assert compile_field_selector("pods", "metadata.namespace=sandbox,metadata.name=p")(pod)
    event = {
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "s", "uid": "u"},
    }
    assert compile_field_selector(
        "events",
        "involvedObject.kind=Pod,involvedObject.name=p,involvedObject.namespace=s,involvedObject.uid=u",
    )(event)
    with pytest.raises(SelectorError, match=r"field label not supported: status\.phase"):
        compile_field_selector("services", "status.phase=Running")
    with pytest.raises(SelectorError, match="field label not supported"):
        compile_field_selector("pods", "spec.containers=x")
