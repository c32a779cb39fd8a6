"""Podium's App Home tab: what Podium is, how to ask it, the decks, what is live, your exercise
progress and the sandbox. Rebuilt and published each time someone opens the tab."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.help import alias_line, command_lines
from bot.conversation.text_commands import TextCommand, TextCommands
from bot.messages.blocks import context, section
from bot.messages.limits import MAX_HEADER_TEXT, MAX_SECTION_TEXT, MAX_TEXT_OBJECT, fit_text
from bot.messages.text import Mrkdwn, join, mrkdwn, safe
from bot.slack.workshop_command import access_button
from bot.slides.deck import Deck
from bot.store.presentations import PresentationStore

log = logging.getLogger(__name__)
# The tab is a glance, not an archive: a workshop has a room or two and a handful of decks.
LIVE_ROOMS_SHOWN = 10
DECKS_SHOWN = 30

Block = dict[str, Any]
NO_PROGRESS_PROVIDER = "Exercise progress appears here once the workshop's exercises are set up."


@dataclass(frozen=True)
class DeckLine:
    key: str
    title: str
    slides: int


@dataclass(frozen=True)
class LiveLine:
    channel_id: str
    title: str
    slide: int
    slides: int | None  # None when the deck is no longer installed
    presenter_id: str


@dataclass(frozen=True)
class HomeContent:
    decks: tuple[DeckLine, ...]
    live: tuple[LiveLine, ...]
    namespaces: tuple[str, ...]
    commands: tuple[TextCommand, ...]
    aliases: Mapping[str, str]
    progress: str | None  # mrkdwn from the exercises feature; None: no feature provides it
    access: bool = False  # kubectl access is on (PODIUM_ACCESS): show Get my kubectl access


def home_view(content: HomeContent) -> dict[str, Any]:
    """The `home` view to publish. Pure."""
    blocks: list[Block] = [
        _header("Podium"),
        _section(
            "Podium runs this Kubernetes workshop inside Slack. Ask the workshop cluster "
            "read-only kubectl questions, follow the course deck, and find the slides about "
            "anything you wonder about."
        ),
        _header("Ask Podium"),
        _section(
            "Mention `@Podium` in a channel or thread (it answers in the thread), or write to "
            "it in the *Messages* tab. `kubectl` or `k` in front is fine.\n"
            + join("\n", command_lines(content.commands))
        ),
        _context(
            mrkdwn(
                "{} A question in plain words finds the slides about it.",
                alias_line(content.aliases),
            )
        ),
        _section(
            "`/kubectl get pods` answers privately (with *Share in channel*); "
            "`/slides` presents the deck or pages through it on your own; "
            "`/workshop access` sends you a kubeconfig for your own namespace."
        ),
        _header("The sandbox"),
        _section(
            mrkdwn(
                "Commands run in {} (`{}` unless you say `-n`), read-only: Podium never changes the "
                "cluster and never reads Secrets.",
                join(", ", (mrkdwn("`{}`", n) for n in content.namespaces)),
                content.namespaces[0],
            )
        ),
    ]
    if content.access:
        blocks += [
            _header("Your own kubectl"),
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": fit_text(
                        safe(
                            mrkdwn(
                                "For the exercises in your own terminal: a kubeconfig for your namespace `{}`, sent to "
                                "your DM with Podium (also `/workshop access`).",
                                content.namespaces[-1],
                            )
                        ),
                        MAX_SECTION_TEXT,
                    ),
                },
                "accessory": access_button(),
            },
        ]
    blocks.append(_header("Live now"))
    if content.live:
        # Every live presentation, not only those in the viewer's channels: a workshop has few.
        blocks += [_section(_live_line(line)) for line in content.live[:LIVE_ROOMS_SHOWN]]
    else:
        blocks.append(_section("No presentation is live right now."))
    blocks.append(_header("Decks"))
    if content.decks:
        blocks.append(
            _section(
                mrkdwn(
                    "{}\n`@Podium slides browse DECK` pages through one in your DM.",
                    join(
                        "\n",
                        (
                            mrkdwn("• *{}* (`{}`), {} slides", d.title, d.key, d.slides)
                            for d in content.decks[:DECKS_SHOWN]
                        ),
                    ),
                )
            )
        )
    else:
        blocks.append(_section("No decks are installed."))
    blocks.append(_header("Your exercises"))
    blocks.append(
        _section(content.progress if content.progress is not None else NO_PROGRESS_PROVIDER)
    )
    return {"type": "home", "blocks": blocks}


def _live_line(line: LiveLine) -> Mrkdwn:
    of = f"/{line.slides}" if line.slides else ""
    return mrkdwn(
        "<#{}>: *{}*, slide {}{}, presented by <@{}>",
        line.channel_id,
        line.title,
        line.slide,
        of,
        line.presenter_id,
    )


def _header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": fit_text(safe(text), MAX_HEADER_TEXT, note=False)},
    }


def _section(text: str) -> Block:
    """`text`: Podium's own words or `Mrkdwn`; anything else is escaped."""
    return section(fit_text(safe(text or " "), MAX_SECTION_TEXT))


def _context(text: str) -> Block:
    return context(fit_text(safe(text), MAX_TEXT_OBJECT))


async def home_content(
    user_id: str,
    *,
    decks: Mapping[str, Deck],
    presentations: PresentationStore,
    commands: TextCommands,
    aliases: Mapping[str, str],
    namespaces: tuple[str, ...],
    access: bool = False,
) -> HomeContent:
    """Everything the tab shows, read now."""
    live = []
    for presentation in await presentations.all():
        deck = decks.get(presentation.deck_key)
        live.append(
            LiveLine(
                presentation.channel_id,
                deck.title if deck else presentation.deck_key,
                presentation.slide,
                len(deck.slides) if deck else None,
                presentation.presenter_id,
            )
        )
    progress: str | None = None
    if commands.progress is not None:
        try:
            progress = await commands.progress(user_id) or "You have not checked an exercise yet."
        except Exception:  # the rest of the tab is still worth showing
            log.exception("exercise progress for %s failed", user_id)
            progress = "Your progress cannot be shown right now."
    return HomeContent(
        decks=tuple(DeckLine(key, deck.title, len(deck.slides)) for key, deck in decks.items()),
        live=tuple(live),
        namespaces=namespaces,
        commands=tuple(commands.commands.values()),
        aliases=aliases,
        progress=progress,
        access=access,
    )


def register(
    app: AsyncApp,
    *,
    decks: Mapping[str, Deck],
    presentations: PresentationStore,
    commands: TextCommands,
    aliases: Mapping[str, str],
    namespaces: Callable[[str], tuple[str, ...]],
    access: bool = False,
) -> None:
    """`namespaces` gives the namespaces one person may read (each person sees their own)."""

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":  # the Messages tab opened: nothing to publish
            return
        user_id = str(event["user"])
        content = await home_content(
            user_id,
            decks=decks,
            presentations=presentations,
            commands=commands,
            aliases=aliases,
            namespaces=namespaces(user_id),
            access=access,
        )
        await client.views_publish(user_id=user_id, view=home_view(content))
