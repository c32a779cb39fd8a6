"""The resource types the emulator serves, and the discovery documents kubectl needs from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# What a real API server advertises for ordinary resources (RBAC decides who may use them).
ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Subresource:
    name: str
    verbs: tuple[str, ...]
    kind: str = ""  # defaults to the parent's kind
    group: str | None = None  # set when the subresource speaks another group (scale → autoscaling)
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[Subresource, ...] = ()
    stored: bool = True  # False for "virtual" resources such as SelfSubjectAccessReview

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def qualified(self) -> str:
        """``pods`` or ``deployments.apps``: how the API server names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


_STATUS = Subresource("status", ("get", "patch", "update"))
_SCALE = Subresource(
    "scale", ("get", "patch", "update"), kind="Scale", group="autoscaling", version="v1"
)

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ("ns",), subresources=(_STATUS,)),
    ResourceType("", "v1", "nodes", "node", "Node", False, ("no",), subresources=(_STATUS,)),
    ResourceType(
        "", "v1", "pods", "pod", "Pod", True, ("po",), ("all",),
        subresources=(Subresource("log", ("get",)), _STATUS),
    ),
    ResourceType("", "v1", "services", "service", "Service", True, ("svc",), ("all",), subresources=(_STATUS,)),
    ResourceType("", "v1", "endpoints", "endpoints", "Endpoints", True, ("ep",)),
    ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", True, ("cm",)),
    ResourceType("", "v1", "secrets", "secret", "Secret", True),
    ResourceType("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ("sa",),
                 subresources=(Subresource("token", ("create",), "TokenRequest", "authentication.k8s.io", "v1"),)),
    ResourceType("", "v1", "events", "event", "Event", True, ("ev",)),
    ResourceType("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", True, ("quota",),
                 subresources=(_STATUS,)),
    ResourceType("", "v1", "limitranges", "limitrange", "LimitRange", True, ("limits",)),
    ResourceType(
        "apps", "v1", "deployments", "deployment", "Deployment", True, ("deploy",), ("all",),
        subresources=(_SCALE, _STATUS),
    ),
    ResourceType(
        "apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ("rs",), ("all",),
        subresources=(_SCALE, _STATUS),
    ),
    ResourceType("batch", "v1", "jobs", "job", "Job", True, (), ("all",), subresources=(_STATUS,)),
    ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", True),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
                 "ClusterRoleBinding", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", True),
    ResourceType("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", True),
    ResourceType(
        "authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview",
        "SelfSubjectReview", False, verbs=("create",), stored=False,
    ),
    ResourceType(
        "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
        "SelfSubjectAccessReview", False, verbs=("create",), stored=False,
    ),
    ResourceType(
        "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview",
        "SelfSubjectRulesReview", False, verbs=("create",), stored=False,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Registry:
    resources: tuple[ResourceType, ...] = RESOURCES
    _by_kind: dict[tuple[str, str], ResourceType] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for r in self.resources:
            self._by_kind[(r.api_version, r.kind)] = r

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return next(
            (
                r
                for r in self.resources
                if (r.group, r.version, r.plural) == (group, version, plural)
            ),
            None,
        )

    def for_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_kind.get((api_version, kind))

    def group_versions(self) -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        for r in self.resources:
            if r.group and (r.group, r.version) not in seen:
                seen.append((r.group, r.version))
        return seen

    def has_group_version(self, group: str, version: str) -> bool:
        return any((r.group, r.version) == (group, version) for r in self.resources)

    # Discovery documents ------------------------------------------------------------------------

    def api_versions(self, server_address: str) -> dict[str, Any]:
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
            ],
        }

    def api_group_list(self) -> dict[str, Any]:
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [
                self.api_group(group)
                for group in dict.fromkeys(g for g, _ in self.group_versions())
            ],
        }

    def api_group(self, group: str) -> dict[str, Any]:
        versions = [
            {"groupVersion": f"{g}/{v}", "version": v}
            for g, v in self.group_versions()
            if g == group
        ]
        return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": versions,
                "preferredVersion": versions[0]}  # fmt: skip

    def api_resource_list(self, group: str, version: str) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        for r in self._in(group, version):
            entry: dict[str, Any] = {
                "name": r.plural,
                "singularName": r.singular,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": list(r.verbs),
            }
            if r.short_names:
                entry["shortNames"] = list(r.short_names)
            if r.categories:
                entry["categories"] = list(r.categories)
            entries.append(entry)
            for sub in r.subresources:
                sub_entry: dict[str, Any] = {
                    "name": f"{r.plural}/{sub.name}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": sub.kind or r.kind,
                    "verbs": list(sub.verbs),
                }
                if sub.group is not None:
                    sub_entry.update(group=sub.group, version=sub.version)
                entries.append(sub_entry)
        group_version = f"{group}/{version}" if group else version
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": entries,
        }

    def _in(self, group: str, version: str) -> Iterable[ResourceType]:
        return (r for r in self.resources if (r.group, r.version) == (group, version))
