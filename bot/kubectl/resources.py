"""The resource kinds Podium knows, with kubectl's names for them (plural, singular, short)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceKind:
    plural: str  # canonical name, as in the API path ("pods")
    kind: str  # "Pod"
    singular: str
    short_names: tuple[str, ...] = ()
    group: str = ""  # "" is the core group
    namespaced: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.plural, self.singular, *self.short_names)

    @property
    def kubectl_name(self) -> str:
        """How kubectl spells the type in messages: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


KINDS: tuple[ResourceKind, ...] = (
    ResourceKind("pods", "Pod", "pod", ("po",)),
    ResourceKind("services", "Service", "service", ("svc",)),
    ResourceKind("endpoints", "Endpoints", "endpoints", ("ep",)),
    ResourceKind("configmaps", "ConfigMap", "configmap", ("cm",)),
    ResourceKind("events", "Event", "event", ("ev",)),
    ResourceKind("namespaces", "Namespace", "namespace", ("ns",), namespaced=False),
    ResourceKind("deployments", "Deployment", "deployment", ("deploy",), group="apps"),
    ResourceKind("replicasets", "ReplicaSet", "replicaset", ("rs",), group="apps"),
    ResourceKind("jobs", "Job", "job", (), group="batch"),
    # Known so that asking for them gets a precise refusal instead of "unknown resource".
    ResourceKind("secrets", "Secret", "secret", ()),
    ResourceKind("nodes", "Node", "node", ("no",), namespaced=False),
    ResourceKind("endpointslices", "EndpointSlice", "endpointslice", (), group="discovery.k8s.io"),
)

_BY_NAME = {name: kind for kind in KINDS for name in kind.names}
_BY_NAME.update({kind.kind.lower(): kind for kind in KINDS})


def lookup(name: str) -> ResourceKind | None:
    """Find a kind by any of kubectl's spellings, also `deployments.apps` or `Pod`."""
    key = name.lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    base, _, group = key.partition(".")
    kind = _BY_NAME.get(base)
    if kind and group and group in (kind.group, f"{kind.group}.k8s.io") and kind.group:
        return kind
    return None
