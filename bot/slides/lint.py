"""Deck checks: will every slide reach Slack intact? Pure apart from looking for image files.

Each slide is rendered the ways Podium shows it (live, browsing privately, history; with images
uploaded and not; with the buttons an exercise or the questions slide adds) and the blocks are
checked against Slack's Block Kit limits. Authoring mistakes Slack would not catch are checked
too: a slide without a heading, an image missing on disk or without alt text, a ```kubectl
command Podium would refuse, a `---` that became a heading instead of a slide break.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.messages.limits import (
    MAX_ACTION_ID,
    MAX_ACTIONS_ELEMENTS,
    MAX_ALT_TEXT,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_CONTEXT_ELEMENTS,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
)
from bot.messages.limits import (
    MAX_MESSAGE_BLOCKS as MAX_BLOCKS,
)
from bot.slides.deck import Deck, DeckError, Slide, load_deck, markdown_parser
from bot.slides.render import ControlMode, button, command_refusal, controls_for, render_slide

# Slack refuses messages well before its documented 40k: keep all block text under this.
BLOCKS_SIZE_BUDGET = 12_000
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif")
# A stand-in for an uploaded file, so image blocks are checked as Slack will receive them.
_UPLOADED = {"id": "F0000000000"}


@dataclass(frozen=True)
class Problem:
    path: Path
    slide: int | None  # None: the deck as a whole
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line else "")
        return (
            f"{where}: slide {self.slide}: {self.message}"
            if self.slide
            else f"{where}: {self.message}"
        )


def lint_paths(paths: Iterable[str | Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            deck = load_deck(path)
        except DeckError as error:
            problems.append(Problem(Path(path), None, str(error).removeprefix(f"{path}: ")))
            continue
        problems.extend(lint_deck(deck))
    return problems


def lint_deck(deck: Deck) -> list[Problem]:
    problems = [Problem(deck.path, None, message) for message in _deck_messages(deck)]
    for slide in deck.slides:
        problems.extend(
            Problem(deck.path, slide.number, message, slide.line)
            for message in _slide_messages(deck, slide)
        )
    return problems


def _deck_messages(deck: Deck) -> list[str]:
    messages = []
    for key in ("title", "author", "description"):
        if not str(deck.front_matter.get(key) or "").strip():
            messages.append(f"front matter has no `{key}:`")
    if not deck.slides or not any(s.markdown.strip() for s in deck.slides):
        messages.append("the deck has no slides")
    seen: dict[int, int] = {}
    for slide in deck.slides:
        if slide.exercise is not None:
            if slide.exercise in seen:
                messages.append(
                    f"exercise {slide.exercise} is on slides {seen[slide.exercise]} and {slide.number}"
                )
            seen.setdefault(slide.exercise, slide.number)
    return messages


def _slide_messages(deck: Deck, slide: Slide) -> list[str]:
    messages: list[str] = []
    if not slide.title:
        messages.append("no heading: the first `#` heading is the slide's title in Slack")
    elif len(slide.title) > MAX_HEADER_TEXT:
        messages.append(
            f"title is {len(slide.title)} characters; a Slack header holds {MAX_HEADER_TEXT}"
        )
    if "exercise" in slide.directives and slide.exercise is None:
        messages.append(f"`exercise: {slide.directives['exercise']}` must be a whole number")
    messages.extend(_markdown_messages(slide))
    messages.extend(_image_messages(deck, slide))
    for command in slide.commands:
        refusal = command_refusal(command)
        if refusal:
            messages.append(
                f"```kubectl command `{command}` would not run in Podium ({refusal}); "
                "put commands for a participant's own terminal in a ```sh fence"
            )
    if slide.exercise is not None:
        messages.extend(_exercise_command_messages(deck, slide))
    messages.extend(_rendering_messages(deck, slide))
    return list(dict.fromkeys(messages))


def _exercise_command_messages(deck: Deck, slide: Slide) -> list[str]:
    """A ▶ on an exercise slide reads the presser's own namespace only for commands written on
    exercise slides alone (bot/slides/catalogue.DeckCatalogue.exercise_commands): the same command on another
    slide would read the sandbox there, and here."""
    elsewhere = {c for s in deck.slides if s.exercise is None for c in s.commands}
    return [
        f"```kubectl command `{command}` is also on a slide that is not an exercise, so its ▶ here "
        "would read the sandbox, not the presser's namespace: write it differently on one of them "
        "(`get deploy/hello` for `get deploy hello`)"
        for command in slide.commands
        if command in elsewhere
    ]


def _markdown_messages(slide: Slide) -> list[str]:
    messages = []
    tokens = markdown_parser().parse(slide.markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.markup == "-":
            text = tokens[index + 1].content.split("\n")[-1]
            messages.append(
                f"the `---` under {text[:40]!r} makes that text a heading, not a new "
                "slide: leave a blank line before `---`"
            )
        elif token.type == "html_block":
            messages.append(
                f"HTML block {token.content.strip()[:40]!r} is not shown in Slack; "
                "write it in Markdown"
            )
    return messages


def _image_messages(deck: Deck, slide: Slide) -> list[str]:
    messages = []
    for image in slide.images:
        if not image.alt:
            messages.append(f"image {image.path} has no alt text: write what it shows in ![…]")
        if image.path.startswith(("http://", "https://")):
            continue  # Slack fetches public URLs itself
        if not image.path.lower().endswith(IMAGE_TYPES):
            messages.append(f"image {image.path}: Slack shows only {', '.join(IMAGE_TYPES)}")
        if not deck.image_file(image).is_file():
            messages.append(
                f"image {image.path} is not on disk (looked for {deck.image_file(image)})"
            )
    return messages


def _rendering_messages(deck: Deck, slide: Slide) -> list[str]:
    extra: list[dict[str, Any]] = []
    if slide.exercise is not None:
        extra.append(button("✅ Check my work", "exercise_check", f"{deck.key}:{slide.exercise}"))
    if slide.is_questions:
        extra.append(button("🙋 Ask a question", "questions_ask", deck.key))
    messages: list[str] = []
    for mode in ControlMode:
        for refs in ({}, {image.path: _UPLOADED for image in slide.images}):
            # As written (fit=False): Podium would cut a slide over the limits, lint says so.
            blocks = render_slide(
                deck,
                slide.number,
                image_refs=refs,
                extra_actions=extra,
                controls=controls_for(mode, deck, slide.number),
                fit=False,
            )
            messages.extend(f"{mode.value} view: {m}" for m in check_blocks(blocks))
    return messages


def check_blocks(blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Slack's Block Kit limits, as problems in words (empty: Slack will take the message)."""
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks; a message holds {MAX_BLOCKS}")
    action_ids: list[str] = []
    for index, block in enumerate(blocks, start=1):
        kind = block.get("type")
        where = f"block {index} ({kind})"
        if kind == "header":
            text = block.get("text", {})
            if text.get("type") != "plain_text":
                problems.append(f"{where}: header text must be plain_text")
            if len(text.get("text", "")) > MAX_HEADER_TEXT:
                problems.append(
                    f"{where}: {len(text['text'])} characters; a header holds {MAX_HEADER_TEXT}"
                )
        elif kind == "section":
            length = len(block.get("text", {}).get("text", ""))
            if length > MAX_SECTION_TEXT:
                problems.append(f"{where}: {length} characters; a section holds {MAX_SECTION_TEXT}")
            if length == 0:
                problems.append(f"{where}: empty text, which Slack refuses")
        elif kind == "context":
            if len(block.get("elements", [])) > MAX_CONTEXT_ELEMENTS:
                problems.append(
                    f"{where}: {len(block['elements'])} elements; a context holds {MAX_CONTEXT_ELEMENTS}"
                )
        elif kind == "actions":
            elements = block.get("elements", [])
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                problems.append(
                    f"{where}: {len(elements)} elements; an actions block holds {MAX_ACTIONS_ELEMENTS}"
                )
            for element in elements:
                problems.extend(f"{where}: {m}" for m in _check_element(element))
                action_ids.append(str(element.get("action_id", "")))
        elif kind == "image":
            alt = block.get("alt_text", "")
            if not alt or len(alt) > MAX_ALT_TEXT:
                problems.append(f"{where}: alt text must be 1–{MAX_ALT_TEXT} characters")
            if "image_url" not in block and "slack_file" not in block:
                problems.append(f"{where}: needs image_url or slack_file")
    duplicates = sorted({a for a in action_ids if action_ids.count(a) > 1})
    if duplicates:
        problems.append(f"action_id used twice in one message: {', '.join(duplicates)}")
    size = len(json.dumps(list(blocks), ensure_ascii=False))
    if size > BLOCKS_SIZE_BUDGET:
        problems.append(
            f"the blocks are {size:,} characters; Slack refuses messages near 13k, keep under {BLOCKS_SIZE_BUDGET:,}"
        )
    return problems


def _check_element(element: Mapping[str, Any]) -> list[str]:
    problems = []
    text = element.get("text", {}).get("text", "")
    if len(text) > MAX_BUTTON_TEXT:
        problems.append(
            f"button text {text[:20]!r}… is {len(text)} characters; Slack allows {MAX_BUTTON_TEXT}"
        )
    value = element.get("value", "")
    if len(value) > MAX_BUTTON_VALUE:
        problems.append(f"button value is {len(value)} characters; Slack allows {MAX_BUTTON_VALUE}")
    action_id = element.get("action_id", "")
    if not action_id or len(action_id) > MAX_ACTION_ID:
        problems.append(f"action_id must be 1–{MAX_ACTION_ID} characters")
    return problems
