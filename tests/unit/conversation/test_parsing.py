"""Mention and DM text → what Podium does with it; aliases; which events are answered. Pure."""

from __future__ import annotations

import pytest

from bot.conversation.aliases import DEFAULT_ALIASES, AliasError, alias_table, expand, parse_aliases
from bot.conversation.events import event_key, reply_thread, should_answer
from bot.conversation.parsing import Help, Kubectl, Question, TextCommand, clean_text, understand

BOT = "U0PODIUMBOT"


def read(text: str, aliases=DEFAULT_ALIASES, commands=("slides", "ask")):
    return understand(text, bot_user_id=BOT, aliases=aliases, commands=commands)


@pytest.mark.parametrize(
    "text, intent",
    [
        (f"<@{BOT}> get pods -n sandbox", Kubectl("get pods -n sandbox")),
        (f"<@{BOT}|podium>: logs deploy/web --tail 20", Kubectl("logs deploy/web --tail 20")),
        (f"<@{BOT}> describe svc web", Kubectl("describe svc web")),
        (f"<@{BOT}> kubectl get pods", Kubectl("get pods")),
        (f"<@{BOT}> k get pods", Kubectl("get pods")),
        (f"<@{BOT}> kgp -o wide", Kubectl("get pods -o wide")),
        (f"<@{BOT}> KGD", Kubectl("get deployments")),
        (f"<@{BOT}> kl deploy/nginx", Kubectl("logs deploy/nginx")),
        ("get pods", Kubectl("get pods")),  # a DM has no mention
        ("get pods -l app=nginx &amp;&amp; x", Kubectl("get pods -l app=nginx && x")),
        (
            f"<@{BOT}> delete pod nginx",
            Kubectl("delete pod nginx"),
        ),  # refused by the policy, not a question
        (f"get pods <@{BOT}>", Kubectl("get pods")),
        (f"<@{BOT}> `get pods`", Kubectl("get pods")),
        (f"<@{BOT}> ```get pods```", Kubectl("get pods")),
        (f"<@{BOT}> logs <http://web.sandbox|web.sandbox>", Kubectl("logs web.sandbox")),
        (f"<@{BOT}>", Help()),
        (f"<@{BOT}> help", Help()),
        ("help me", Help()),
        (f"<@{BOT}> slides search etcd", TextCommand("slides", "search etcd")),
        ("Slides list", TextCommand("slides", "list")),
        ("ask why is it pending?", TextCommand("ask", "why is it pending?")),
        (f"<@{BOT}> what is a replicaset?", Question("what is a replicaset?")),
        ("explain pods?", Question("explain pods?")),
        (f"<@{BOT}> can <@U0BOB> see my pods", Question("can <@U0BOB> see my pods")),
        ("exercise check 2", Question("exercise check 2")),  # not registered (yet): plain words
    ],
)
def test_understand(text, intent):
    assert read(text) == intent


def test_clean_text_keeps_other_mentions_and_unwraps_links():
    assert (
        clean_text(f"<@{BOT}> ping <@U0BOB> in <#C1|general> <https://x.io/a|x.io>", BOT)
        == "ping <@U0BOB> in <#C1|general> x.io"
    )
    assert clean_text("<mailto:a@b.c|a@b.c>", BOT) == "a@b.c"


def test_aliases_are_expanded_once_and_only_in_first_position():
    table = {"kgp": "get pods", "x": "kgp"}
    assert expand(["x"], table) == ["kgp"]
    assert expand(["get", "kgp"], table) == ["get", "kgp"]
    assert read("x", aliases=table) == Question("x")


def test_alias_table_overrides_and_removes_defaults():
    table = alias_table([("kgp", "get pods -o wide"), ("kd", ""), ("kgn", "get namespaces")])
    assert table["kgp"] == "get pods -o wide" and table["kgn"] == "get namespaces"
    assert "kd" not in table and table["k"] == "kubectl"


@pytest.mark.parametrize(
    "text", ["kgp", "get=get pods", "kgp=a;kgp=b", "bad name=x", "kubectl=get", "k1=" + "x" * 201]
)
def test_bad_alias_entries(text):
    with pytest.raises(AliasError):
        parse_aliases(text)


def test_alias_entries_separated_by_semicolons_or_lines():
    assert parse_aliases(" kgp = get   pods ;\nkgn=get namespaces;; ") == (
        ("kgp", "get pods"),
        ("kgn", "get namespaces"),
    )


def mention_event(**fields):
    return {
        "type": "app_mention",
        "user": "U0ALICE",
        "channel": "C1",
        "ts": "1.1",
        "text": "x",
        **fields,
    }


def dm_event(**fields):
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U0ALICE",
        "channel": "D1",
        "ts": "1.1",
        **fields,
    }


@pytest.mark.parametrize(
    "event, kind, answered",
    [
        (mention_event(), "mention", True),
        (dm_event(), "dm", True),
        (dm_event(subtype="thread_broadcast"), "dm", True),
        (mention_event(user=BOT), "mention", False),  # Podium's own message
        (dm_event(user=BOT, bot_id="B0PODIUM"), "dm", False),
        (dm_event(bot_id="B0OTHER"), "dm", False),  # another bot
        (dm_event(subtype="bot_message", user=None, bot_id="B0OTHER"), "dm", False),
        (dm_event(subtype="message_changed"), "dm", False),
        (dm_event(subtype="message_deleted"), "dm", False),
        (dm_event(subtype="channel_join"), "dm", False),
        (dm_event(channel_type="channel", channel="C1"), "dm", False),  # not a DM
        (
            mention_event(channel="D1"),
            "mention",
            False,
        ),  # a mention in a DM: its message.im is answered
        (mention_event(user=None), "mention", False),
    ],
)
def test_should_answer(event, kind, answered):
    assert should_answer(event, kind=kind, bot_user_id=BOT) is answered


def test_reply_thread():
    assert reply_thread(mention_event(), kind="mention") == "1.1"
    assert reply_thread(mention_event(thread_ts="0.5"), kind="mention") == "0.5"
    assert reply_thread(dm_event(), kind="dm") is None
    assert reply_thread(dm_event(thread_ts="0.5"), kind="dm") == "0.5"


def test_event_key_is_the_event_id():
    assert event_key({"event_id": "Ev1", "event": mention_event()}) == "Ev1"
    assert event_key({"event": mention_event()}) == "C1:1.1"
