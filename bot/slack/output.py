"""Answers → Slack messages. Pure: escaping, code blocks, fitting Slack's limits.

Everything that came from the cluster is escaped (`&`, `<`, `>`) before it reaches Slack, also
inside code blocks, which Slack still scans for `<!channel>` and `<@U…>`.
"""

from __future__ import annotations

from typing import Any

from bot.kubectl.answer import Answer

# Slack's section text limit is 3,000 characters; keep room for the fence and the note.
INLINE_BUDGET = 2_800


def escape_mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code_block(text: str) -> str:
    # A ``` inside the output would close the block early; a zero-width space keeps it literal.
    body = escape_mrkdwn(text).replace("```", "`\u200b``")
    return f"```\n{body}\n```"


def inline_code(text: str) -> str:
    return "`" + escape_mrkdwn(text).replace("`", "'") + "`"


def fit_inline(text: str, budget: int = INLINE_BUDGET) -> tuple[str, int]:
    """The longest head of whole lines within `budget` escaped characters, and how many lines
    were not (fully) shown. Never cuts silently: the caller says how much is missing."""
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = len(escape_mrkdwn(line)) + 1
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    if not kept and lines:  # one enormous first line: show its head; it counts as not shown
        head, used = [], 0
        for char in lines[0]:
            used += len(escape_mrkdwn(char))
            if used > budget:
                break
            head.append(char)
        return "".join(head), len(lines)
    return "\n".join(kept), len(lines) - len(kept)


def answer_message(answer: Answer, *, response_type: str = "ephemeral") -> dict[str, Any]:
    """The payload for respond() / chat.postMessage: blocks plus a plain-text fallback."""
    blocks: list[dict[str, Any]] = []
    if answer.command_line:
        blocks.append(_context(f"{inline_code(answer.command_line)}"))
    if answer.preformatted:
        shown, left_out = fit_inline(answer.body)
        blocks.append(_section(code_block(shown)))
        if left_out:
            blocks.append(_context(
                f"… {left_out} more line{'s' if left_out != 1 else ''} not shown: the output is "
                "longer than a Slack message. Narrow it with a name or `-l`."
            ))
    else:
        icon = "" if answer.ok else ":no_entry_sign: "
        blocks.append(_section(icon + escape_mrkdwn(answer.body)))
    if answer.hint:
        blocks.append(_context(escape_mrkdwn(answer.hint)))
    fallback = answer.body.split("\n", 1)[0]
    return {
        "response_type": response_type,
        "text": escape_mrkdwn(fallback)[:300],
        "blocks": blocks,
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
