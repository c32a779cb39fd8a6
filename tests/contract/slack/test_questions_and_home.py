"""Plain-words questions → a search term; the App Home view; the registry. Pure."""

from __future__ import annotations

import pytest

from bot.conversation.aliases import DEFAULT_ALIASES
from bot.conversation.help import help_text
from bot.conversation.questions import keywords, search_term
from bot.conversation.text_commands import TextCommands
from bot.messages.reply import Reply
from bot.slack.home import NO_PROGRESS_PROVIDER, DeckLine, HomeContent, LiveLine, home_view
from bot.slides.deck import default_slides_folder, load_decks
from podium_devkit.slack_api import block_errors

DECKS = load_decks(default_slides_folder())


@pytest.mark.parametrize(
    "question, term",
    [
        ("what is a replicaset?", "replicaset"),
        ("What's the difference between a Deployment and a ReplicaSet?", "replicaset"),
        ("what is etcd", "etcd"),
        ("what is a replica set", "replica set"),
        ("tell me about the control plane", "control plane"),
        ("zzyzx qwerty?", None),
        ("what is it?", None),
    ],
)
def test_search_term(question, term):
    assert search_term(DECKS, question) == term


def test_keywords_drop_words_that_name_no_topic():
    assert keywords("How do I see the logs of my pods?") == ["logs", "pods"]


def content(**changes) -> HomeContent:
    base = dict(
        decks=(DeckLine("kubernetes-101", "Kubernetes 101", 40),),
        live=(),
        namespaces=("sandbox", "ws-a"),
        commands=(),
        aliases=DEFAULT_ALIASES,
        progress=None,
    )
    return HomeContent(**{**base, **changes})


def view_text(view) -> str:
    return str(view["blocks"])


def test_home_view_without_progress_provider_says_so_and_invents_nothing():
    view = home_view(content())
    assert view["type"] == "home" and not block_errors(view["blocks"], 100)
    text = view_text(view)
    assert NO_PROGRESS_PROVIDER in text and "No presentation is live right now." in text
    assert "*Kubernetes 101* (`kubernetes-101`), 40 slides" in text
    assert "`sandbox`, `ws-a`" in text and "`kgp` = `get pods`" in text


def test_home_view_with_live_presentations_and_progress():
    live = tuple(LiveLine(f"C{i}", "Kubernetes <101>", 3, 40, "U0INSTRUCTOR") for i in range(15))
    view = home_view(content(live=live, progress="✅ Exercise 1"))
    assert not block_errors(view["blocks"], 100)
    text = view_text(view)
    assert "<#C0>: *Kubernetes &lt;101&gt;*, slide 3/40, presented by <@U0INSTRUCTOR>" in text
    assert "<#C10>" not in text  # at most ten
    assert "✅ Exercise 1" in text and NO_PROGRESS_PROVIDER not in text


async def test_registry_lists_commands_for_help_and_refuses_duplicates():
    commands = TextCommands()

    async def handler(user: str, channel: str, text: str) -> Reply:
        return Reply(text)

    commands.register("Exercise", handler, usage="exercise check 2", summary="check an exercise")
    with pytest.raises(ValueError):
        commands.register("exercise", handler, usage="x", summary="x")
    assert list(commands.commands) == ["exercise"]
    assert not commands.offers_questions and commands.progress is None
    assert "`@Podium exercise check 2`  check an exercise" in help_text(
        DEFAULT_ALIASES, commands.commands.values(), ("sandbox",)
    )
    assert (await commands.commands["exercise"].handler("U1", "D1", "check 2")).text == "check 2"
