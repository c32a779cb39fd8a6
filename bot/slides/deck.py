"""Course decks: Marp-compatible Markdown → `Deck` of `Slide`s. Pure apart from reading the file.

A deck is one Markdown file: YAML front matter (title, author, description), `---` between
slides, HTML comments for speaker notes and for Podium's directives (`section`, `exercise`,
`questions`). The Markdown is read with markdown-it-py, so a `---` inside a code fence or a
`# comment` in a shell block never splits a slide or becomes a title. slides/README.md documents
the format for authors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Podium's own directives. `questions` and `access` (the Get my kubectl access button) may also
# be written bare: `<!-- questions -->`.
PODIUM_DIRECTIVES = frozenset({"section", "exercise", "questions", "access"})
# Marp's directives, so a deck styled for Marp (`<!-- _class: lead -->`) keeps those comments out
# of the speaker notes, as Marp does. Local directives may be prefixed with `_` (this slide only).
MARP_DIRECTIVES = frozenset(
    {
        "theme",
        "style",
        "headingDivider",
        "lang",
        "math",
        "size",
        "title",
        "author",
        "description",
        "image",
        "keywords",
        "url",
        "marp",
        "paginate",
        "header",
        "footer",
        "class",
        "backgroundColor",
        "backgroundImage",
        "backgroundPosition",
        "backgroundRepeat",
        "backgroundSize",
        "color",
        "transition",
        "inlineSVG",
    }
)
# Marp reads sizing and layout keywords from an image's alt text (`![w:600 bg Cluster](…)`);
# they are not a description of the picture, so they do not belong in its alt text.
_MARP_IMAGE_KEYWORD = re.compile(
    r"^(bg|fit|contain|cover|auto|left|right|vertical|\d+(\.\d+)?%|"
    r"(w|h|width|height|left|right|blur|brightness|contrast|drop-shadow|grayscale|hue-rotate|"
    r"invert|opacity|saturate|sepia|sizing):\S*|blur|grayscale|sepia|invert|drop-shadow)$"
)
# RE2: `<!--` repeated without a closing `-->` costs a backtracking engine a scan to the end
# from each of them (quadratic); RE2 is linear whatever the deck holds.
_COMMENT = re2.compile(r"(?s)<!--(.*?)-->")
COMMAND_LANGUAGE = "kubectl"


@dataclass(frozen=True)
class SlideImage:
    path: str  # as written in the Markdown, relative to the deck's folder
    alt: str


@dataclass(frozen=True)
class Slide:
    number: int  # 1-based
    title: str  # plain text of the slide's first heading; "" if it has none
    markdown: str  # the slide as written, without speaker notes and directive comments
    notes: str  # speaker notes (Markdown), "" if none
    images: list[SlideImage] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # ```kubectl lines, without "kubectl"
    exercise: int | None = None
    is_questions: bool = False
    offers_access: bool = False  # `<!-- access -->`: the slide carries Get my kubectl access
    section: str | None = None  # the section this slide belongs to (from `section` markers)
    starts_section: bool = False
    directives: dict[str, Any] = field(default_factory=dict)  # all directive comments, as read
    line: int = 1  # first line of the slide in the file, for messages to authors


@dataclass(frozen=True)
class Deck:
    title: str
    author: str
    description: str
    path: Path
    slides: list[Slide]
    front_matter: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A short stable name for buttons and storage: the file name without `.md`."""
        return self.path.stem

    def slide(self, number: int) -> Slide:
        if not 1 <= number <= len(self.slides):
            raise IndexError(f"{self.key} has slides 1–{len(self.slides)}, not {number}")
        return self.slides[number - 1]

    def image_file(self, image: SlideImage) -> Path:
        return self.path.parent / image.path

    @property
    def exercises(self) -> dict[int, Slide]:
        return {s.exercise: s for s in self.slides if s.exercise is not None}


class DeckError(ValueError):
    """The file cannot be read as a deck at all (not a problem of one slide)."""


def markdown_parser() -> MarkdownIt:
    """The one Markdown dialect of decks: CommonMark (HTML comments allowed), tables, ~~strike~~."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def load_deck(path: str | Path) -> Deck:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeckError(f"{path}: cannot read: {error}") from error
    return parse_deck(text, path)


# Markdown files beside the decks that document them (how to write a deck, what changed and
# why): not decks, so never presented or linted as one.
NOT_DECKS = frozenset({"readme.md", "changes.md"})


def deck_paths(folder: str | Path) -> list[Path]:
    """The deck files in `folder`: every `*.md` except README.md and CHANGES.md, by name."""
    return sorted(p for p in Path(folder).glob("*.md") if p.name.lower() not in NOT_DECKS)


def load_decks(folder: str | Path) -> list[Deck]:
    """Every deck in `folder` (see `deck_paths`), in file-name order."""
    return [load_deck(p) for p in deck_paths(folder)]


def default_slides_folder() -> Path:
    """`slides/` in the working directory if there is one, else the repository's."""
    here = Path("slides")
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "slides"


def parse_deck(text: str, path: Path) -> Deck:
    meta, body, offset = _split_front_matter(text, path)
    md = markdown_parser()
    lines = body.split("\n")
    slides: list[Slide] = []
    section: str | None = None
    for index, (start, end) in enumerate(_slide_ranges(md.parse(body), len(lines)), start=1):
        slide = _parse_slide(md, lines[start:end], index, offset + start + 1, section)
        section = slide.section
        slides.append(slide)
    title = str(meta.get("title") or (slides[0].title if slides else "") or path.stem)
    return Deck(
        title=title,
        author=str(meta.get("author") or ""),
        description=str(meta.get("description") or ""),
        path=path,
        slides=slides,
        front_matter=meta,
    )


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """YAML between a first line `---` and the next `---` line, as Marp and Jekyll read it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as error:
                raise DeckError(f"{path}: front matter is not valid YAML: {error}") from error
            if not isinstance(meta, dict):
                raise DeckError(f"{path}: front matter must be a YAML mapping (key: value lines)")
            return meta, "\n".join(lines[end + 1 :]), end + 1
    raise DeckError(f"{path}: front matter opened with --- on line 1 is never closed")


def _slide_ranges(tokens: list[Token], line_count: int) -> Iterator[tuple[int, int]]:
    """Line ranges between top-level thematic breaks (`---`), which is where Marp splits."""
    start = 0
    for token in tokens:
        if token.type == "hr" and token.level == 0 and token.map:
            yield start, token.map[0]
            start = token.map[1]
    yield start, line_count


@dataclass
class _Comments:
    notes: list[str] = field(default_factory=list)
    directives: dict[str, Any] = field(default_factory=dict)
    lines: set[int] = field(default_factory=set)  # lines that hold only comments


def _parse_slide(
    md: MarkdownIt, lines: list[str], number: int, first_line: int, section: str | None
) -> Slide:
    source = "\n".join(lines)
    tokens = md.parse(source)
    comments = _comments(tokens)
    markdown = "\n".join(line for i, line in enumerate(lines) if i not in comments.lines).strip(
        "\n"
    )
    directives = comments.directives
    raw_section = directives.get("section")
    new_section = str(raw_section).strip() if raw_section is not None else ""
    exercise = directives.get("exercise")
    return Slide(
        number=number,
        title=_title(tokens),
        markdown=markdown,
        notes="\n\n".join(comments.notes),
        images=list(_images(tokens)),
        commands=list(_commands(tokens)),
        exercise=exercise if isinstance(exercise, int) and not isinstance(exercise, bool) else None,
        is_questions=directives.get("questions") not in (None, False),
        offers_access=directives.get("access") not in (None, False),
        section=new_section or section,
        starts_section=bool(new_section),
        directives=directives,
        line=first_line,
    )


def _comments(tokens: list[Token]) -> _Comments:
    """Split the slide's HTML comments into directives and speaker notes, as Marp does: a comment
    that is a YAML mapping of known directive names is a directive, any other comment a note."""
    found = _Comments()
    for token in tokens:
        if token.type != "html_block" or not token.map:
            continue
        content = token.content.strip()
        bodies = _COMMENT.findall(content)
        if not bodies or _COMMENT.sub("", content).strip():
            continue  # other HTML: part of the slide, not ours to interpret
        found.lines.update(range(token.map[0], token.map[1]))
        for body in bodies:
            directives = _as_directives(body)
            if directives is None:
                if body.strip():
                    found.notes.append(_dedent(body))
            else:
                found.directives.update(directives)
    return found


def _as_directives(body: str) -> dict[str, Any] | None:
    text = body.strip()
    if text in PODIUM_DIRECTIVES:
        return {text: True}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    names = {str(k).removeprefix("_") for k in value}
    if not names <= (PODIUM_DIRECTIVES | MARP_DIRECTIVES):
        return None
    return {str(k).removeprefix("_"): v for k, v in value.items()}


def _dedent(text: str) -> str:
    lines = text.strip("\n").split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip()


def _title(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            return plain_inline(tokens[index + 1])
    return ""


def plain_inline(token: Token) -> str:
    """The visible text of an inline token: formatting dropped, code and link text kept."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(image_alt(child.content))
        elif child.type == "html_inline" and not child.content.startswith("<!--"):
            parts.append(child.content)  # Slack shows `<world>` as typed, so it is text
    return " ".join("".join(parts).split())


def image_alt(written: str) -> str:
    """An image's alt text as written, minus Marp's sizing keywords."""
    words = [w for w in written.split() if not _MARP_IMAGE_KEYWORD.match(w)]
    return " ".join(words)


def _images(tokens: Iterable[Token]) -> Iterator[SlideImage]:
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                yield SlideImage(path=str(child.attrs.get("src", "")), alt=image_alt(child.content))


def _commands(tokens: Iterable[Token]) -> Iterator[str]:
    for token in tokens:
        if token.type == "fence" and fence_language(token.info) == COMMAND_LANGUAGE:
            yield from fence_commands(token.content)


def fence_language(info: str) -> str:
    """The language word of a fence's info string: "kubectl" for ```kubectl title=x."""
    words = info.split()
    return words[0].lower() if words else ""


def fence_commands(content: str) -> Iterator[str]:
    """One command per non-empty line of a ```kubectl fence, without a `$ ` prompt or `kubectl`."""
    for line in content.split("\n"):
        line = line.strip().removeprefix("$ ").strip()
        if not line or line.startswith("#"):
            continue
        if line == "kubectl" or line.startswith("kubectl "):
            line = line.removeprefix("kubectl").strip()
        yield line


def plain_text(markdown: str, *, without_title: bool = False) -> str:
    """The slide's words without Markdown syntax, for search; optionally without its title."""
    parts: list[str] = []
    tokens = markdown_parser().parse(markdown)
    title_at = next((i + 1 for i, t in enumerate(tokens) if t.type == "heading_open"), None)
    for index, token in enumerate(tokens):
        if without_title and index == title_at:
            continue
        if token.type == "inline":
            parts.append(plain_inline(token))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.strip())
    return "\n".join(p for p in parts if p)


# --- search ----------------------------------------------------------------------------------

_EXCERPT_RADIUS = 60


@dataclass(frozen=True)
class _Folded:
    """Text reduced to lower-case letters and digits, with where each kept character came from,
    so "Replica Set", "replica-sets" and "ReplicaSet" all contain "replicaset"."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, text: str) -> _Folded:
        kept = [(i, c) for i, c in enumerate(text.lower()) if c.isalnum()]
        return cls("".join(c for _, c in kept), [i for i, _ in kept])

    def find_all(self, needle: str) -> list[int]:
        found, start = [], self.text.find(needle)
        while needle and start != -1:
            found.append(start)
            start = self.text.find(needle, start + len(needle))
        return found


def stem(term: str) -> str:
    """A crude English stem, enough for plurals of Kubernetes nouns: pods → pod,
    replicasets → replicaset, policies → policy, services → service."""
    word = _Folded.of(term).text
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def title_rank(title: str, needle: str) -> int:
    """How squarely a title is about `needle` (a stem): 3 the title is the term ("Service",
    "Replica Set"), 2 one of its words is ("The Service and its endpoints"), 1 it contains it
    ("Replica Sets and Pods" for replicaset), 0 not at all."""
    folded = _Folded.of(title).text
    if not needle or needle not in folded:
        return 0
    if stem(title) == needle:
        return 3
    if needle in {stem(word) for word in re.findall(r"[^\W_]+", title)}:
        return 2
    return 1


def search(decks: Iterable[Deck], term: str) -> list[tuple[Deck, Slide, str]]:
    """Slides that mention `term`, best first: the slide whose title is the term, then titles with
    it as a word (shorter titles first: they are more about it), then titles merely containing it,
    then body matches (more first), then deck order. Case, spaces and punctuation are ignored and
    plurals reduced, so "replicaset" finds "ReplicaSet", "Replica Set" and "replica sets". Each hit
    comes with a plain-text excerpt."""
    needle = stem(term)
    if not needle:
        return []
    scored: list[tuple[tuple[int, int, int, int, int], Deck, Slide, str]] = []
    for deck_index, deck in enumerate(decks):
        for slide in deck.slides:
            rank = title_rank(slide.title, needle)
            body = plain_text(slide.markdown, without_title=True)
            folded = _Folded.of(body)
            body_hits = folded.find_all(needle)
            if rank or body_hits:
                excerpt = (
                    _excerpt(body, folded, body_hits[0], len(needle)) if body_hits else _head(body)
                )
                # A title that is mostly the term beats a long one that mentions it in passing.
                words = len(slide.title.split()) if rank else 0
                key = (-rank, words, -len(body_hits), deck_index, slide.number)
                scored.append((key, deck, slide, excerpt))
    scored.sort(key=lambda row: row[0])
    return [(deck, slide, excerpt) for _, deck, slide, excerpt in scored]


def _excerpt(text: str, folded: _Folded, at: int, length: int) -> str:
    begin = folded.origin[at]
    end = folded.origin[at + length - 1] + 1
    start, stop = max(0, begin - _EXCERPT_RADIUS), min(len(text), end + _EXCERPT_RADIUS)
    # Widen to whole words so an excerpt never starts or ends mid-word.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while stop < len(text) and not text[stop].isspace():
        stop += 1
    snippet = " ".join(text[start:stop].split())
    return ("…" if start > 0 else "") + snippet + ("…" if stop < len(text) else "")


def _head(text: str) -> str:
    words = " ".join(text.split())
    return (
        words
        if len(words) <= 2 * _EXCERPT_RADIUS
        else words[: 2 * _EXCERPT_RADIUS].rsplit(" ", 1)[0] + "…"
    )
