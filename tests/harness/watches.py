"""An in-memory `Watches` (bot/watch/ports.py) for tests that need the shared streams without a
cluster: `emit(change)` is what the hub would report after the API server's watch event. It
keeps the objects like an informer does, replays them to a subscriber that asks, and counts
how many streams are open (one per namespace and kind, however many subscribers)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.watch.ports import Change, ChangeType, OnChange, Snapshot


@dataclass
class _Stream:
    objects: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    subscribers: list[OnChange] = field(default_factory=list)


class _Subscription:
    def __init__(self, watches: FakeWatches, key: tuple[str, str], on_change: OnChange) -> None:
        self._watches, self._key, self._on_change = watches, key, on_change

    def cancel(self) -> None:
        stream = self._watches.streams.get(self._key)
        if stream is not None and self._on_change in stream.subscribers:
            stream.subscribers.remove(self._on_change)
            if not stream.subscribers:
                del self._watches.streams[self._key]


class FakeWatches:
    def __init__(self) -> None:
        self.streams: dict[tuple[str, str], _Stream] = {}
        # Objects that exist before anyone watches (what a new stream's first list returns).
        self.cluster: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
        self.subscribed: list[tuple[str, str, bool]] = []

    def subscribe(
        self, namespace: str, kind: str, on_change: OnChange, *, replay: bool = False
    ) -> _Subscription:
        key = (namespace, kind)
        self.subscribed.append((namespace, kind, replay))
        stream = self.streams.get(key)
        if stream is None:
            stream = self.streams[key] = _Stream(dict(self.cluster.get(key, {})))
        stream.subscribers.append(on_change)
        if replay:
            for obj in list(stream.objects.values()):
                on_change(Change("ADDED", namespace, kind, obj))
        return _Subscription(self, key, on_change)

    async def snapshot(self, namespace: str, kind: str, *, timeout: float) -> Snapshot:
        stream = self.streams.get((namespace, kind))
        objects = stream.objects if stream else self.cluster.get((namespace, kind), {})
        return Snapshot(namespace, kind, tuple(objects[n] for n in sorted(objects)), "1")

    def emit(self, type_: ChangeType, kind: str, obj: Mapping[str, Any]) -> None:
        """The object changed in the cluster: every subscriber of its stream hears it."""
        meta = obj.get("metadata") or {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        key = (namespace, kind)
        obj = copy.deepcopy(dict(obj))
        held = self.cluster.setdefault(key, {})
        if type_ == "DELETED":
            held.pop(name, None)
        else:
            held[name] = obj
        stream = self.streams.get(key)
        if stream is None:
            return
        if type_ == "DELETED":
            stream.objects.pop(name, None)
        else:
            stream.objects[name] = obj
        for on_change in list(stream.subscribers):
            on_change(Change(type_, namespace, kind, obj))
