"""Questions → Slack blocks and `/ask` text → a question. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.messages.blocks import button as _button
from bot.messages.blocks import context as _context
from bot.messages.blocks import section as _section
from bot.messages.limits import MAX_SECTION_TEXT, fit_text
from bot.messages.text import Mrkdwn, join, mrkdwn
from bot.store.questions import Question

UPVOTE_ACTION = "questions_upvote"
ANSWERED_ACTION = "questions_answered"
HIDE_ACTION = "questions_hide"
ASK_ACTION = "questions_ask"  # the "Ask a question" button on slides: opens a dialog
ASK_DIALOG = "questions_ask_dialog"
OFFER_ACTION = "questions_offer"  # "Ask the instructor" under a plain-words answer
MAX_QUESTION = 1_000
# A question as one line (a notification, the top questions on a slide) and in full-ish (the queue,
# a DM to the instructors): the thread keeps every question whole.
SHORT_QUESTION = 200
LONG_QUESTION = 500
# 3 blocks each: well inside the 50-block limit of a message.
QUEUE_SHOWN = 15

SlideTitle = Callable[[str | None, int | None], str | None]


@dataclass(frozen=True)
class AskText:
    text: str
    anonymous: bool


@dataclass(frozen=True)
class AskError:
    message: str


def parse_ask(text: str) -> AskText | AskError:
    """`/ask [--anon] QUESTION`: the flag may stand anywhere, the rest is the question."""
    words = text.split()
    anonymous = any(w in ("--anon", "--anonymous", "-a") for w in words)
    question = " ".join(w for w in words if w not in ("--anon", "--anonymous", "-a")).strip()
    if not question:
        return AskError(
            "What is your question? For example `/ask Why does a Deployment need a ReplicaSet?` "
            "(add `--anon` to ask anonymously)."
        )
    if len(question) > MAX_QUESTION:
        return AskError(
            f"That question is {len(question):,} characters; keep it under {MAX_QUESTION:,}."
        )
    return AskText(question, anonymous)


def _origin(question: Question, slide_title: SlideTitle) -> Mrkdwn:
    who = "anonymous" if question.anonymous else mrkdwn("<@{}>", question.user_id)
    where: object = ""
    if question.slide is not None:
        title = slide_title(question.deck_key, question.slide)
        where = mrkdwn(" on slide {}{}", question.slide, mrkdwn(" · {}", title) if title else "")
    return mrkdwn("*Q{}* · asked by {}{}", question.id, who, where)


def _votes(count: int) -> str:
    return f":arrow_up_small: {count} vote{'s' if count != 1 else ''}"


def question_message(question: Question, slide_title: SlideTitle) -> dict[str, Any]:
    """The question as posted in the questions thread, with its Upvote button."""
    quoted = join("\n", (mrkdwn("> {}", line) for line in question.text.splitlines() or [""]))
    status = {"answered": " · :white_check_mark: answered", "hidden": ""}.get(question.status, "")
    if question.status == "hidden":
        return {
            "text": f"Q{question.id} was hidden by the instructor.",
            "blocks": [_context(f"*Q{question.id}* was hidden by the instructor.")],
        }
    blocks: list[dict[str, Any]] = [
        _section(
            fit_text(mrkdwn("{}\n{}", _origin(question, slide_title), quoted), MAX_SECTION_TEXT)
        ),
        _context(_votes(question.votes) + status),
    ]
    if question.status == "open":
        blocks.append(
            {"type": "actions", "elements": [_button("▲ Upvote", UPVOTE_ACTION, str(question.id))]}
        )
    return {
        "text": mrkdwn("Q{}: {}", question.id, question.text[:SHORT_QUESTION]),
        "blocks": blocks,
    }


def queue_blocks(questions: list[Question], slide_title: SlideTitle) -> list[dict[str, Any]]:
    """`/questions` for the instructor: open questions by votes, with Answered / Hide buttons."""
    if not questions:
        return [_section("No open questions in this channel.")]
    blocks: list[dict[str, Any]] = [
        _section(
            f"*{len(questions)} open question{'s' if len(questions) != 1 else ''}*, "
            "most votes first:"
        )
    ]
    for question in questions[:QUEUE_SHOWN]:
        blocks.append(
            _section(
                fit_text(
                    mrkdwn(
                        "{} · {}\n> {}",
                        _origin(question, slide_title),
                        _votes(question.votes),
                        question.text[:LONG_QUESTION],
                    ),
                    MAX_SECTION_TEXT,
                )
            )
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _button("Mark answered", ANSWERED_ACTION, str(question.id), style="primary"),
                    _button("Hide", HIDE_ACTION, str(question.id)),
                ],
            }
        )
    if len(questions) > 15:
        blocks.append(_context(f"… and {len(questions) - 15} more with fewer votes."))
    return blocks


def top_questions_blocks(questions: list[Question], limit: int = 5) -> list[dict[str, Any]]:
    """What the "Any questions?" slide shows: the top open questions of the room."""
    if not questions:
        return [_context("No open questions yet: `/ask` one, or press *Ask a question*.")]
    lines = [
        mrkdwn("{}. {} ({})", i, q.text[:SHORT_QUESTION], _votes(q.votes))
        for i, q in enumerate(questions[:limit], 1)
    ]
    return [
        _section(fit_text(mrkdwn("*Top open questions*\n{}", join("\n", lines)), MAX_SECTION_TEXT))
    ]


def ask_button() -> dict[str, Any]:
    return _button("Ask a question", ASK_ACTION, "ask")


def ask_dialog() -> dict[str, Any]:
    """The modal behind "Ask a question" on a slide."""
    return {
        "type": "modal",
        "callback_id": ASK_DIALOG,
        "title": {"type": "plain_text", "text": "Ask the instructor"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "question",
                "label": {"type": "plain_text", "text": "Your question"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": MAX_QUESTION,
                },
            },
            {
                "type": "input",
                "block_id": "anonymous",
                "optional": True,
                "label": {"type": "plain_text", "text": "Anonymous"},
                "element": {
                    "type": "checkboxes",
                    "action_id": "anon",
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": "Ask without my name"},
                            "value": "anon",
                        }
                    ],
                },
            },
        ],
    }
