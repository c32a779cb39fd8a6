"""What features see of the namespace streams (bot/watch/hub.py is the real one; tests pass a
fake). Pure: no I/O, no client.

A stream behaves like an informer: it keeps the objects of one kind in one namespace as the API
server last said they were, and tells subscribers of every change. After a reconnect or a
`410 Gone` re-list, the hub compares the new list with what it held and reports the differences
as ADDED/MODIFIED/DELETED, so a subscriber never misses a change and never needs to know that a
re-list happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]

# The kinds a stream may watch: what Podium may `list` (manifests/podium/clusterrole.yaml),
# named by their plural as kubectl and the gateway name them.
WATCHABLE = frozenset(
    {"pods", "events", "jobs", "deployments", "replicasets", "endpoints", "services"}
)


@dataclass(frozen=True)
class Change:
    """One object changed in one namespace's stream. `obj` is the API's JSON (for DELETED, the
    last state the stream knew), with `kind` and `apiVersion` filled in."""

    type: ChangeType
    namespace: str
    kind: str  # plural: "pods"
    obj: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name") or "")


@dataclass(frozen=True)
class Snapshot:
    """The objects of one kind in one namespace as the stream holds them now, sorted by name,
    and the resourceVersion they are at."""

    namespace: str
    kind: str
    objects: tuple[Mapping[str, Any], ...]
    resource_version: str


class WatchesOff(Exception):
    """Watching is switched off (PODIUM_WATCH=off) or Podium is shutting down: the feature
    answers without a stream (reads once, or says so). The message is one line for people."""


# Called on the event loop for each change; must not block (enqueue work instead).
OnChange = Callable[[Change], None]


class Subscription(Protocol):
    def cancel(self) -> None:
        """Stop receiving changes. The stream stops when its last subscriber leaves."""


class Watches(Protocol):
    """The shared namespace streams."""

    def subscribe(
        self, namespace: str, kind: str, on_change: OnChange, *, replay: bool = False
    ) -> Subscription:
        """Receive every change of `kind` in `namespace` from now on, starting the stream if
        nobody watched it yet. With `replay`, first an ADDED for each object the stream already
        holds (and, for a new stream, each object of its first list)."""
        ...

    async def snapshot(self, namespace: str, kind: str, *, timeout: float) -> Snapshot:
        """What the stream holds once it has listed at least once (waiting up to `timeout`
        seconds for the first list of a new stream). The caller subscribes first: a stream with
        no subscriber stops. Raises ClusterError when the list fails (e.g. Forbidden), or
        TimeoutError.

        Both raise WatchesOff when watching is off."""
        ...
