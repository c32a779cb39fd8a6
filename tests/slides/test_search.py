from __future__ import annotations

from pathlib import Path

from bot.slides.deck import Deck, parse_deck, search, stem


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
