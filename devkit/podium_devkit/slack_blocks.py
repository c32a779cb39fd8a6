"""Block Kit validation for the Slack stand-in, as strict as Slack by default.

The stand-in's own `block_errors` (at the end of this module) checks the limits slack_sdk's models
do not: 50 blocks per message / 100 per view, 3,000 characters per section text, header 150,
25 elements per actions block, button text 75 / value 2,000, context 10 elements. This module
adds the rest of what Slack refuses, found with slack_sdk's own models:

- `Block.parse(block).validate_json()` for every block (an unknown type parses to None: refused);
- every text object anywhere in a block (context elements, fields, confirm dialogs...) at most
  3,000 characters;
- `attachments`: a list of objects, their `blocks` checked like a message's;
- views: `View(**view).validate_json()` (title, submit, close, blocks).

Errors are Slack-style strings ending in `[json-pointer:/blocks/N/...]`, returned in
`errors` and `response_metadata.messages` of an `invalid_blocks` answer.

`BlockKitRules(validate=False)` turns every Block Kit check off, for a test that deliberately
needs a lenient Slack; the default is Slack's behaviour.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_TEXT_OBJECT_CHARS = 3000
MAX_ATTACHMENTS = 100

BlockErrors = Callable[[Any, int], list[str]]


@dataclass
class BlockKitRules:
    """How strictly the stand-in checks `blocks`, `attachments` and `view`s (default: as Slack)."""

    validate: bool = True  # False: accept anything (a deliberately lenient Slack)
    sdk_models: bool = True  # also run slack_sdk's model validation

    def message_errors(self, args: dict[str, Any], max_blocks: int, base: BlockErrors) -> list[str]:
        """Errors for a message body's `blocks` and `attachments` (chat.*, response_url)."""
        if not self.validate:
            return []
        errors: list[str] = []
        if args.get("blocks") is not None:
            errors += self.blocks_errors(args["blocks"], max_blocks, base)
        if args.get("attachments") not in (None, ""):
            errors += self.attachments_errors(args["attachments"], max_blocks, base)
        return errors

    def blocks_errors(
        self, blocks: Any, max_blocks: int, base: BlockErrors, pointer: str = "/blocks"
    ) -> list[str]:
        if not self.validate:
            return []
        errors = [_repoint(e, pointer) for e in base(blocks, max_blocks)]
        if isinstance(blocks, list):
            errors += long_text_errors(blocks, pointer)
            if self.sdk_models:
                errors += sdk_block_errors(blocks, pointer)
        return _unique(errors)

    def attachments_errors(self, attachments: Any, max_blocks: int, base: BlockErrors) -> list[str]:
        if not isinstance(attachments, list):
            return ["must be an array [json-pointer:/attachments]"]
        errors: list[str] = []
        if len(attachments) > MAX_ATTACHMENTS:
            errors.append(
                f"no more than {MAX_ATTACHMENTS} items allowed [json-pointer:/attachments]"
            )
        for i, attachment in enumerate(attachments):
            where = f"/attachments/{i}"
            if not isinstance(attachment, dict):
                errors.append(f"must be an object [json-pointer:{where}]")
                continue
            if "blocks" in attachment:
                errors += self.blocks_errors(
                    attachment["blocks"], max_blocks, base, f"{where}/blocks"
                )
            for key in ("text", "pretext", "fallback"):
                value = attachment.get(key)
                if isinstance(value, str) and len(value) > 40_000:
                    errors.append(
                        f"must be less than 40001 characters [json-pointer:{where}/{key}]"
                    )
        return errors

    def view_errors(self, view: dict[str, Any], max_blocks: int, base: BlockErrors) -> list[str]:
        """Errors for a `view` (views.publish/open/update/push)."""
        if not self.validate:
            return []
        errors = self.blocks_errors(view.get("blocks", []), max_blocks, base, "/view/blocks")
        if self.sdk_models and not errors:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    # Blocks are checked above, block by block; an empty `blocks` is accepted
                    # (slack_sdk's View wants 1 to 100; Slack documents only the maximum).
                    View(**{**view, "blocks": [{"type": "divider"}]}).validate_json()
            except (SlackObjectFormationError, TypeError, AttributeError, KeyError) as error:
                errors.append(f"{error} [json-pointer:/view]")
        return errors


def sdk_block_errors(blocks: list[Any], pointer: str = "/blocks") -> list[str]:
    """What slack_sdk's own models refuse, one error per refused block."""
    errors: list[str] = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue  # reported by block_errors
        try:
            canonical = json.dumps(block, sort_keys=True)
        except (TypeError, ValueError):
            canonical = None
        problem = _sdk_verdict(canonical) if canonical is not None else "invalid block (not JSON)"
        if problem:
            errors.append(f"{problem} [json-pointer:{pointer}/{i}]")
    return errors


@functools.lru_cache(maxsize=4096)
def _sdk_verdict(canonical: str) -> str | None:
    """slack_sdk's verdict on one block (as canonical JSON), None when it is valid. Cached: a room
    receives the same answer blocks hundreds of times, and parsing with the models is slow enough
    to load the stand-in's process in a benchmark."""
    block = json.loads(canonical)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # slack_sdk warns about unknown types; we refuse them
            parsed = Block.parse(block)
            if parsed is None:
                return f"unsupported type `{block.get('type')}`"
            parsed.validate_json()
    except SlackObjectFormationError as error:
        return str(error)
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        return f"invalid block ({type(error).__name__}: {error})"
    return None


def long_text_errors(node: Any, pointer: str, limit: int = MAX_TEXT_OBJECT_CHARS) -> list[str]:
    """Every `plain_text`/`mrkdwn` text object anywhere in `node` holds at most `limit` characters
    (section fields have their own 2,000, checked by block_errors)."""
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors += long_text_errors(item, f"{pointer}/{i}", limit)
    elif isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            if len(node["text"]) > limit:
                errors.append(
                    f"must be less than {limit + 1} characters [json-pointer:{pointer}/text]"
                )
        else:
            for key, value in node.items():
                if isinstance(value, (list, dict)):
                    errors += long_text_errors(value, f"{pointer}/{key}", limit)
    return errors


def _repoint(error: str, pointer: str) -> str:
    return (
        error
        if pointer == "/blocks"
        else error.replace("[json-pointer:/blocks", f"[json-pointer:{pointer}")
    )


def _unique(errors: list[str]) -> list[str]:
    return list(dict.fromkeys(errors))


# The stand-in's own checks: cheap, close to what Slack rejects, enough to surface product bugs.

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

_BLOCK_TYPES = {
    "section", "divider", "image", "actions", "context", "input", "header",
    "rich_text", "file", "video", "markdown", "call",
}  # fmt: skip


def block_errors(blocks: Any, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Slack-style error strings (`... [json-pointer:/blocks/0/text]`) for invalid blocks."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        here = f"/blocks/{i}"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            errors.append(f"unsupported type or not an object [json-pointer:{here}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{here}/block_id]")
            if block_id in seen_ids:
                errors.append(f"duplicate block_id [json-pointer:{here}/block_id]")
            seen_ids.add(block_id)
        errors.extend(_one_block_errors(block, here))
    return errors


def text_errors(obj: Any, where: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"must provide a text object [json-pointer:{where}]"]
    if plain_only and obj["type"] != "plain_text":
        return [f"must be plain_text [json-pointer:{where}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []


def _element_errors(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict) or "type" not in el:
        return [f"must be an object with a type [json-pointer:{where}]"]
    errors: list[str] = []
    if len(str(el.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{where}/action_id]")
    if el["type"] == "button":
        errors += text_errors(el.get("text"), f"{where}/text", 75, plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{where}/value]")
        if len(str(el.get("url", ""))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{where}/url]")
    return errors


def _one_block_errors(block: dict[str, Any], here: str) -> list[str]:
    kind = block["type"]
    errors: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide text or fields [json-pointer:{here}]")
        if "text" in block:
            errors += text_errors(block["text"], f"{here}/text", 3000)
        fields = block.get("fields", [])
        if len(fields) > 10:
            errors.append(f"no more than 10 items allowed [json-pointer:{here}/fields]")
        for j, f in enumerate(fields):
            errors += text_errors(f, f"{here}/fields/{j}", 2000)
        if "accessory" in block:
            errors += _element_errors(block["accessory"], f"{here}/accessory")
    elif kind == "header":
        errors += text_errors(block.get("text"), f"{here}/text", 150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 10:
            errors.append(f"must have 1 to 10 items [json-pointer:{here}/elements]")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 25:
            errors.append(f"must have 1 to 25 items [json-pointer:{here}/elements]")
        for j, el in enumerate(elements):
            errors += _element_errors(el, f"{here}/elements/{j}")
    elif kind == "image":
        if not block.get("image_url") and not block.get("slack_file"):
            errors.append(f"must provide image_url or slack_file [json-pointer:{here}]")
        if not block.get("alt_text"):
            errors.append(f"must provide alt_text [json-pointer:{here}/alt_text]")
    elif kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or not text or len(text) > 12000:
            errors.append(f"must be 1 to 12000 characters [json-pointer:{here}/text]")
    return errors
