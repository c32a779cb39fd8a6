"""Answers → Slack messages. Pure: code blocks, fitting Slack's limits, buttons.

Everything that came from the cluster is escaped (`&`, `<`, `>`, controls made visible) before it
reaches Slack, also inside code blocks, which Slack still scans for `<!channel>` and `<@U…>`;
the markup built here is `Mrkdwn` (see bot/messages/text.py).
"""

from __future__ import annotations

from typing import Any

from bot.kubectl.answer import Answer
from bot.messages.blocks import context as _context
from bot.messages.blocks import section as _section
from bot.messages.limits import MAX_SECTION_TEXT, MAX_TEXT_OBJECT, fit_text
from bot.messages.text import Mrkdwn, code_block, escape_mrkdwn, inline_code, mrkdwn, safe
from bot.slack.button_values import fit_text_field

__all__ = [
    "Mrkdwn",
    "answer_message",
    "code_block",
    "escape_mrkdwn",
    "fit_inline",
    "inline_code",
    "mrkdwn",
    "needs_snippet",
    "share_actions",
    "share_button_value",
    "without_actions",
]

# Slack's section text limit (3,000 characters), with room for the fence.
INLINE_BUDGET = MAX_SECTION_TEXT - 100
# Keep the whole message well under the sizes at which Slack starts refusing messages.
NOTES_BUDGET = 1_500
SHARE_ACTION = "kubectl_share"
# The command a Share button carries to re-run it: with the key, the thread and the signature it
# stays within MAX_BUTTON_VALUE (2,000); fit_text_field shortens it further when it must.
SHARED_COMMAND_TEXT = 1_500
# The notification line (push, screen readers): the command line, never the whole answer.
FALLBACK_TEXT = 300


def fit_inline(text: str, budget: int = INLINE_BUDGET - 8) -> tuple[str, int]:
    """The longest head of whole lines within `budget` escaped characters, and how many lines
    were not (fully) shown. Never cuts silently: the caller says how much is missing."""
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = len(escape_mrkdwn(line).replace("```", "`\u200b``")) + 1
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    if not kept and lines:  # one enormous first line: show its head; it counts as not shown
        head, used = [], 0
        for char in lines[0]:
            used += len(escape_mrkdwn(char)) + 1  # +1 covers a zero-width space after a backtick
            if used > budget:
                break
            head.append(char)
        return "".join(head), len(lines)
    return "\n".join(kept), len(lines) - len(kept)


def needs_snippet(answer: Answer) -> bool:
    return answer.preformatted and fit_inline(answer.body)[1] > 0


def share_button_value(
    key: str, text: str, *, signing_key: bytes, thread_ts: str | None = None
) -> str:
    """What the Share button carries: the cached answer's key (also the button's identity: it
    shares once), the command to re-run if the cache no longer has it (after a restart), and the
    thread to share into (a slide's, for Run in sandbox), signed so that a hand-made value is
    refused. Slack allows 2,000 characters."""
    fields = {"k": key, "t": text[:SHARED_COMMAND_TEXT]}
    if thread_ts:
        fields["th"] = thread_ts
    return fit_text_field(signing_key, SHARE_ACTION, fields, "t")


def share_actions(share_value: str) -> dict[str, Any]:
    """The actions block with the Share in channel button."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": share_value,
            }
        ],
    }


def answer_message(
    answer: Answer,
    *,
    response_type: str = "ephemeral",
    share_value: str | None = None,
    snippet_where: str | None = None,
    shared_by: str | None = None,
) -> dict[str, Any]:
    """The payload for respond() / chat.postMessage: blocks plus a plain-text fallback.

    `snippet_where` says where the full text went when the output is longer than a message;
    `shared_by` (a user ID) attributes output posted in the channel.
    """
    blocks: list[dict[str, Any]] = []
    if answer.command_line:
        header = inline_code(answer.command_line)
        if shared_by:
            header = mrkdwn("<@{}> ran {}", shared_by, header)
        blocks.append(_context(fit_text(header, MAX_TEXT_OBJECT)))
    if answer.preformatted:
        shown, left_out = fit_inline(answer.body)
        blocks.append(_section(code_block(shown)))
        if left_out:
            where = mrkdwn(" The full output is {}.", snippet_where) if snippet_where else ""
            blocks.append(
                _context(
                    mrkdwn(
                        "… {} more line{} not shown here.{}",
                        left_out,
                        "s" if left_out != 1 else "",
                        where,
                    )
                )
            )
    else:
        icon = "" if answer.ok else ":no_entry_sign: "
        # Usage errors echo what was typed, which may be long: escaped, then cut with a note.
        blocks.append(
            _section(fit_text(Mrkdwn(icon + escape_mrkdwn(answer.body)), MAX_SECTION_TEXT))
        )
    notes = "\n".join(answer.notes)
    if notes:
        blocks.append(_context(fit_text(safe(notes), NOTES_BUDGET)))
    if answer.hint:
        blocks.append(_context(fit_text(safe(answer.hint), MAX_TEXT_OBJECT)))
    if share_value and answer.shareable:
        blocks.append(share_actions(share_value))
    fallback = answer.command_line or answer.body.split("\n", 1)[0]
    return {
        "response_type": response_type,
        "text": safe(fallback[:FALLBACK_TEXT]),
        "blocks": blocks,
    }


def without_actions(message: dict[str, Any], note: str) -> dict[str, Any]:
    """The same message with its buttons replaced by a short note (after Share was pressed)."""
    blocks = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
    return {"text": message.get("text", ""), "blocks": [*blocks, _context(note)]}
