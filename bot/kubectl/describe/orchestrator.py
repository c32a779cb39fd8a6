"""`kubectl describe`: fetch what kubectl fetches for each kind, then print with the describers.

Follows kubectl's `describe` command: named objects are described in the order given and a
missing one becomes an error after the others (`Error from server (NotFound): ...`); with one
name that does not exist kubectl falls back to describing every object whose name starts with it
(not for namespaces: Podium reads a namespace by its exact name only);
without names (or with `-l`) every matching object is described. Descriptions are separated by
two blank lines, and Events are shown only when exactly one object is described (kubectl 1.37's
`--show-events` default). Related reads that fail never fail the description (kubectl ignores them
too, except a ConfigMap's events and a namespace's quotas and limit ranges, whose sections we leave
out instead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from bot.kubectl.answer import cluster_error_line
from bot.kubectl.errors import ClusterError
from bot.kubectl.policy import DescribeRequest

from .common import Obj, meta, selector_string
from .misc import describe_configmap, describe_namespace
from .network import describe_endpoint_slice, describe_endpoints, describe_service
from .pod import describe_pod
from .workloads import (
    PodCounts,
    describe_deployment,
    describe_job,
    describe_replica_set,
    split_replica_sets,
)


class DescribeReads(Protocol):
    """The reads describe makes: the ClusterGateway, or the service's redacting reads in front of it."""

    async def get(self, plural: str, namespace: str | None, name: str) -> Mapping[str, Any]: ...

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Sequence[Mapping[str, Any]]: ...


@dataclass(frozen=True)
class DescribeResult:
    """What kubectl would print: `text` on stdout, `errors` (one line each) and `notice` on stderr."""

    text: str
    errors: tuple[str, ...] = ()
    notice: str | None = None  # "No resources found in sandbox namespace."

    @property
    def stderr(self) -> str:
        return "".join(
            line + "\n" for line in (*self.errors, *((self.notice,) if self.notice else ()))
        )


def error_text(error: ClusterError) -> str:
    """How kubectl reports an API error: `Error from server (NotFound): pods "x" not found`."""
    return cluster_error_line(error)


@dataclass
class _Describer:
    gateway: DescribeReads
    namespace: str
    now: datetime
    tz: tzinfo
    show_events: bool = True

    async def events(self, obj: Obj, kind: str | None) -> list[Obj] | None:
        """`searchEvents`: kubectl leaves the kind out for pods; a failed list shows `<none>`.
        None (no Events section, nothing fetched) unless exactly one object is described."""
        if not self.show_events:
            return None
        m = meta(obj)
        fields = {
            "involvedObject.name": m.get("name", ""),
            "involvedObject.namespace": m.get("namespace", ""),
            "involvedObject.uid": m.get("uid", ""),
        }
        if kind:
            fields["involvedObject.kind"] = kind
        selector = ",".join(f"{k}={fields[k]}" for k in sorted(fields))
        return await self._list_or_empty("events", selector=None, field_selector=selector)

    async def _list_or_empty(
        self,
        plural: str,
        *,
        selector: str | None,
        field_selector: str | None = None,
        namespace: str | None = None,
    ) -> list[Obj]:
        try:
            # list(): a list of the gateway's dicts as the read-only Obj this module works on.
            return list(
                await self.gateway.list(
                    plural,
                    namespace or self.namespace,
                    label_selector=selector,
                    field_selector=field_selector,
                )
            )
        except ClusterError:
            return []

    async def describe(self, plural: str, obj: Obj) -> str:
        handler: Callable[[Obj], Awaitable[str]] = getattr(self, f"_{plural}")
        return await handler(obj)

    async def _pods(self, pod: Obj) -> str:
        return describe_pod(pod, await self.events(pod, None), self.now, self.tz)

    async def _deployments(self, deploy: Obj) -> str:
        events, replica_sets = await asyncio.gather(
            self.events(deploy, "Deployment"), self._replica_sets_of(deploy)
        )
        if replica_sets is None:
            return describe_deployment(deploy, [], [], events, self.now, self.tz)
        split = split_replica_sets(deploy, replica_sets)
        return describe_deployment(
            deploy, split.old, [split.new] if split.new else [], events, self.now, self.tz
        )

    async def _replica_sets_of(self, deploy: Obj) -> list[Obj] | None:
        try:
            return list(
                await self.gateway.list(
                    "replicasets",
                    self.namespace,
                    label_selector=selector_string((deploy.get("spec") or {}).get("selector"))
                    or None,
                )
            )
        except ClusterError:
            return None  # kubectl then prints neither OldReplicaSets nor NewReplicaSet

    async def _replicasets(self, rs: Obj) -> str:
        selector = selector_string((rs.get("spec") or {}).get("selector")) or None

        async def pods() -> PodCounts | str:
            try:
                return PodCounts.of(
                    rs, await self.gateway.list("pods", self.namespace, label_selector=selector)
                )
            except ClusterError as exc:
                return exc.message

        counts, events = await asyncio.gather(pods(), self.events(rs, "ReplicaSet"))
        return describe_replica_set(rs, counts, events, self.now)

    async def _jobs(self, job: Obj) -> str:
        return describe_job(job, await self.events(job, "Job"), self.now, self.tz)

    async def _services(self, svc: Obj) -> str:
        name = meta(svc).get("name", "")
        slices, events = await asyncio.gather(
            self._list_or_empty("endpointslices", selector=f"kubernetes.io/service-name={name}"),
            self.events(svc, "Service"),
        )
        return describe_service(svc, slices, events, self.now)

    async def _endpoints(self, ep: Obj) -> str:
        return describe_endpoints(ep, await self.events(ep, "Endpoints"), self.now)

    async def _endpointslices(self, eps: Obj) -> str:
        return describe_endpoint_slice(eps, await self.events(eps, "EndpointSlice"), self.now)

    async def _configmaps(self, cm: Obj) -> str:
        return describe_configmap(cm, await self.events(cm, "ConfigMap"), self.now)

    async def _namespaces(self, ns: Obj) -> str:
        name = meta(ns).get("name", "")

        async def optional(plural: str) -> list[Obj] | None:
            try:
                return list(await self.gateway.list(plural, name))
            except ClusterError:
                return (
                    None  # NotFound: kubectl omits the section; Forbidden: kubectl fails, we omit
                )

        quotas, limits = await asyncio.gather(optional("resourcequotas"), optional("limitranges"))
        return describe_namespace(ns, quotas, limits, self.tz)


async def describe(
    gateway: DescribeReads, request: DescribeRequest, now: datetime | None = None, tz: tzinfo = UTC
) -> DescribeResult:
    """Run `kubectl describe KIND [NAME…] [-l SELECTOR] -n NAMESPACE` through the gateway.

    `now` is the clock ages are measured against (default: the current time); `tz` is the zone
    absolute times are printed in (kubectl uses its machine's local zone).
    """
    now = now or datetime.now(UTC)
    plural = request.kind.plural
    namespace = None if not request.kind.namespaced else request.namespace
    describer = _Describer(gateway, request.namespace, now, tz)
    texts: list[str] = []
    errors: list[str] = []

    if plural == "namespaces" and not request.names:
        # Namespaces are read by name only: listing them would read every namespace of the
        # cluster, other participants' included (the policy always names the asker's own).
        return DescribeResult("", ("error: Podium describes namespaces by name only.",))
    if request.names:
        objects: list[Obj] = []
        for name in request.names:
            try:
                objects.append(await gateway.get(plural, namespace, name))
            except ClusterError as exc:
                # kubectl falls back to every object whose name starts with a missing one; for
                # namespaces that would list the whole cluster and describe `ws-u0gone-admin`
                # for `ws-u0gone`: a namespace is described by its exact name or not at all.
                if exc.reason == "NotFound" and len(request.names) == 1 and plural != "namespaces":
                    return await _describe_prefix(describer, plural, namespace, name, exc)
                errors.append(error_text(exc))
        # kubectl 1.37 shows events only when one object is asked for (`--show-events` defaults).
        describer.show_events = len(request.names) == 1
        texts = list(await asyncio.gather(*(describer.describe(plural, obj) for obj in objects)))
        return DescribeResult(_join(texts), tuple(errors))

    try:
        objects = list(await gateway.list(plural, namespace, label_selector=request.selector))
    except ClusterError as exc:
        return DescribeResult("", (error_text(exc),))
    if not objects:
        return DescribeResult("", (), f"No resources found in {request.namespace} namespace.")
    describer.show_events = len(objects) == 1
    texts = list(await asyncio.gather(*(describer.describe(plural, obj) for obj in objects)))
    return DescribeResult(_join(texts))


def _join(texts: list[str]) -> str:
    """kubectl prints the first description as is and every next one after `\\n\\n`."""
    return "\n\n".join(texts)


async def _describe_prefix(
    describer: _Describer, plural: str, namespace: str | None, prefix: str, original: ClusterError
) -> DescribeResult:
    """`DescribeMatchingResources`: `describe pod web` describes every pod named `web…`, each followed by
    a newline; none matching reports the original NotFound."""
    try:
        candidates = await describer.gateway.list(plural, namespace)
    except ClusterError as exc:
        return DescribeResult("", (error_text(exc),))
    matching = [obj for obj in candidates if str(meta(obj).get("name", "")).startswith(prefix)]
    if not matching:
        return DescribeResult("", (error_text(original),))
    describer = replace(describer, show_events=False)  # never for prefix matches
    texts = await asyncio.gather(*(describer.describe(plural, obj) for obj in matching))
    return DescribeResult("".join(text + "\n" for text in texts))


__all__ = ["DescribeResult", "describe", "error_text"]
