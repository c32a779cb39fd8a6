"""Text in and out of Slack: the one place where people's and the cluster's text is decoded on
the way in and escaped on the way out. Pure.

On the way in, Slack sends typed `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;` (slash-command `text`
and message events alike): `decode_slack_text` undoes exactly that, once.

On the way out, Slack reads `<!channel>`, `<@U…>` and `<http…|label>` as markup wherever it
appears, also inside inline code and code blocks. So text is one of two things:

- `Mrkdwn`: markup Podium wrote itself (a str subclass). Made only by `mrkdwn(template, *values)`,
  which escapes every value, or by `trusted(literal)` for Podium's own fixed text.
- any other `str`: someone else's text. `seal_message` (run by the Web API client and by
  respond(), i.e. for every message Podium sends) escapes it where it lands in a text object,
  the fallback `text` or a file title. A builder that forgets to escape therefore cannot ping
  the room; at worst its markup shows as text.

`neutralise` makes invisible or terminal-controlling characters visible: bidi overrides become
`<U+202E>`, ESC becomes `^[` (so ANSI sequences show as `^[[31m`, like kubectl's
`printers.EscapeTerminal`), CR `\\r`, other C0/C1 controls and DEL caret or `<U+…>` notation.
It is idempotent and runs in one `str.translate` pass (linear time), in Slack output, in
kubectl describe and in the audit CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# --- invisible and terminal-controlling characters ---------------------------------------------

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # LRE RLE PDF LRO RLO, LRI RLI FSI PDI


def _visible_forms() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in "\n\t":
            table[code] = "^" + chr(code + 0x40)  # caret notation: NUL ^@, ESC ^[
    table[0x0D] = "\\r"  # as kubectl's EscapeTerminal writes a carriage return
    table[0x7F] = "^?"
    for code in [*range(0x80, 0xA0), *_BIDI]:  # C1 controls (0x9B is a one-byte CSI) and bidi
        table[code] = f"<U+{code:04X}>"
    return table


_VISIBLE = _visible_forms()


def neutralise(text: str) -> str:
    """Bidi overrides, ESC (and so ANSI sequences), NUL and other controls except newline and tab,
    made visible. Idempotent; one pass."""
    return text.translate(_VISIBLE)


# --- in: what Slack sends ------------------------------------------------------------------------

_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}


def decode_slack_text(text: str) -> str:
    """Slack's three entities decoded, once, in one pass: `a &amp;lt; b` → `a &lt; b`. Nothing else
    (`&#8238;` stays as typed: Slack never sends other entities for typed text)."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text)


# --- out: what Podium sends ----------------------------------------------------------------------


def escape_mrkdwn(text: str) -> str:
    """Someone else's text, safe to place into mrkdwn (or plain_text): controls made visible and
    `&`, `<`, `>` escaped. Use it once; `mrkdwn()` and `seal_message()` use it for you."""
    return neutralise(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Mrkdwn(str):
    """Markup Podium wrote, with every value in it already escaped. Slicing or `+` give a plain
    str again (which would then be escaped as a whole): use `mrkdwn()`, `join()` and `cut()`."""

    __slots__ = ()


def trusted(text: str) -> Mrkdwn:
    """Podium's own fixed markup (a literal in the code, a rendered slide), used as it is."""
    return text if isinstance(text, Mrkdwn) else Mrkdwn(text)


def safe(value: object) -> Mrkdwn:
    """`Mrkdwn` as it is; anything else is someone's text and gets escaped."""
    if isinstance(value, Mrkdwn):
        return value
    return Mrkdwn(escape_mrkdwn(str(value)))


def mrkdwn(template: str, *values: object, **named: object) -> Mrkdwn:
    """`template` (Podium's own markup, a literal) with `{}` fields filled by `values`, each escaped
    unless it is `Mrkdwn` already. Numbers may use format specs (`{:,}`)."""

    def prepare(value: object) -> object:
        return value if isinstance(value, (int, float, Mrkdwn)) else safe(value)

    return Mrkdwn(
        template.format(*map(prepare, values), **{k: prepare(v) for k, v in named.items()})
    )


def code_block(text: str) -> Mrkdwn:
    # A ``` inside the output would close the block early; a zero-width space keeps it literal.
    body = escape_mrkdwn(text).replace("```", "`\u200b``")
    return Mrkdwn(f"```\n{body}\n```")


def inline_code(text: str) -> Mrkdwn:
    return Mrkdwn("`" + escape_mrkdwn(text).replace("`", "'") + "`")


def join(separator: str, parts: Iterable[object]) -> Mrkdwn:
    """Like `separator.join(parts)`, each part escaped unless it is `Mrkdwn`; the separator is
    Podium's own."""
    return Mrkdwn(separator.join(safe(part) for part in parts))


def cut(text: Mrkdwn, limit: int) -> Mrkdwn:
    """At most `limit` characters of markup, never ending inside an entity (`&am`) or a tag."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    amp, tag = head.rfind("&"), head.rfind("<")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    if tag != -1 and ">" not in head[tag:]:
        head = head[:tag]
    return Mrkdwn(head)


# --- the output boundary -------------------------------------------------------------------------

_TEXT_OBJECT_TYPES = ("mrkdwn", "plain_text")


def _seal(node: Any) -> Any:
    if isinstance(node, list):
        return [_seal(item) for item in node]
    if not isinstance(node, dict):
        return node
    sealed = {key: _seal(value) for key, value in node.items()}
    if sealed.get("type") in _TEXT_OBJECT_TYPES and isinstance(sealed.get("text"), str):
        sealed["text"] = safe(sealed["text"])
    if sealed.get("type") == "plain_text_input" and isinstance(sealed.get("initial_value"), str):
        sealed["initial_value"] = neutralise(
            sealed["initial_value"]
        )  # shown as typed, never parsed
    return sealed


def seal_message(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Slack may see it: the fallback `text`, every mrkdwn/plain_text object in
    `blocks`, `attachments` and `view`, and a file's `title` and `initial_comment` escaped unless
    they are `Mrkdwn`. Everything else (button values, ids) is left as it is."""
    sealed = dict(message)
    for key in ("text", "initial_comment", "title"):
        if isinstance(sealed.get(key), str):
            sealed[key] = safe(sealed[key])
    for key in ("blocks", "attachments", "view"):
        if isinstance(sealed.get(key), (list, dict)):
            sealed[key] = _seal(sealed[key])
    return sealed
