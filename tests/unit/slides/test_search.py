from __future__ import annotations

from pathlib import Path

from bot.slides.deck import Deck, parse_deck, search, stem, title_rank


def test_replicaset_finds_every_spelling(course: Deck) -> None:
    hits = search([course], "replicaset")
    assert hits[0][1].title == "ReplicaSet"  # title match first
    numbers = [slide.number for _, slide, _ in hits]
    assert len(numbers) == len(set(numbers)) >= 3
    for query in ("ReplicaSets", "replica set", "Replica-Sets"):
        assert [s.number for _, s, _ in search([course], query)] == numbers


def test_etcd(course: Deck) -> None:
    hits = search([course], "ETCD")
    assert hits[0][1].title == "etcd"
    assert all("etcd" in excerpt.lower() for _, _, excerpt in hits)


def test_spellings_in_text(tmp_path: Path) -> None:
    deck = parse_deck(
        "# One\n\nA Replica Set here.\n\n---\n\n# Two\n\nMany replica sets, ReplicaSet.\n\n---\n\n"
        "# ReplicaSet\n\nnothing\n\n---\n\n# Other\n\npods only\n",
        tmp_path / "d.md",
    )
    hits = search([deck], "replicaset")
    assert [s.title for _, s, _ in hits] == ["ReplicaSet", "Two", "One"]
    assert hits[1][2] == "Many replica sets, ReplicaSet."
    assert search([deck], "") == [] and search([deck], "kubelet") == []


def test_excerpt_is_short_and_marked(course: Deck) -> None:
    for _, _, excerpt in search([course], "scheduler"):
        assert len(excerpt) <= 160


def test_stem() -> None:
    assert stem("Pods") == "pod"
    assert stem("policies") == "policy"
    assert stem("ingress") == "ingress"
    assert stem("Replica Sets") == "replicaset"


def test_the_slide_named_after_the_term_comes_first(course: Deck) -> None:
    # The real deck: "Service" above "Exercise 3: Create a Service + Deployment", whose body says
    # "service" more often; every slide with the word in its title above body-only matches.
    hits = [slide for _, slide, _ in search([course], "service")]
    assert hits[0].title == "Service"
    titled = [s for s in hits if "service" in s.title.lower()]
    assert hits[: len(titled)] == titled
    exercise = next(s for s in hits if s.title.startswith("Exercise 3"))
    assert hits.index(exercise) > hits.index(next(s for s in hits if s.title == "Service"))
    assert next(s.title for _, s, _ in search([course], "services")) == "Service"


def test_title_rank() -> None:
    assert title_rank("Service", "service") == 3
    assert title_rank("Replica Set", "replicaset") == 3
    assert title_rank("The Service and its endpoints", "service") == 2
    assert title_rank("Exercise 4: Interact with Services", "service") == 2
    assert title_rank("Replica Sets and Pods", "replicaset") == 1
    assert title_rank("Pods", "service") == 0


def test_shorter_titles_and_more_body_hits_break_ties(tmp_path: Path) -> None:
    deck = parse_deck(
        "# Create a Service and a Deployment\n\nservice service service\n\n---\n\n# The Service\n\nnone\n\n"
        "---\n\n# A\n\nservice\n\n---\n\n# B\n\nservice, services\n\n---\n\n# Service\n\nx\n",
        tmp_path / "d.md",
    )
    assert [s.title for _, s, _ in search([deck], "service")] == [
        "Service",
        "The Service",
        "Create a Service and a Deployment",
        "B",
        "A",
    ]
