"""`FakeWatches`: the shared namespace streams (bot/watch/ports.Watches) held in memory, for
tests of what subscribes to them. The test puts and deletes objects (or `emit`s a change as the
hub would report it); each subscriber of that namespace and kind is told at once, as the real hub
tells its subscribers, and `replay` gives a new subscriber what is held, as the hub does."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.kubectl.errors import ClusterError
from bot.watch.ports import Change, ChangeType, OnChange, Snapshot


class _Subscription:
    def __init__(self, owner: FakeWatches, key: tuple[str, str], on_change: OnChange) -> None:
        self._owner = owner
        self.key = key
        self.on_change = on_change
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self in self._owner.subscriptions:
            self._owner.subscriptions.remove(self)


class FakeWatches:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
        self.subscriptions: list[_Subscription] = []
        self.failures: dict[tuple[str, str], Exception] = {}  # snapshot raises these
        self.version = 0
        self.subscribed: list[tuple[str, str, bool]] = []  # (namespace, kind, replay), in order

    @property
    def cluster(self) -> dict[tuple[str, str], dict[str, Mapping[str, Any]]]:
        """The objects by (namespace, kind): set entries to have them before anyone watches."""
        return self.objects

    def subscribe(
        self, namespace: str, kind: str, on_change: OnChange, *, replay: bool = False
    ) -> _Subscription:
        subscription = _Subscription(self, (namespace, kind), on_change)
        self.subscribed.append((namespace, kind, replay))
        self.subscriptions.append(subscription)
        if replay:
            for obj in self._held(namespace, kind):
                on_change(Change("ADDED", namespace, kind, obj))
        return subscription

    async def snapshot(self, namespace: str, kind: str, *, timeout: float) -> Snapshot:
        failure = self.failures.get((namespace, kind))
        if failure is not None:
            raise failure
        return Snapshot(namespace, kind, tuple(self._held(namespace, kind)), str(self.version))

    def subscribers(self, namespace: str, kind: str) -> int:
        return sum(1 for s in self.subscriptions if s.key == (namespace, kind))

    def put(self, namespace: str, kind: str, obj: Mapping[str, Any]) -> None:
        held = self.objects.setdefault((namespace, kind), {})
        name = str(obj["metadata"]["name"])
        change: ChangeType = "MODIFIED" if name in held else "ADDED"
        self.version += 1
        stored = copy.deepcopy(dict(obj))
        stored["metadata"]["resourceVersion"] = str(self.version)
        held[name] = stored
        self._tell(Change(change, namespace, kind, stored))

    def delete(self, namespace: str, kind: str, name: str) -> None:
        obj = self.objects.get((namespace, kind), {}).pop(name)
        self.version += 1
        self._tell(Change("DELETED", namespace, kind, obj))

    def emit(self, type_: ChangeType, kind: str, obj: Mapping[str, Any]) -> None:
        """The object changed in the cluster as `type_` says: held (or dropped) and told."""
        meta = obj.get("metadata") or {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        held = self.objects.setdefault((namespace, kind), {})
        stored = copy.deepcopy(dict(obj))
        if type_ == "DELETED":
            held.pop(name, None)
        else:
            held[name] = stored
        self.version += 1
        self._tell(Change(type_, namespace, kind, stored))

    def forbid(self, namespace: str, kind: str) -> None:
        self.failures[(namespace, kind)] = ClusterError(
            "Forbidden",
            f'{kind} is forbidden: User "podium" cannot list resource "{kind}" in the namespace "{namespace}"',
            403,
        )

    def _held(self, namespace: str, kind: str) -> list[Mapping[str, Any]]:
        held = self.objects.get((namespace, kind), {})
        return [held[name] for name in sorted(held)]

    def _tell(self, change: Change) -> None:
        for subscription in list(self.subscriptions):
            if subscription.key == (change.namespace, change.kind):
                subscription.on_change(change)
