"""The course deck parses into the slides the course needs, and the parser reads Marp's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slides.deck import Deck, DeckError, load_deck, load_decks, parse_deck
from tests.harness.paths import SLIDES


def test_course_front_matter(course: Deck) -> None:
    assert course.title == "Kubernetes 101"
    assert course.author == "Marcelo Schirbel Gomes"
    assert course.description
    assert course.key == "kubernetes-101"
    assert course.front_matter["marp"] is True


def test_course_covers_the_seed_deck(course: Deck) -> None:
    titles = [s.title for s in course.slides]
    for expected in (
        "Today",
        "kubelet",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-proxy",
        "kube-scheduler",
        "etcd",
        "Namespace",
        "Pod",
        "ReplicaSet",
        "Deployment",
        "Service",
        "get",
        "apply",
        "describe",
        "logs",
        "port-forward",
        "exec",
        "Demo",
        "Any questions?",
    ):
        assert expected in titles, expected
    sections = {s.section for s in course.slides}
    assert {
        "Architecture",
        "Components",
        "Objects",
        "Interactions",
        "Demo",
        "Exercises",
    } <= sections


def test_every_slide_has_a_title_and_notes_where_it_teaches(course: Deck) -> None:
    assert [s.number for s in course.slides] == list(range(1, len(course.slides) + 1))
    for slide in course.slides:
        assert slide.title, slide.number
        assert "<!--" not in slide.markdown, slide.number  # notes and directives taken out
    teaching = [s for s in course.slides if not s.starts_section and not s.is_questions]
    assert [s.number for s in teaching if not s.notes.strip()] == []  # the presenter has a note


def test_exercises_and_questions(course: Deck) -> None:
    assert sorted(course.exercises) == [1, 2, 3, 4]
    assert "Multi-container Pod" in course.exercises[1].title
    assert "Create a Deployment" in course.exercises[2].title
    assert "Service + Deployment" in course.exercises[3].title
    assert "Interact with Services" in course.exercises[4].title
    questions = [s for s in course.slides if s.is_questions]
    assert [s.title for s in questions] == ["Any questions?"]
    assert questions[0].number == len(course.slides)


def test_demo_commands_are_kubectl_fences_without_the_prefix(course: Deck) -> None:
    commands = {c for s in course.slides if s.section == "Demo" for c in s.commands}
    assert {
        "get pods",
        "describe deploy nginx",
        "logs deploy/nginx --tail 20",
        "get svc nginx",
        "get endpoints nginx",
    } <= commands
    # Terminal-only commands are ```sh fences: never a Run button.
    everything = [c for s in course.slides for c in s.commands]
    assert not [
        c for c in everything if c.split()[0] in ("apply", "exec", "port-forward", "delete")
    ]


def test_seed_mistakes_are_not_taught(course: Deck) -> None:
    bodies = "\n".join(s.markdown for s in course.slides)
    assert "8080 8080" not in bodies
    assert "round-robin" not in bodies.lower()
    assert "--all-namespaces" not in bodies
    assert "kubectl exec -it" in bodies
    assert "8080:80" in bodies


def test_images_parsed_with_alt_text(course: Deck) -> None:
    images = [i for s in course.slides for i in s.images]
    assert len(images) >= 5
    for image in images:
        assert image.path.startswith("images/") and image.path.endswith(".png")
        assert image.alt and not image.alt.startswith(("h:", "w:"))  # Marp keywords dropped


def test_load_decks_skips_the_readme_and_the_changes() -> None:
    decks = load_decks(SLIDES)
    assert (SLIDES / "CHANGES.md").is_file()
    assert [d.path.name for d in decks] == sorted(
        p.name for p in SLIDES.glob("*.md") if p.name not in ("README.md", "CHANGES.md")
    )


DECK = """---
title: T
author: A
description: D
---

<!-- section: Intro -->

# First <!-- not a note: inline -->

Hello

<!-- _class: lead -->

<!--
Say hello.
-->

---

## Second

```yaml
a: 1
---
b: 2
```

```kubectl
$ kubectl get pods
# a comment line
get svc
```

![w:300 A picture](images/x.png)

<!-- exercise: 2 -->
<!-- questions -->

---

## Fourth
"""


def test_parse_rules(tmp_path: Path) -> None:
    deck = parse_deck(DECK, tmp_path / "t.md")
    assert [s.title for s in deck.slides] == ["First", "Second", "Fourth"]
    first, second, third = deck.slides
    assert first.notes == "Say hello."  # `_class` is a Marp directive, not a note
    assert first.section == second.section == "Intro" and first.starts_section
    assert second.commands == ["get pods", "get svc"]
    assert "b: 2" in second.markdown  # `---` inside a fence does not split the slide
    assert second.images[0].alt == "A picture"
    assert second.exercise == 2 and second.is_questions
    assert second.line > first.line
    assert third.title == "Fourth"


def test_front_matter_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n# x\n")
    with pytest.raises(DeckError):
        load_deck(bad)
    with pytest.raises(DeckError):
        parse_deck("---\ntitle: x\n# never closed\n", tmp_path / "x.md")
    deck = parse_deck("# No front matter\n", tmp_path / "plain.md")
    assert deck.title == "No front matter" and deck.author == ""


def test_slide_lookup(course: Deck) -> None:
    assert course.slide(1).title == "Kubernetes 101"
    with pytest.raises(IndexError):
        course.slide(0)
    with pytest.raises(IndexError):
        course.slide(len(course.slides) + 1)
