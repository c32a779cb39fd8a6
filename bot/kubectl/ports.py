"""What the kubectl feature reads from a cluster, as a Protocol: `ClusterGateway` is the real one
(bot/kubectl/gateway.py), tests pass a fake. Reads only, as Podium never writes."""

from __future__ import annotations

from typing import Any, Protocol


class KubectlGateway(Protocol):
    @property
    def server(self) -> str: ...

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]: ...

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]: ...

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
