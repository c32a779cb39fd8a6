"""Controllers for the API emulator: what follows a write (Deployment → ReplicaSet → Pods, ...).

# placeholder: replaced by the CONTROLLERS helper's module
Only the interface lives here until then: the emulator (``kube_api``) calls ``reconcile`` after
every successful write, with its object store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.devkit.kube_logs import LogStore


class ObjectStore(Protocol):
    """What the controllers need from the emulator's store."""

    def list(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]: ...
    def get(self, resource: str, namespace: str, name: str) -> dict[str, Any] | None: ...
    def put(self, obj: dict[str, Any]) -> dict[str, Any]: ...  # create or replace; uid, creationTimestamp, resourceVersion
    def remove(self, resource: str, namespace: str, name: str) -> dict[str, Any] | None: ...


def reconcile(store: ObjectStore, logs: LogStore, namespace: str, now: datetime) -> None:
    # placeholder: replaced by the CONTROLLERS helper's module
    return None
