"""Slides → Slack Block Kit, and → plain text for the console. Pure: no I/O, no Slack client.

A slide becomes: a header (its title), its Markdown as mrkdwn sections, an image block per
picture, a **Run in sandbox** button under each ```kubectl fence, a context footer
(`Slide 7/31 · Components · Kubernetes 101`) and, last, one actions block with whatever controls
the caller passes in. The presenter chooses the controls for where the message goes:
`controls_for(ControlMode.LIVE, …)` in the channel, `ControlMode.PRIVATE` for someone browsing
on their own, `ControlMode.NONE` for history.

Everything taken from the deck is escaped (`&`, `<`, `>`, controls made visible; bot/messages/text.py),
even in code blocks, because Slack reads `<!channel>` there too.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from bot.kubectl.grammar import parse
from bot.kubectl.policy import Policy, Refusal
from bot.messages.limits import (
    MAX_ACTIONS_ELEMENTS,
    MAX_ALT_TEXT,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    fit_blocks,
    fit_text,
)
from bot.messages.limits import (
    MAX_MESSAGE_BLOCKS as MAX_BLOCKS,
)
from bot.messages.text import Mrkdwn, cut, escape_mrkdwn, mrkdwn, safe, trusted
from bot.slides.deck import (
    COMMAND_LANGUAGE,
    Deck,
    SlideImage,
    fence_commands,
    fence_language,
    image_alt,
    markdown_parser,
)

# Slack's Block Kit limits are named once, in bot/messages/limits.py.

# action_ids. Run buttons are `slides_run:<i>` (i-th command of the slide, unique within the
# message as Slack requires) with the command itself, without `kubectl`, as the value.
RUN_ACTION = "slides_run"
PREV_ACTION = "slides_prev"
NEXT_ACTION = "slides_next"
BROWSE_ACTION = "slides_browse"
PRIVATE_PREV_ACTION = "slides_private_prev"
PRIVATE_NEXT_ACTION = "slides_private_next"
BACK_TO_LIVE_ACTION = "slides_back_to_live"

# What a Run button says: on an exercise slide it reads the presser's own namespace, where their
# exercise is (bot/slack/slides_command.py), elsewhere the sandbox.
RUN_LABEL = "▶ Run in sandbox"
RUN_MINE_LABEL = "▶ Run in my namespace"

# The namespace commands are checked against: any workshop's sandbox answers the same commands.
_CHECK_POLICY = Policy(("sandbox",))
_NO_REFS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class MissingImage:
    """An image Slack could not be made to show (not processed in time, refused): the slide shows
    its alt text and this note instead."""

    note: str = "the picture could not be shown in Slack right now"


# An image reference: a Slack file object ({"id": "F…"} or {"url": "https://files.slack.com/…"})
# for an `image` block's `slack_file`, a public URL string for its `image_url`, or MissingImage.
ImageRef = Mapping[str, str] | str | MissingImage


class ControlMode(enum.Enum):
    NONE = "none"  # history: the slide as it was shown, no navigation
    LIVE = "live"  # the presenter's message in the channel
    PRIVATE = "private"  # a participant browsing on their own (ephemeral)


# --- controls --------------------------------------------------------------------------------


def slide_value(deck: Deck, number: int) -> str:
    """A navigation button's value: which deck and which slide it leads to."""
    return f"{deck.key}:{number}"


def parse_slide_value(value: str) -> tuple[str, int] | None:
    key, _, number = value.rpartition(":")
    return (key, int(number)) if key and number.isdigit() else None


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _fit_plain(text, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def controls_for(mode: ControlMode, deck: Deck, number: int) -> list[dict[str, Any]]:
    """The navigation buttons for a slide shown in `mode`. No ◀ on the first slide, no ▶ on
    the last: Slack buttons cannot be disabled, so a dead button is left out."""
    if mode is ControlMode.NONE:
        return []
    last = len(deck.slides)
    live = mode is ControlMode.LIVE
    controls = []
    if number > 1:
        controls.append(
            button(
                "◀ Prev" if live else "◀",
                PREV_ACTION if live else PRIVATE_PREV_ACTION,
                slide_value(deck, number - 1),
            )
        )
    if number < last:
        controls.append(
            button(
                "Next ▶" if live else "▶",
                NEXT_ACTION if live else PRIVATE_NEXT_ACTION,
                slide_value(deck, number + 1),
                style="primary" if live else None,
            )
        )
    if live:
        controls.append(button("Browse privately", BROWSE_ACTION, slide_value(deck, number)))
    else:
        controls.append(button("Back to live", BACK_TO_LIVE_ACTION, deck.key))
    return controls


def command_refusal(command: str) -> str | None:
    """Why Podium would not run `command` (text after `kubectl`), or None if it would."""
    decision = _CHECK_POLICY.decide(parse(command))
    return decision.message if isinstance(decision, Refusal) else None


# --- Markdown → mrkdwn -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How formatting is written: Slack mrkdwn for messages, plain text for the console."""

    escape: Callable[[str], str]
    link: Callable[[str, str], str]
    code_block: Callable[[str], str]
    inline_code: Callable[[str], str]
    strong: str
    em: str
    strike: str


def _slack_link(url: str, text: str) -> str:
    target = escape_mrkdwn(url).replace("|", "%7C")
    return f"<{target}>" if not text or text == escape_mrkdwn(url) else f"<{target}|{text}>"


def _slack_code_block(content: str) -> str:
    # A ``` inside the code would close the block early; a zero-width space keeps it literal.
    body = escape_mrkdwn(content.rstrip("\n")).replace("```", "`\u200b``")
    return f"```\n{body}\n```"


def _slack_inline_code(content: str) -> str:
    # Slack's inline code cannot hold a backtick.
    return "`" + escape_mrkdwn(content).replace("`", "'") + "`"


MRKDWN = _Style(
    escape=escape_mrkdwn,
    link=_slack_link,
    code_block=_slack_code_block,
    inline_code=_slack_inline_code,
    strong="*",
    em="_",
    strike="~",
)
TEXT = _Style(
    escape=lambda text: text,
    link=lambda url, text: url if not text or text == url else f"{text} ({url})",
    code_block=lambda content: "\n".join(
        "    " + line for line in content.rstrip("\n").split("\n")
    ),
    inline_code=lambda content: f"`{content}`",
    strong="*",
    em="_",
    strike="~",
)


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Image:
    image: SlideImage


@dataclass(frozen=True)
class _Commands:
    commands: list[str]


_Piece = _Text | _Image | _Commands


@dataclass
class _Converter:
    """Walks markdown-it's syntax tree. Block-level text comes back as strings; images and
    ```kubectl commands are queued and emitted after the top-level block that holds them."""

    style: _Style
    skip_title: bool = True
    _images: list[SlideImage] = field(default_factory=list)
    _commands: list[str] = field(default_factory=list)
    _title_seen: bool = False

    def pieces(self, markdown: str) -> list[_Piece]:
        root = SyntaxTreeNode(markdown_parser().parse(markdown))
        pieces: list[_Piece] = []
        for node in root.children:
            text = self.block(node, depth=0)
            if text.strip():
                pieces.append(_Text(text))
            pieces.extend(_Image(image) for image in self._images)
            if self._commands:
                pieces.append(_Commands(list(self._commands)))
            self._images.clear()
            self._commands.clear()
        return pieces

    def block(self, node: SyntaxTreeNode, depth: int) -> str:
        kind = node.type
        if kind == "heading":
            if self.skip_title and not self._title_seen:
                self._title_seen = True
                return ""
            text = self.inline(node.children[0]).strip()
            return f"{self.style.strong}{text}{self.style.strong}" if text else ""
        if kind == "paragraph":
            return self.inline(node.children[0]).strip()
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node, depth)
        if kind in ("fence", "code_block"):
            if kind == "fence" and fence_language(node.info) == COMMAND_LANGUAGE:
                self._commands.extend(fence_commands(node.content))
            return self.style.code_block(node.content)
        if kind == "blockquote":
            inner = "\n".join(t for t in (self.block(c, depth) for c in node.children) if t)
            return "\n".join("> " + line for line in inner.split("\n"))
        if kind == "table":
            return self.table(node)
        return ""  # html_block (comments were taken out by the deck parser), hr

    def list(self, node: SyntaxTreeNode, depth: int) -> str:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        bullet = "•◦▪"[min(depth, 2)]
        indent = "    " * depth
        lines = []
        for offset, item in enumerate(node.children):
            marker = f"{start + offset}." if ordered else bullet
            parts = [self.block(child, depth + 1) for child in item.children]
            text = "\n".join(p for p in parts if p)
            first, *rest = text.split("\n") if text else [""]
            lines.append(f"{indent}{marker} {first}")
            # Nested lists carry their own indent; continuation lines line up with the text.
            nested = "    " * (depth + 1)
            lines.extend(line if line.startswith(nested) else f"{indent}  {line}" for line in rest)
        return "\n".join(lines)

    def table(self, node: SyntaxTreeNode) -> str:
        # Slack has no tables: show the cells aligned in a code block.
        rows: list[list[str]] = []
        for section in node.children:
            for row in section.children:
                rows.append([_plain(cell) for cell in row.children])
        widths = [
            max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))
        ]
        lines = [
            "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
        ]
        return self.style.code_block("\n".join(lines))

    def inline(self, node: SyntaxTreeNode) -> str:
        return "".join(self._inline(child) for child in node.children)

    def _inline(self, node: SyntaxTreeNode) -> str:
        style = self.style
        kind = node.type
        if kind == "text":
            return style.escape(node.content)
        if kind == "code_inline":
            return style.inline_code(node.content)
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return "\n"
        if kind == "strong":
            return self._wrap(style.strong, node)
        if kind == "em":
            return self._wrap(style.em, node)
        if kind == "s":
            return self._wrap(style.strike, node)
        if kind == "link":
            text = "".join(self._inline(child) for child in node.children)
            return style.link(str(node.attrs.get("href", "")), text)
        if kind == "image":
            self._images.append(SlideImage(str(node.attrs.get("src", "")), image_alt(node.content)))
            return ""
        if kind == "html_inline":
            return _inline_html(node.content, style)
        return ""

    def _wrap(self, mark: str, node: SyntaxTreeNode) -> str:
        inner = "".join(self._inline(child) for child in node.children)
        # Slack only formats *x* when the marks hug the text: keep spaces outside them.
        stripped = inner.strip()
        if not stripped:
            return inner
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        return f"{lead}{mark}{stripped}{mark}{trail}"


def _inline_html(html: str, style: _Style) -> str:
    """Slack shows no HTML: a `<br>` is a line break, a comment is dropped, and anything else
    (`<!channel>`, `<kbd>`) is shown as the text it is, escaped."""
    tag = html.strip().lower().replace(" ", "")
    if tag in ("<br>", "<br/>"):
        return "\n"
    if tag.startswith("<!--"):
        return ""
    return style.escape(html)


def _plain(node: SyntaxTreeNode) -> str:
    return "".join(child.content for child in node.walk() if child.type in ("text", "code_inline"))


def markdown_to_mrkdwn(markdown: str) -> Mrkdwn:
    """Markdown → Slack mrkdwn, keeping headings (as bold lines); images are left out."""
    pieces = _Converter(MRKDWN, skip_title=False).pieces(markdown)
    return trusted("\n\n".join(p.text for p in pieces if isinstance(p, _Text)))


# --- blocks ----------------------------------------------------------------------------------


def render_slide(
    deck: Deck,
    number: int,
    *,
    image_refs: Mapping[str, ImageRef] = _NO_REFS,
    controls: Sequence[Mapping[str, Any]] = (),
    extra_actions: Sequence[Mapping[str, Any]] = (),
    extra_blocks: Sequence[Mapping[str, Any]] = (),
    run_buttons: bool = True,
    fit: bool = True,
) -> list[dict[str, Any]]:
    """The Block Kit blocks of slide `number` (1-based), within Slack's limits.

    image_refs: image path as written in the deck → Slack file object or public URL; an image
        without one is shown as its alt text.
    controls: navigation buttons, e.g. `controls_for(ControlMode.LIVE, deck, number)`.
    extra_actions: more buttons shown before the controls (Check my work, Ask a question…).
    extra_blocks: live content shown above the footer (the top questions on "Any questions?").
    run_buttons: add Run in sandbox (Run in my namespace on an exercise slide) under each ```kubectl
        fence Podium can run (25 to an actions
        block, Slack's limit; a command longer than a button value can hold gets no button).
    fit: cut a slide that needs more than Slack's 50 blocks (30 images…) with a visible note,
        keeping the footer and the controls (`bot.messages.limits.fit_blocks`). The linter passes
        False to see, and report, the slide as written.
    """
    slide = deck.slide(number)
    blocks: list[dict[str, Any]] = [_header(slide.title or f"Slide {number}")]
    buffer: list[str] = []
    run_index = 0

    def flush() -> None:
        blocks.extend(_section(text) for text in _pack(buffer, MAX_SECTION_TEXT))
        buffer.clear()

    for piece in _Converter(MRKDWN).pieces(slide.markdown):
        if isinstance(piece, _Text):
            buffer.append(piece.text)
        elif isinstance(piece, _Image):
            flush()
            blocks.append(_image_block(piece.image, image_refs.get(piece.image.path)))
        elif run_buttons:
            runnable = [
                c
                for c in piece.commands
                if len(c) <= MAX_BUTTON_VALUE and command_refusal(c) is None
            ]
            if runnable:
                flush()
                buttons = []
                for command in runnable:
                    label = (
                        (RUN_MINE_LABEL if slide.exercise is not None else RUN_LABEL)
                        if len(runnable) == 1
                        else f"▶ kubectl {command}"
                    )
                    buttons.append(button(label, f"{RUN_ACTION}:{run_index}", command))
                    run_index += 1
                blocks.extend(
                    {"type": "actions", "elements": buttons[i : i + MAX_ACTIONS_ELEMENTS]}
                    for i in range(0, len(buttons), MAX_ACTIONS_ELEMENTS)
                )
    flush()
    blocks.extend(dict(b) for b in extra_blocks)
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": safe(footer(deck, number))}]}
    )
    actions = [dict(a) for a in extra_actions] + [dict(c) for c in controls]
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    return fit_blocks(blocks, MAX_BLOCKS) if fit else blocks


def render_message(deck: Deck, number: int, **options: Any) -> dict[str, Any]:
    """A whole message: the blocks plus the `text` Slack shows in notifications."""
    slide = deck.slide(number)
    text = f"{slide.title or deck.title} (slide {number}/{len(deck.slides)})"
    return {"text": text, "blocks": render_slide(deck, number, **options)}


def footer(deck: Deck, number: int) -> str:
    slide = deck.slide(number)
    parts = [f"Slide {number}/{len(deck.slides)}"]
    if slide.section and slide.section != deck.title:
        parts.append(slide.section)
    parts.append(deck.title)
    return " · ".join(parts)


def speaker_notes_blocks(deck: Deck, number: int) -> list[dict[str, Any]]:
    """What the presenter sees privately next to a slide: its notes, as mrkdwn. Nothing (an empty
    list) for a slide without notes, such as a section divider: a DM saying so is only noise."""
    slide = deck.slide(number)
    heading = f"Speaker notes · slide {number}/{len(deck.slides)} · {slide.title or deck.title}"
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(":memo: {}", heading)}]}
    ]
    notes = [
        p.text
        for p in _Converter(MRKDWN, skip_title=False).pieces(slide.notes)
        if isinstance(p, _Text)
    ]
    texts = _pack(notes, MAX_SECTION_TEXT)
    if not texts:
        return []
    blocks.extend(_section(text) for text in texts)
    return fit_blocks(blocks, MAX_BLOCKS)


def render_slide_text(deck: Deck, number: int) -> str:
    """The slide for a terminal: title, text, pictures and commands named, footer."""
    slide = deck.slide(number)
    title = slide.title or f"Slide {number}"
    out = [f"{title}\n{'=' * len(title)}"]
    for piece in _Converter(TEXT).pieces(slide.markdown):
        if isinstance(piece, _Text):
            out.append(piece.text)
        elif isinstance(piece, _Image):
            out.append(f"[picture: {piece.image.alt or 'no description'} ({piece.image.path})]")
        else:
            where = "my namespace" if slide.exercise is not None else "sandbox"
            out.extend(
                f"[Run in {where}: /kubectl {c}]"
                for c in piece.commands
                if command_refusal(c) is None
            )
    out.append(f"— {footer(deck, number)}")
    return "\n\n".join(out)


def _header(title: str) -> dict[str, Any]:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": _fit_plain(title, MAX_HEADER_TEXT), "emoji": True},
    }


def _section(text: str) -> dict[str, Any]:
    """`text` is mrkdwn this renderer wrote, with the deck's text escaped in it."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": trusted(text)}}


def _image_block(image: SlideImage, ref: ImageRef | None) -> dict[str, Any]:
    alt = _truncate(image.alt or image.path, MAX_ALT_TEXT)  # alt_text is never parsed as markup
    if ref is None:
        # Not uploaded (console, tests): say what the picture shows.
        text = fit_text(
            mrkdwn(":frame_with_picture: _{}_", alt), MAX_SECTION_TEXT
        )  # escaped, it may grow
        return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
    if isinstance(ref, MissingImage):
        text = fit_text(
            mrkdwn(":frame_with_picture: _{}_\n:warning: {}", alt, ref.note), MAX_SECTION_TEXT
        )
        return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
    block: dict[str, Any] = {"type": "image", "alt_text": alt}
    if isinstance(ref, str):
        block["image_url"] = ref
    else:
        block["slack_file"] = dict(ref)
    return block


def _fit_plain(text: str, limit: int) -> Mrkdwn:
    """Someone's text for a plain_text object of at most `limit` characters *as sent*: escaped
    first, then cut (never inside an entity), with `…` if it was cut."""
    return fit_text(safe(text), limit, note=False)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pack(texts: Sequence[str], limit: int) -> list[str]:
    """Join block texts into as few sections as fit `limit`, never splitting a block that fits."""
    packed: list[str] = []
    for text in texts:
        for part in _split(text, limit):
            if packed and len(packed[-1]) + 2 + len(part) <= limit:
                packed[-1] += "\n\n" + part
            else:
                packed.append(part)
    return packed


def _split(text: str, limit: int) -> list[str]:
    """A block too long for one section, cut at line ends; a code block stays a code block."""
    if len(text) <= limit:
        return [text]
    fenced = text.startswith("```\n") and text.endswith("\n```")
    body = text[4:-4] if fenced else text
    room = limit - 8 if fenced else limit
    chunks: list[str] = []
    current = ""
    for line in body.split("\n"):
        while len(line) > room:  # one enormous line: cut it, never inside an entity (`&amp;`)
            if current:
                chunks.append(current)
                current = ""
            head = cut(trusted(line), room) or line[:room]
            chunks.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > room:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return [f"```\n{c}\n```" if fenced else c for c in chunks]
