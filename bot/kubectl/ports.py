"""What the kubectl feature reads from a cluster, as a Protocol: `ClusterGateway` is the real one
(bot/kubectl/gateway.py), tests pass a fake. Reads only, as Podium never writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # types only: the policy and answers import nothing from here
    from bot.kubectl.answer import Answer
    from bot.kubectl.policy import WatchRequest


class ClusterReads(Protocol):
    """Reading objects: what describe-like code needs."""

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]: ...

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]: ...


class LogReads(Protocol):
    """A container's log: what a failing-pod DM quotes."""

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        previous: bool = False,
        timestamps: bool = False,
        limit_bytes: int | None = None,
    ) -> str: ...


class ClusterLogReads(ClusterReads, LogReads, Protocol):
    """Objects and a container's log: what `kubectl logs` and the exercise checks read."""


class KubectlGateway(ClusterLogReads, Protocol):
    """Everything `/kubectl` asks of a cluster: reads, logs, the server's name and access reviews."""

    @property
    def server(self) -> str: ...

    async def can_i(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        *,
        group: str = "",
        subresource: str = "",
        name: str = "",
    ) -> tuple[bool, str]: ...


class Watcher(Protocol):
    """Starts `get -w` sessions (bot/watch/get_watch.py): a table posted where the command came
    from and updated in place for a bounded time. Returns the answer for the person who asked:
    where the watch is, or one line saying why not."""

    async def start(
        self, request: WatchRequest, *, user: str | None, channel: str | None, source: str
    ) -> Answer: ...
