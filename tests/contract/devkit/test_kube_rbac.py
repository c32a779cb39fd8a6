from __future__ import annotations

import yaml

from podium_devkit.kube_rbac import Attributes, Authorizer, PolicyRule, UserInfo, forbidden_message

SEED = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: sandbox}
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list]
  - apiGroups: [apps]
    resources: [deployments]
    verbs: ["*"]
    resourceNames: [nginx]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: sandbox}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
  - {kind: ServiceAccount, name: podium}          # namespace defaults to the binding's
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-viewer}
rules:
  - {apiGroups: [""], resources: [nodes], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-sees-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-viewer}
subjects:
  - {kind: Group, name: "system:serviceaccounts"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scaler}
rules:
  - {apiGroups: ["*"], resources: ["*/scale"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-scales, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}
subjects:
  - {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregate-view}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {view: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view-configmaps, labels: {view: "true"}}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-views}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregate-view}
subjects:
  - {kind: User, name: bob}
"""

PODIUM = UserInfo.for_name("system:serviceaccount:sandbox:podium")
OTHER_SA = UserInfo.for_name("system:serviceaccount:other:podium")


def authorizer() -> Authorizer:
    return Authorizer.from_objects(yaml.safe_load_all(SEED))


def allowed(user: UserInfo, verb: str, resource: str, namespace: str = "", **kw: str) -> bool:
    return (
        authorizer()
        .authorize(Attributes(user, verb, namespace=namespace, resource=resource, **kw))
        .allowed
    )


def test_service_account_groups() -> None:
    assert PODIUM.groups == (
        "system:serviceaccounts",
        "system:serviceaccounts:sandbox",
        "system:authenticated",
    )
    assert UserInfo.for_name("alice").groups == ("system:authenticated",)


def test_role_binding_grants_only_in_its_namespace() -> None:
    assert allowed(PODIUM, "list", "pods", "sandbox")
    assert not allowed(PODIUM, "list", "pods", "kube-system")
    assert not allowed(PODIUM, "list", "pods", "")  # all namespaces = cluster scope
    assert not allowed(OTHER_SA, "list", "pods", "sandbox")  # same name, other namespace


def test_verbs_and_subresources() -> None:
    assert allowed(PODIUM, "get", "pods", "sandbox", subresource="log")
    assert not allowed(PODIUM, "get", "pods", "sandbox", subresource="exec")
    assert not allowed(PODIUM, "delete", "pods", "sandbox")
    assert not allowed(PODIUM, "watch", "pods", "sandbox")
    assert not allowed(PODIUM, "list", "secrets", "sandbox")


def test_api_groups_and_resource_names() -> None:
    assert allowed(PODIUM, "get", "deployments", "sandbox", api_group="apps", name="nginx")
    assert allowed(PODIUM, "delete", "deployments", "sandbox", api_group="apps", name="nginx")
    assert not allowed(PODIUM, "get", "deployments", "sandbox", api_group="apps", name="other")
    assert not allowed(
        PODIUM, "list", "deployments", "sandbox", api_group="apps"
    )  # no name to match
    assert not allowed(PODIUM, "get", "deployments", "sandbox", api_group="", name="nginx")


def test_cluster_role_binding_to_group() -> None:
    assert allowed(PODIUM, "list", "nodes")
    assert allowed(OTHER_SA, "get", "nodes", name="n1")
    assert not allowed(UserInfo.for_name("alice"), "list", "nodes")


def test_wildcard_subresource_rule_via_rolebinding_to_clusterrole() -> None:
    alice = UserInfo.for_name("alice")
    assert allowed(
        alice, "get", "deployments", "team", api_group="apps", name="x", subresource="scale"
    )
    assert not allowed(alice, "get", "deployments", "team", api_group="apps", name="x")
    assert not allowed(
        alice, "get", "deployments", "other", api_group="apps", name="x", subresource="scale"
    )


def test_aggregated_cluster_role() -> None:
    assert allowed(UserInfo.for_name("bob"), "list", "configmaps", "anywhere")


def test_bootstrap_rules_and_superusers() -> None:
    auth = Authorizer()
    review = Attributes(
        PODIUM, "create", api_group="authorization.k8s.io", resource="selfsubjectaccessreviews"
    )
    assert auth.authorize(review).allowed
    assert auth.authorize(
        Attributes(PODIUM, "get", resource_request=False, path="/apis/apps/v1")
    ).allowed
    assert not auth.authorize(
        Attributes(PODIUM, "get", resource_request=False, path="/metrics")
    ).allowed
    assert not auth.authorize(
        Attributes(PODIUM, "list", namespace="sandbox", resource="pods")
    ).allowed
    admin = UserInfo.for_name("kubernetes-admin", ["system:masters"])
    assert auth.authorize(
        Attributes(admin, "delete", namespace="kube-system", resource="pods")
    ).allowed


def test_allowed_reason_names_the_binding() -> None:
    decision = authorizer().authorize(
        Attributes(PODIUM, "list", namespace="sandbox", resource="pods")
    )
    assert decision.reason == (
        'RBAC: allowed by RoleBinding "reader/sandbox" of Role "reader" to ServiceAccount "podium/sandbox"'
    )


def test_rules_for_lists_namespace_and_cluster_rules() -> None:
    rules = authorizer().rules_for(PODIUM, "sandbox")
    assert PolicyRule(("get", "list"), ("",), ("pods", "pods/log")) in rules
    assert PolicyRule(("get", "list"), ("",), ("nodes",)) in rules
    assert all("secrets" not in r.resources for r in rules)


def test_forbidden_messages() -> None:
    attrs = Attributes(PODIUM, "list", namespace="kube-system", resource="pods")
    assert forbidden_message(attrs, "pods") == (
        'pods is forbidden: User "system:serviceaccount:sandbox:podium" cannot list resource "pods" '
        'in API group "" in the namespace "kube-system"'
    )
    named = Attributes(
        PODIUM, "get", namespace="s", api_group="apps", resource="deployments", name="x"
    )
    assert forbidden_message(named, "deployments.apps").startswith(
        'deployments.apps "x" is forbidden: '
    )
    cluster = Attributes(PODIUM, "list", resource="namespaces")
    assert forbidden_message(cluster, "namespaces").endswith('in API group "" at the cluster scope')
    log = Attributes(PODIUM, "get", namespace="s", resource="pods", subresource="log", name="p")
    assert 'cannot get resource "pods/log"' in forbidden_message(log, "pods")
