"""A question in plain words → the word to search the decks for. Pure.

`SlideSearch.search` finds slides about one term, so we pick the most telling word of the
question: a word that names a slide (in its title) beats one that only appears in the text, and
among those the rarest wins ("what is the difference between a deployment and a replicaset"
→ replicaset). Two words written apart ("replica set") are tried together first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from bot.slides.deck import Deck, search, stem

# Words that say nothing about the topic of a question.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "describe",
        "did",
        "difference",
        "differences",
        "do",
        "does",
        "doing",
        "done",
        "each",
        "else",
        "even",
        "ever",
        "example",
        "explain",
        "for",
        "from",
        "get",
        "give",
        "got",
        "had",
        "has",
        "have",
        "having",
        "help",
        "here",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "know",
        "kind",
        "like",
        "make",
        "many",
        "me",
        "mean",
        "means",
        "meaning",
        "more",
        "most",
        "much",
        "my",
        "need",
        "no",
        "not",
        "now",
        "of",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "please",
        "really",
        "same",
        "see",
        "should",
        "show",
        "so",
        "some",
        "something",
        "tell",
        "than",
        "thank",
        "thanks",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "understand",
        "up",
        "us",
        "use",
        "used",
        "using",
        "very",
        "vs",
        "want",
        "was",
        "way",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "work",
        "works",
        "would",
        "yes",
        "you",
        "your",
    ]
)

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def keywords(question: str) -> list[str]:
    """The words of a question that may name a topic, in order, without repeats."""
    words = [w.lower().strip("-") for w in _WORD.findall(question)]
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in STOP_WORDS))


def search_term(decks: Iterable[Deck], question: str) -> str | None:
    """The term whose slide search best answers the question; None when no slide matches."""
    decks = list(decks)
    words = keywords(question)
    candidates = [f"{a} {b}" for a, b in pairwise(words)] + words
    best: tuple[int, int, int] | None = None
    chosen: str | None = None
    for order, term in enumerate(candidates):
        hits = search(decks, term)
        if not hits:
            continue
        in_title = any(stem(term) in stem(slide.title) for _, slide, _ in hits)
        is_pair = " " in term
        # Smaller is better: pairs and title words first, then the rarest, then the earliest.
        rank = (0 if is_pair and in_title else 1 if in_title else 2, len(hits), order)
        if best is None or rank < best:
            best, chosen = rank, term
    return chosen
