"""Kubernetes RBAC evaluation over seeded Role/RoleBinding/ClusterRole/ClusterRoleBinding documents.

Mirrors ``plugin/pkg/auth/authorizer/rbac``: a request is allowed when any rule reachable through a
binding that names the user (or one of its groups, or its ServiceAccount) covers the request's
verb, API group, resource (+ subresource) and name. A RoleBinding only grants inside its own
namespace; a ClusterRoleBinding grants everywhere. There are no deny rules. On top of seeded RBAC,
every authenticated user gets what a fresh cluster's bootstrap roles give them (discovery and the
self-review APIs), and members of ``system:masters`` are allowed everything, as in a real cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podium_devkit.kube_selectors import selector_from_match

RBAC_API_GROUP = "rbac.authorization.k8s.io"
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
SUPERUSER_GROUP = "system:masters"


@dataclass(frozen=True)
class UserInfo:
    name: str
    groups: tuple[str, ...] = ()

    @classmethod
    def for_name(cls, name: str, extra_groups: Sequence[str] = ()) -> UserInfo:
        """Groups the API server's authenticators attach to a username."""
        groups: list[str] = list(extra_groups)
        parts = name.split(":")
        if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"]:
            groups += ["system:serviceaccounts", f"system:serviceaccounts:{parts[2]}"]
        groups.append("system:authenticated")
        return cls(name, tuple(dict.fromkeys(groups)))


@dataclass(frozen=True)
class Attributes:
    """What the authorizer sees of a request (``authorizer.Attributes``)."""

    user: UserInfo
    verb: str
    resource_request: bool = True
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""


@dataclass(frozen=True)
class PolicyRule:
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, rule: Mapping[str, Any]) -> PolicyRule:
        return cls(
            verbs=tuple(rule.get("verbs") or ()),
            api_groups=tuple(rule.get("apiGroups") or ()),
            resources=tuple(rule.get("resources") or ()),
            resource_names=tuple(rule.get("resourceNames") or ()),
            non_resource_urls=tuple(rule.get("nonResourceURLs") or ()),
        )

    def allows(self, a: Attributes) -> bool:
        if not ("*" in self.verbs or a.verb in self.verbs):
            return False
        if not a.resource_request:
            return any(
                url == "*" or url == a.path or (url.endswith("*") and a.path.startswith(url[:-1]))
                for url in self.non_resource_urls
            )
        return (
            ("*" in self.api_groups or a.api_group in self.api_groups)
            and self._resource_matches(a)
            and (not self.resource_names or a.name in self.resource_names)
        )

    def _resource_matches(self, a: Attributes) -> bool:
        combined = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
        for r in self.resources:
            if r == "*" or r == combined:
                return True
            # "*/scale" style rules match that subresource of every resource.
            if a.subresource and r == f"*/{a.subresource}":
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verbs": list(self.verbs)}
        if self.non_resource_urls:
            out["nonResourceURLs"] = list(self.non_resource_urls)
            return out
        out["apiGroups"] = list(self.api_groups)
        out["resources"] = list(self.resources)
        if self.resource_names:
            out["resourceNames"] = list(self.resource_names)
        return out


@dataclass(frozen=True)
class Subject:
    kind: str  # User | Group | ServiceAccount
    name: str
    namespace: str = ""

    def matches(self, user: UserInfo, binding_namespace: str) -> bool:
        if self.kind == "User":
            return self.name == user.name
        if self.kind == "Group":
            return self.name in user.groups
        if self.kind == "ServiceAccount":
            namespace = self.namespace or binding_namespace
            return user.name == f"system:serviceaccount:{namespace}:{self.name}"
        return False

    def describe(self, binding_namespace: str) -> str:
        if self.kind == "ServiceAccount":
            return f'{self.kind} "{self.name}/{self.namespace or binding_namespace}"'
        return f'{self.kind} "{self.name}"'


@dataclass(frozen=True)
class Role:
    kind: str  # Role | ClusterRole
    name: str
    namespace: str  # "" for ClusterRoles
    rules: tuple[PolicyRule, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    aggregation: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Binding:
    kind: str  # RoleBinding | ClusterRoleBinding
    name: str
    namespace: str  # "" for ClusterRoleBindings
    role_kind: str
    role_name: str
    subjects: tuple[Subject, ...]

    def describe(self, subject: Subject) -> str:
        # Same wording as the RBAC authorizer's "allowed by ..." reasons.
        name = f"{self.name}/{self.namespace}" if self.namespace else self.name
        return f'{self.kind} "{name}" of {self.role_kind} "{self.role_name}" to {subject.describe(self.namespace)}'


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


# What a fresh cluster grants every authenticated user (system:discovery, system:basic-user,
# system:public-info-viewer): discovery documents and the self-review APIs.
BOOTSTRAP_RULES: tuple[PolicyRule, ...] = (
    PolicyRule(
        verbs=("get",),
        non_resource_urls=(
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/openapi",
            "/openapi/*",
            "/version",
            "/version/",
            "/healthz",
            "/livez",
            "/readyz",
        ),
    ),
    PolicyRule(
        verbs=("create",),
        api_groups=("authorization.k8s.io",),
        resources=("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
    ),
    PolicyRule(
        verbs=("create",), api_groups=("authentication.k8s.io",), resources=("selfsubjectreviews",)
    ),
)


@dataclass(frozen=True)
class Authorizer:
    roles: Mapping[tuple[str, str, str], Role] = field(
        default_factory=dict
    )  # (kind, namespace, name)
    bindings: tuple[Binding, ...] = ()

    @classmethod
    def from_objects(cls, documents: Iterable[Mapping[str, Any]]) -> Authorizer:
        roles: dict[tuple[str, str, str], Role] = {}
        bindings: list[Binding] = []
        for doc in documents:
            kind = doc.get("kind", "")
            meta = doc.get("metadata") or {}
            name = meta.get("name", "")
            if kind in ("Role", "ClusterRole"):
                namespace = (meta.get("namespace") or "default") if kind == "Role" else ""
                aggregation = tuple(
                    (doc.get("aggregationRule") or {}).get("clusterRoleSelectors") or ()
                )
                rules = tuple(PolicyRule.from_dict(r) for r in doc.get("rules") or ())
                roles[(kind, namespace, name)] = Role(
                    kind, name, namespace, rules, meta.get("labels") or {}, aggregation
                )
            elif kind in ("RoleBinding", "ClusterRoleBinding"):
                namespace = (meta.get("namespace") or "default") if kind == "RoleBinding" else ""
                ref = doc.get("roleRef") or {}
                subjects = tuple(
                    Subject(s.get("kind", ""), s.get("name", ""), s.get("namespace") or "")
                    for s in doc.get("subjects") or ()
                )
                bindings.append(
                    Binding(
                        kind, name, namespace, ref.get("kind", ""), ref.get("name", ""), subjects
                    )
                )
        return cls(roles, tuple(bindings))

    @property
    def empty(self) -> bool:
        return not self.roles and not self.bindings

    def _rules_of(self, binding: Binding) -> tuple[PolicyRule, ...]:
        namespace = binding.namespace if binding.role_kind == "Role" else ""
        role = self.roles.get((binding.role_kind, namespace, binding.role_name))
        if role is None:
            return ()
        rules = list(role.rules)
        # Aggregated ClusterRoles (like "view") collect the rules of ClusterRoles their selectors match.
        for selector in role.aggregation:
            match = selector_from_match(selector)
            for other in self.roles.values():
                if (
                    other.kind == "ClusterRole"
                    and other is not role
                    and match.matches(other.labels)
                ):
                    rules.extend(other.rules)
        return tuple(rules)

    def _applicable(
        self, user: UserInfo, namespace: str
    ) -> Iterable[tuple[Binding, Subject, PolicyRule]]:
        """(binding, subject, rule) triples in force for ``user`` in ``namespace`` ("" = cluster scope)."""
        for binding in self.bindings:
            if binding.kind == "RoleBinding" and binding.namespace != namespace:
                continue
            subject = next(
                (s for s in binding.subjects if s.matches(user, binding.namespace)), None
            )
            if subject is None:
                continue
            for rule in self._rules_of(binding):
                yield binding, subject, rule

    def authorize(self, a: Attributes) -> Decision:
        if SUPERUSER_GROUP in a.user.groups:
            return Decision(True, "")
        if "system:authenticated" in a.user.groups and any(
            rule.allows(a) for rule in BOOTSTRAP_RULES
        ):
            return Decision(True, "")
        # Cluster-wide bindings are checked first, then bindings in the request's namespace.
        for binding, subject, rule in self._applicable(a.user, ""):
            if rule.allows(a):
                return Decision(True, f"RBAC: allowed by {binding.describe(subject)}")
        if a.namespace:
            for binding, subject, rule in self._applicable(a.user, a.namespace):
                if rule.allows(a):
                    return Decision(True, f"RBAC: allowed by {binding.describe(subject)}")
        return Decision(False, "")

    def rules_for(self, user: UserInfo, namespace: str) -> list[PolicyRule]:
        """The rules a SelfSubjectRulesReview reports for ``namespace``."""
        rules: list[PolicyRule] = []
        if SUPERUSER_GROUP in user.groups:
            rules += [
                PolicyRule(("*",), ("*",), ("*",)),
                PolicyRule(("*",), non_resource_urls=("*",)),
            ]
        if "system:authenticated" in user.groups:
            rules += BOOTSTRAP_RULES
        for scope in ("", namespace) if namespace else ("",):
            rules += [rule for _, _, rule in self._applicable(user, scope)]
        return list(dict.fromkeys(rules))


def forbidden_message(a: Attributes, qualified_resource: str) -> str:
    """The API server's Forbidden message (``responsewriters.forbiddenMessage`` + ``NewForbidden``)."""
    if not a.resource_request:
        return f'forbidden: User "{a.user.name}" cannot {a.verb} path "{a.path}"'
    resource = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
    if a.namespace:
        why = (
            f'User "{a.user.name}" cannot {a.verb} resource "{resource}" in API group "{a.api_group}" '
            f'in the namespace "{a.namespace}"'
        )
    else:
        why = f'User "{a.user.name}" cannot {a.verb} resource "{resource}" in API group "{a.api_group}" at the cluster scope'
    subject = f'{qualified_resource} "{a.name}"' if a.name else qualified_resource
    return f"{subject} is forbidden: {why}"


# ----------------------------------------------------------------------------------------------
# Bootstrap ClusterRoles every cluster has (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
# ----------------------------------------------------------------------------------------------

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-"

# The rules the aggregation controller materialises into view/edit/admin, for the API groups a
# cluster of this version serves (upstream's, minus groups the emulator does not serve at all
# would change nothing: a rule for an unknown resource grants nothing).
_VIEW_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["configmaps", "endpoints", "persistentvolumeclaims",
                                      "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                                      "replicationcontrollers/scale", "serviceaccounts", "services",
                                      "services/status"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["bindings", "events", "limitranges", "namespaces/status", "pods/log",
                                      "pods/status", "replicationcontrollers/status", "resourcequotas",
                                      "resourcequotas/status"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": _READ},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": _READ},
    {"apiGroups": ["apps"], "resources": ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                                          "deployments/scale", "deployments/status", "replicasets",
                                          "replicasets/scale", "replicasets/status", "statefulsets",
                                          "statefulsets/scale", "statefulsets/status"], "verbs": _READ},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
     "verbs": _READ},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], "verbs": _READ},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets", "poddisruptionbudgets/status"], "verbs": _READ},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingresses/status", "networkpolicies"],
     "verbs": _READ},
]  # fmt: skip
_EDIT_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                                      "services/proxy"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    {"apiGroups": [""], "resources": ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
     "verbs": _WRITE},
    {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                                      "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                                      "services/proxy"], "verbs": _WRITE},
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    {"apiGroups": ["apps"], "resources": ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                                          "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"],
     "verbs": _WRITE},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": _WRITE},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": _WRITE},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": _WRITE},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": _WRITE},
]  # fmt: skip
_ADMIN_RULES: list[dict[str, Any]] = [
    {"apiGroups": ["authorization.k8s.io"], "resources": ["localsubjectaccessreviews"], "verbs": ["create"]},
    {"apiGroups": [RBAC_API_GROUP], "resources": ["rolebindings", "roles"], "verbs": [*_READ, *_WRITE]},
]  # fmt: skip


def bootstrap_cluster_roles() -> list[dict[str, Any]]:
    """``cluster-admin``, ``admin``, ``edit`` and ``view`` as a fresh cluster holds them (aggregated
    rules already filled in, as the clusterrole-aggregation controller leaves them)."""

    def role(
        name: str, rules: list[dict[str, Any]], labels: dict[str, str], aggregate: str | None
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "apiVersion": f"{RBAC_API_GROUP}/v1",
            "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", **labels},
                         "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
            "rules": [dict(r) for r in rules],
        }  # fmt: skip
        if aggregate:
            doc["aggregationRule"] = {
                "clusterRoleSelectors": [{"matchLabels": {f"{_AGGREGATE}{aggregate}": "true"}}]
            }
        return doc

    return [
        role("cluster-admin", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                               {"nonResourceURLs": ["*"], "verbs": ["*"]}], {}, None),
        role("admin", _VIEW_RULES + _EDIT_RULES + _ADMIN_RULES, {}, "admin"),
        role("edit", _VIEW_RULES + _EDIT_RULES, {f"{_AGGREGATE}admin": "true"}, "edit"),
        role("view", _VIEW_RULES, {f"{_AGGREGATE}edit": "true"}, "view"),
    ]  # fmt: skip
