"""slides/CHANGES.md: every correction of the deck, with its slide, what was said, what is said
now, why, and a source — and the speaker notes no longer carry that history."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.slides.deck import Deck
from tests.harness.paths import SLIDES

CHANGES = SLIDES / "CHANGES.md"
_HEADING = re.compile(r"^## Slide (?P<number>\d+) — (?P<title>.+)$", re.MULTILINE)
_FIELDS = ("Said", "Now", "Why", "Source")
# A source is kubernetes.io (docs, blog) or a KEP (the enhancements repository or its index).
_SOURCE = re.compile(
    r"https://(?:kubernetes\.io/|github\.com/kubernetes/enhancements/"
    r"|kubernetes\.dev/resources/keps/)\S+"
)


@dataclass(frozen=True)
class Entry:
    number: int
    title: str
    fields: dict[str, str]


def parse_changes(text: str) -> list[Entry]:
    """The `## Slide N — Title` entries, each with its `- **Field:** text` bullets."""
    entries = []
    starts = list(_HEADING.finditer(text))
    for match, following in zip(starts, [*starts[1:], None]):
        body = text[match.end() : following.start() if following else len(text)]
        body = body.split("\n# ", 1)[0]  # a top-level heading ends the entry
        fields = {
            m[1]: " ".join(m[2].split())
            for m in re.finditer(
                r"^- \*\*(\w+):\*\* (.+?)(?=^- \*\*|\Z)", body, re.MULTILINE | re.DOTALL
            )
        }
        entries.append(Entry(int(match["number"]), match["title"].strip(), fields))
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_changes(CHANGES.read_text(encoding="utf-8"))


def test_every_entry_names_a_slide_of_the_deck(course: Deck, entries: list[Entry]) -> None:
    titles = {s.number: s.title for s in course.slides}
    assert len(entries) >= 30
    for entry in entries:
        assert titles.get(entry.number) == entry.title, (entry.number, entry.title)


def test_every_entry_has_said_now_why_and_a_source(entries: list[Entry]) -> None:
    for entry in entries:
        assert set(entry.fields) == set(_FIELDS), (entry.number, entry.fields.keys())
        assert all(entry.fields[f] for f in _FIELDS), entry.number
        source = entry.fields["Source"]
        # Only entries that correct no Kubernetes fact may go without a URL, and they say why.
        assert _SOURCE.search(source) or re.match(r"none — \w", source), (entry.number, source)
    with_url = [e for e in entries if _SOURCE.search(e.fields["Source"])]
    assert len(with_url) >= len(entries) * 3 // 4


def test_the_issue_table_is_recorded(entries: list[Entry]) -> None:
    # Issue 15's table: slide number → a word of what the deck says now.
    expected = {
        21: "restarted in place",
        6: "bare Pod",
        20: "per kind",
        45: "nginx.sandbox",
        14: "deprecated",
        47: "ws-<id>",
        26: "exercise 3",
        17: "API server",
        7: "output is shown",
        35: "redundant",
    }
    for number, words in expected.items():
        now = [e.fields["Now"] for e in entries if e.number == number]
        assert any(words in text for text in now), (number, now)


def test_speaker_notes_speak_to_the_presenter(course: Deck) -> None:
    history = re.compile(
        r"original deck|the seed|seed deck|correction from|the deck's (?:last|second) sentence",
        re.IGNORECASE,
    )
    for slide in course.slides:
        assert not history.search(slide.notes), (slide.number, history.search(slide.notes))


def test_parser_reads_fields_and_stops_at_a_top_level_heading() -> None:
    text = (
        "# Intro\n\n## Slide 3 — Pod\n\n- **Said:** a\n  b\n- **Now:** c\n- **Why:** d\n"
        "- **Source:** https://kubernetes.io/x\n\n# Later\n\ntext\n"
    )
    [entry] = parse_changes(text)
    assert entry == Entry(
        3, "Pod", {"Said": "a b", "Now": "c", "Why": "d", "Source": "https://kubernetes.io/x"}
    )
