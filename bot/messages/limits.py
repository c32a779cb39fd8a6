"""Slack's Block Kit and message limits, named once, and the last-line guard that makes any
message fit them. Pure.

Renderers plan for these limits themselves (a long slide is packed into several sections, a
fence of 30 commands into several actions blocks, long output goes to a snippet). `fit_message`
runs at the output boundary (bot/slack/client.py, bot/slack/respond.py) after the text was
escaped, so whatever a renderer missed is still within every limit when it reaches Slack, cut
with a visible note, never in the middle of an entity (`&amp;`) or a link (`<…>`):

- a text object over its limit is cut at the limit and ends in `… (N more characters not shown)`;
- an actions block with more than 25 elements becomes several actions blocks;
- a context block with more than 10 elements keeps 9 and says how many more there were;
- more blocks than the message (50) or view (100) allows: the first ones and the message's
  trailing footer and controls (a last actions block, a context line last or before it) are
  kept, with a context line `… N more blocks not shown` where the others were;
- message `text` over 40,000 characters is cut with a note.

Sources: https://docs.slack.dev/reference/block-kit/blocks (and each block's page),
https://docs.slack.dev/reference/methods/chat.postMessage (text truncated at 40,000).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.messages.text import Mrkdwn, cut, safe, trusted

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100  # App Home and modals
MAX_TEXT_OBJECT = 3000  # a section's text, a context element's text
MAX_SECTION_TEXT = MAX_TEXT_OBJECT
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_URL = 3000
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_ALT_TEXT = 2000
MAX_IMAGE_TITLE = 2000
MAX_MARKDOWN_BLOCK = 12_000
MAX_MESSAGE_TEXT = 40_000
MAX_MODAL_TITLE = 24
# Podium's own: how much of what someone typed a usage error or a search heading quotes back.
MAX_ECHO = 200

Block = dict[str, Any]


def cut_note(hidden: int, unit: str = "characters") -> str:
    return f"… ({hidden:,} more {unit} not shown)"


def fit_text(text: str, limit: int, *, note: bool = True) -> Mrkdwn:
    """`text` (escaped markup) within `limit` characters: as it is if it fits, else its head, cut
    before any entity or `<…>` it would split, and a note of how much is missing (just `…` when
    the note would take more than half of `limit`, or when `note` is False)."""
    markup = trusted(text)
    if len(markup) <= limit:
        return markup
    if note:
        room = len(" " + cut_note(len(markup)))  # at least as wide as the final note
        if room * 2 <= limit:
            head = cut(markup, limit - room)
            return Mrkdwn(head + " " + cut_note(len(markup) - len(head)))
    return Mrkdwn(cut(markup, max(0, limit - 1)) + "…")


def echo_typed(typed: str, limit: int = MAX_ECHO) -> Mrkdwn:
    """What someone typed, quoted back in an answer: escaped, then cut with a visible note."""
    return fit_text(safe(typed), limit)


def _fit_text_object(obj: Any, limit: int) -> Any:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) > limit:
        plain = obj.get("type") == "plain_text"
        return {**obj, "text": fit_text(obj["text"], limit, note=not plain)}
    return obj


def _fit_element(element: Any) -> Any:
    if not isinstance(element, dict):
        return element
    fitted = dict(element)
    if fitted.get("type") == "button":
        fitted["text"] = _fit_text_object(fitted.get("text"), MAX_BUTTON_TEXT)
        if isinstance(fitted.get("value"), str) and len(fitted["value"]) > MAX_BUTTON_VALUE:
            fitted["value"] = fitted["value"][:MAX_BUTTON_VALUE]
    elif fitted.get("type") in ("plain_text", "mrkdwn"):
        fitted = _fit_text_object(fitted, MAX_TEXT_OBJECT)
    elif fitted.get("type") == "image" and isinstance(fitted.get("alt_text"), str):
        fitted["alt_text"] = fitted["alt_text"][:MAX_ALT_TEXT]
    return fitted


def _fit_block(block: Block) -> list[Block]:
    """One block within its own limits; an oversized actions block becomes several."""
    kind = block.get("type")
    fitted = dict(block)
    if kind == "section":
        if "text" in fitted:
            fitted["text"] = _fit_text_object(fitted["text"], MAX_SECTION_TEXT)
        if isinstance(fitted.get("fields"), list):
            fields = [_fit_text_object(f, MAX_FIELD_TEXT) for f in fitted["fields"]]
            fitted["fields"] = fields[:MAX_FIELDS]
        if "accessory" in fitted:
            fitted["accessory"] = _fit_element(fitted["accessory"])
    elif kind == "header":
        fitted["text"] = _fit_text_object(fitted.get("text"), MAX_HEADER_TEXT)
    elif kind == "context" and isinstance(fitted.get("elements"), list):
        elements = [_fit_element(e) for e in fitted["elements"]]
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            hidden = len(elements) - (MAX_CONTEXT_ELEMENTS - 1)
            elements = elements[: MAX_CONTEXT_ELEMENTS - 1] + [
                {"type": "mrkdwn", "text": cut_note(hidden, "items")}
            ]
        fitted["elements"] = elements
    elif kind == "actions" and isinstance(fitted.get("elements"), list):
        elements = [_fit_element(e) for e in fitted["elements"]]
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            chunks = [
                elements[i : i + MAX_ACTIONS_ELEMENTS]
                for i in range(0, len(elements), MAX_ACTIONS_ELEMENTS)
            ]
            block_id = fitted.pop("block_id", None)
            return [
                {
                    **fitted,
                    "elements": chunk,
                    **(
                        {"block_id": f"{block_id}.{i}"}
                        if block_id and i
                        else {"block_id": block_id}
                        if block_id
                        else {}
                    ),
                }
                for i, chunk in enumerate(chunks)
            ]
        fitted["elements"] = elements
    elif kind == "image" and isinstance(fitted.get("alt_text"), str):
        fitted["alt_text"] = fitted["alt_text"][:MAX_ALT_TEXT]
        if "title" in fitted:
            fitted["title"] = _fit_text_object(fitted["title"], MAX_IMAGE_TITLE)
    elif kind == "markdown" and isinstance(fitted.get("text"), str):
        fitted["text"] = fit_text(fitted["text"], MAX_MARKDOWN_BLOCK)
    return [fitted]


def _trailing_controls(blocks: Sequence[Block]) -> int:
    """How many blocks at the end are the message's footer and controls: a last actions block,
    and a context line (a slide's footer) last or just before it."""
    if not blocks:
        return 0
    if blocks[-1].get("type") == "context":
        return 1
    if blocks[-1].get("type") != "actions":
        return 0
    return 2 if len(blocks) >= 2 and blocks[-2].get("type") == "context" else 1


def fit_blocks(
    blocks: Sequence[Mapping[str, Any]], max_blocks: int = MAX_MESSAGE_BLOCKS
) -> list[Block]:
    """`blocks` within every Block Kit limit (see the module's docstring). Blocks that fit are
    returned unchanged."""
    fitted: list[Block] = []
    for block in blocks:
        fitted.extend(_fit_block(dict(block)) if isinstance(block, Mapping) else [block])
    if len(fitted) <= max_blocks:
        return fitted
    tail = _trailing_controls(fitted)
    keep = max_blocks - 1 - tail
    hidden = len(fitted) - keep - tail
    note = {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": (
                    f":scissors: … {hidden} more block{'s' if hidden != 1 else ''} not shown: "
                    f"Slack shows at most {max_blocks} in one message."
                ),
            }
        ],
    }
    return fitted[:keep] + [note] + (fitted[-tail:] if tail else [])


def fit_message(
    message: Mapping[str, Any], *, max_blocks: int = MAX_MESSAGE_BLOCKS
) -> dict[str, Any]:
    """A message body (chat.*, a response_url post) or a Web API call's arguments holding a
    `view`, within Slack's limits. Escape first (`seal_message`), then fit."""
    fitted = dict(message)
    if isinstance(fitted.get("text"), str) and len(fitted["text"]) > MAX_MESSAGE_TEXT:
        fitted["text"] = fit_text(fitted["text"], MAX_MESSAGE_TEXT)
    if isinstance(fitted.get("blocks"), list):
        fitted["blocks"] = fit_blocks(fitted["blocks"], max_blocks)
    if isinstance(fitted.get("attachments"), list):
        fitted["attachments"] = [
            {**a, "blocks": fit_blocks(a["blocks"], max_blocks)}
            if isinstance(a, dict) and isinstance(a.get("blocks"), list)
            else a
            for a in fitted["attachments"]
        ]
    view = fitted.get("view")
    if isinstance(view, dict) and isinstance(view.get("blocks"), list):
        fitted["view"] = {**view, "blocks": fit_blocks(view["blocks"], MAX_VIEW_BLOCKS)}
    return fitted
