import pytest

from bot.watch.labels import SelectorError, parse_selector


@pytest.mark.parametrize(
    "selector, labels, matches",
    [
        ("", {"app": "web"}, True),
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "web"}, True),
        ("app=web", {"app": "api"}, False),
        ("app=web", {}, False),
        ("app!=web", {"app": "api"}, True),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("app", {"app": "x"}, True),
        ("app", {"tier": "x"}, False),
        ("!canary", {"app": "web"}, True),
        ("!canary", {"canary": "yes"}, False),
        ("tier in (web, api)", {"tier": "api"}, True),
        ("tier in (web,api)", {"tier": "db"}, False),
        ("tier notin (web,api)", {"tier": "db"}, True),
        ("tier notin (web,api)", {}, True),
        ("app=web,tier in (a,b),!canary", {"app": "web", "tier": "b"}, True),
        ("app=web,tier in (a,b),!canary", {"app": "web", "tier": "b", "canary": "1"}, False),
        ("app.kubernetes.io/name=web", {"app.kubernetes.io/name": "web"}, True),
    ],
)
def test_selectors_match_as_the_api_server_does(selector, labels, matches):
    assert parse_selector(selector).matches(labels) is matches


@pytest.mark.parametrize(
    "selector",
    ["app=web,", "tier in (a,b", "tier in a,b)", "tier between (a)", "a=b=c", "x>3", "!", "a b c"],
)
def test_bad_selectors_are_refused_in_one_line(selector):
    with pytest.raises(SelectorError) as raised:
        parse_selector(selector)
    assert "\n" not in str(raised.value)


def test_a_long_selector_is_refused_without_scanning_it():
    with pytest.raises(SelectorError, match="longer than"):
        parse_selector("a=" + "b" * 10_000)
