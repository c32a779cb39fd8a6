"""Fakes of the slides feature's Protocols (bot/slides/ports.py): what was posted, edited and
DMed, recorded in memory; a real presentation store on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.slides.deck import Deck, parse_deck
from bot.slides.rooms import SlideRooms, build_slide_rooms
from bot.store.presentations import PresentationStore

DECK = """---
title: Pods
author: a
description: d
---

# Pods

The smallest unit.

<!-- Say hello. -->

---

## ReplicaSets

A ReplicaSet keeps pods running.

---

## Services

A Service finds pods by label.

<!-- Mention kube-proxy. -->
"""


def deck(tmp_path: Path) -> Deck:
    return parse_deck(DECK, tmp_path / "pods.md")


class FakePublisher:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []
        self.dms: list[tuple[str, dict[str, Any]]] = []
        self.fail_updates = False

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        first: bool = False,
    ) -> str:
        self.posts.append((channel, message))
        return f"{len(self.posts)}.000"

    async def update(
        self, channel: str, ts: str, message: dict[str, Any], *, first: bool = False
    ) -> None:
        if self.fail_updates:
            raise RuntimeError("message_not_found")
        self.updates.append((channel, ts, message))

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        self.dms.append((user_id, message))
        return f"D{user_id}", f"9{len(self.dms)}.000"

    async def permalink(self, channel: str, ts: str) -> str | None:
        return f"https://slack.test/archives/{channel}/p{ts.replace('.', '')}"


class FakeImages:
    def __init__(self) -> None:
        self.prepared: list[Path] = []

    def prepare(self, images: Iterable[tuple[Path, str]]) -> None:
        self.prepared.extend(path for path, _ in images)

    async def ref(self, path: Path, title: str) -> dict[str, str] | None:
        return None

    async def forget(self, file_ids: Iterable[str]) -> None:
        return None

    async def close(self) -> None:
        return None


def never_refused(error: Exception, message: Mapping[str, Any]) -> set[str]:
    return set()


def rooms(
    the_deck: Deck,
    store: PresentationStore,
    publisher: FakePublisher,
    instructors: frozenset[str] = frozenset(),
) -> SlideRooms:
    return build_slide_rooms([the_deck], store, publisher, FakeImages(), never_refused, instructors)


def text_of(message: Mapping[str, Any]) -> str:
    """Everything a message says, blocks included, for asserting on what people see."""
    return f"{message.get('text', '')} {message.get('blocks', '')}"
