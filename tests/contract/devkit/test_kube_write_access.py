"""Who may write: a participant's `edit` grant, RBAC writes taking effect at once, tokens bound
to their ServiceAccount, and Podium's own identity staying read-only."""

from __future__ import annotations

import asyncio
import base64
import re
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from podium_devkit.kube_rbac import Attributes, Authorizer, UserInfo
from tests.harness.emulator import Http, Kubectl
from tests.harness.kubectl_binary import kubectl_binary

ADMIN = KubeEmulator.ADMIN_TOKEN
PARTICIPANT = "system:serviceaccount:ws-u1:participant"
ACCESS = """\
apiVersion: v1
kind: Namespace
metadata: {name: ws-u1}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: participant, namespace: ws-u1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: participant-edit, namespace: ws-u1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: participant, namespace: ws-u1}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers: [{name: hello, image: "nginx:1.27"}]
"""


def kubectl_as(
    emulator: KubeEmulator, tmp_path: Path, name: str, token: str, namespace: str
) -> Kubectl:
    home = tmp_path / f"{name}-home"
    home.mkdir()
    return Kubectl(
        kubectl_binary(),
        emulator.write_kubeconfig(tmp_path / f"{name}.kubeconfig", namespace, token),
        home,
    )


async def issue_token(http: Http, namespace: str, account: str, seconds: int = 600) -> str:
    status, body = await http.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token", token=ADMIN,
        json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": seconds}},
    )  # fmt: skip
    assert status == 201, body
    return body["status"]["token"]


@pytest.fixture
async def participant(
    running_demo: KubeEmulator, http: Http, tmp_path: Path
) -> tuple[Kubectl, Kubectl]:
    """(admin kubectl, participant kubectl): ws-u1 provisioned by applying its access manifest."""
    admin = kubectl_as(running_demo, tmp_path, "admin", ADMIN, "sandbox")
    manifest = tmp_path / "access.yaml"
    manifest.write_text(ACCESS, encoding="utf-8")
    code, out, err = await admin("apply", "-f", str(manifest))
    assert code == 0, err
    assert out.splitlines() == ["namespace/ws-u1 created", "serviceaccount/participant created",
                                "rolebinding.rbac.authorization.k8s.io/participant-edit created"]  # fmt: skip
    token = await issue_token(http, "ws-u1", "participant")
    return admin, kubectl_as(running_demo, tmp_path, "participant", token, "ws-u1")


async def test_participant_edits_their_namespace_and_nothing_else(participant: tuple[Kubectl, Kubectl], tmp_path: Path,
                                                                  running_demo: KubeEmulator) -> None:  # fmt: skip
    _, you = participant
    manifest = tmp_path / "hello.yaml"
    manifest.write_text(DEPLOYMENT, encoding="utf-8")
    code, out, err = await you("apply", "-f", str(manifest))
    assert (code, out) == (0, "deployment.apps/hello created\n"), err
    assert (await you("scale", "deploy/hello", "--replicas=2"))[:2] == (
        0,
        "deployment.apps/hello scaled\n",
    )
    assert running_demo.get_object("deployments", "ws-u1", "hello")["spec"]["replicas"] == 2

    code, _, err = await you("apply", "-f", str(manifest), "-n", "sandbox")
    assert code == 1 and err.strip() == (
        f"Error from server (Forbidden): error when retrieving current configuration of:\nResource: "
        f'"apps/v1, Resource=deployments", GroupVersionKind: "apps/v1, Kind=Deployment"\nName: "hello", '
        f'Namespace: "sandbox"\nfrom server for: "{manifest}": deployments.apps "hello" is forbidden: User '
        f'"{PARTICIPANT}" cannot get resource "deployments" in API group "apps" in the namespace "sandbox"'
    )
    code, _, err = await you(
        "create", "rolebinding", "mine", "--clusterrole=admin", "--serviceaccount=ws-u1:participant"
    )
    assert (
        code == 1
        and (
            f'rolebindings.rbac.authorization.k8s.io is forbidden: User "{PARTICIPANT}" cannot create resource '
            '"rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "ws-u1"'
        )
        in err
    )
    code, _, err = await you("create", "quota", "more", "--hard=pods=100")
    assert code == 1 and f'User "{PARTICIPANT}" cannot create resource "resourcequotas"' in err
    code, _, err = await you("delete", "namespace", "ws-u1")
    assert code == 1 and 'namespaces "ws-u1" is forbidden' in err
    assert (await you("auth", "can-i", "create", "secrets"))[:2] == (0, "yes\n")
    assert (await you("auth", "can-i", "update", "limitranges"))[:2] == (1, "no\n")


async def test_rbac_writes_change_decisions_at_once(participant: tuple[Kubectl, Kubectl]) -> None:
    admin, you = participant
    assert (await you("get", "deployments"))[0] == 0
    code, out, err = await admin("delete", "rolebinding", "participant-edit", "-n", "ws-u1")
    assert code == 0, err
    code, _, err = await you("get", "deployments")
    assert code == 1 and f'User "{PARTICIPANT}" cannot list resource "deployments"' in err
    code, _, err = await admin("create", "rolebinding", "participant-view", "-n", "ws-u1", "--clusterrole=view",
                               "--serviceaccount=ws-u1:participant")  # fmt: skip
    assert code == 0, err
    assert (await you("get", "deployments"))[0] == 0
    assert (await you("auth", "can-i", "create", "deployments"))[:2] == (1, "no\n")
    assert (await you("auth", "can-i", "get", "secrets"))[:2] == (
        1,
        "no\n",
    )  # view never reads secrets


async def test_token_dies_with_its_service_account(participant: tuple[Kubectl, Kubectl]) -> None:
    admin, you = participant
    assert (await you("get", "pods"))[0] == 0
    assert (await admin("delete", "serviceaccount", "participant", "-n", "ws-u1"))[0] == 0
    code, _, err = await you("get", "pods")
    assert code == 1 and "You must be logged in to the server" in err
    # A new ServiceAccount of the same name is another account: the old token stays dead.
    assert (await admin("create", "serviceaccount", "participant", "-n", "ws-u1"))[0] == 0
    code, _, err = await you("get", "pods")
    assert code == 1 and "You must be logged in to the server" in err


async def test_expired_token_is_unauthorized() -> None:
    clock = [datetime(2025, 6, 2, 12, 0, tzinfo=UTC)]
    emulator = KubeEmulator.from_paths(*demo_seed_paths(), now=lambda: clock[0])
    async with emulator, aiohttp.ClientSession(emulator.url) as session:
        http = Http(session)
        status, _ = await http.request("POST", "/api/v1/namespaces", token=ADMIN,
                                       json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ws-u2"}})  # fmt: skip
        assert status == 201
        token = await issue_token(http, "ws-u2", "default", seconds=600)
        assert (await http.get("/api/v1/namespaces/ws-u2/pods", token=token))[
            0
        ] == 403  # authenticated, no grant
        clock[0] += timedelta(seconds=599)
        assert (await http.get("/api/v1/namespaces/ws-u2/pods", token=token))[0] == 403
        clock[0] += timedelta(seconds=1)
        status, body = await http.get("/api/v1/namespaces/ws-u2/pods", token=token)
        assert (status, body["reason"]) == (401, "Unauthorized")


async def test_podium_stays_read_only(running_demo: KubeEmulator, http: Http) -> None:
    """Least privilege: manifests/podium + manifests/sandbox give Podium reads and nothing else."""
    podium = UserInfo.for_name(KubeEmulator.DEFAULT_USER)
    namespaces = [n["metadata"]["name"] for n in running_demo.objects("namespaces")]
    assert {"sandbox", "podium", "kube-system"} <= set(namespaces)
    for rtype in running_demo.registry.resources:
        if not rtype.stored:
            continue
        for namespace in namespaces if rtype.namespaced else [""]:
            for verb in ("create", "update", "patch", "delete", "deletecollection"):
                for subresource in ("", *(s.name for s in rtype.subresources)):
                    attributes = Attributes(podium, verb, namespace=namespace, api_group=rtype.group,
                                            resource=rtype.plural, subresource=subresource)  # fmt: skip
                    assert not running_demo.authorizer.authorize(attributes).allowed, attributes
    for verb in ("get", "list", "watch"):
        attributes = Attributes(podium, verb, namespace="sandbox", resource="secrets")
        assert not running_demo.authorizer.authorize(attributes).allowed
    # And over the wire, for the kinds a workshop writes.
    for path, body in (
        ("/api/v1/namespaces/sandbox/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
        ("/apis/apps/v1/namespaces/sandbox/deployments", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}),
        ("/apis/rbac.authorization.k8s.io/v1/namespaces/sandbox/rolebindings", {"metadata": {"name": "x"}}),
        ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
    ):  # fmt: skip
        status, answer = await http.request("POST", path, json=body)
        assert (
            status == 403
            and answer["reason"] == "Forbidden"
            and "cannot create resource" in answer["message"]
        )
    status, _ = await http.request("PATCH", "/apis/apps/v1/namespaces/sandbox/deployments/nginx/scale",
                                   json={"spec": {"replicas": 9}}, headers={"Content-Type": "application/merge-patch+json"})  # fmt: skip
    assert (
        status == 403
        and running_demo.get_object("deployments", "sandbox", "nginx")["spec"]["replicas"] == 3
    )
    status, _ = await http.request("GET", "/api/v1/namespaces/sandbox/secrets/db-credentials")
    assert status == 403


def test_bootstrap_cluster_roles_exist_and_edit_is_bounded(demo_emulator: KubeEmulator) -> None:
    names = {r["metadata"]["name"] for r in demo_emulator.objects("clusterroles")}
    assert {"cluster-admin", "admin", "edit", "view", "podium-read"} <= names
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "b", "namespace": "ws-u1"},
               "roleRef": {"kind": "ClusterRole", "name": "edit"},
               "subjects": [{"kind": "ServiceAccount", "name": "participant", "namespace": "ws-u1"}]}  # fmt: skip
    authorizer = Authorizer.from_objects([*demo_emulator.objects("clusterroles"), binding])
    user = UserInfo.for_name(PARTICIPANT)

    def may(
        verb: str, resource: str, group: str = "", subresource: str = "", namespace: str = "ws-u1"
    ) -> bool:
        return authorizer.authorize(Attributes(user, verb, namespace=namespace, api_group=group, resource=resource,
                                               subresource=subresource)).allowed  # fmt: skip

    for resource, group in (("pods", ""), ("deployments", "apps"), ("replicasets", "apps"), ("services", ""),
                            ("configmaps", ""), ("secrets", ""), ("jobs", "batch"), ("serviceaccounts", "")):  # fmt: skip
        assert all(
            may(verb, resource, group)
            for verb in ("create", "update", "patch", "delete", "get", "list")
        )
    assert may("create", "pods", subresource="exec") and may(
        "patch", "deployments", "apps", "scale"
    )
    assert may("list", "resourcequotas") and not may("create", "resourcequotas")
    assert not may("update", "limitranges") and not may(
        "create", "roles", "rbac.authorization.k8s.io"
    )
    assert not may("create", "rolebindings", "rbac.authorization.k8s.io")
    assert not may("get", "pods", namespace="sandbox") and not may("delete", "namespaces")


async def test_participant_applies_every_exercise_then_cleans_up(participant: tuple[Kubectl, Kubectl],
                                                                 running_demo: KubeEmulator) -> None:  # fmt: skip
    _, you = participant
    exercises = sorted(
        p
        for p in (Path(__file__).resolve().parents[3] / "manifests" / "exercises").iterdir()
        if p.is_dir()
    )
    assert len(exercises) == 4
    for folder in exercises:
        code, out, err = await you("apply", "-n", "ws-u1", "-f", str(folder))
        assert code == 0 and out and all(line.endswith(" created") for line in out.splitlines()), (
            folder,
            out,
            err,
        )
        assert "Warning" not in err, err  # every field is known: nothing dropped
        before = running_demo.store.revision
        code, out, err = await you("apply", "-n", "ws-u1", "-f", str(folder))
        if folder.name.startswith("01-"):
            # kubectl sends $setElementOrder patches because admission added the token volume
            # (as on a real cluster); they change nothing, so nothing gets a new resourceVersion.
            assert (code, out) == (0, "pod/web-with-sidecar configured\n"), err
        else:
            assert code == 0 and all(line.endswith(" unchanged") for line in out.splitlines()), (
                folder,
                out,
                err,
            )
        assert running_demo.store.revision == before
    assert (
        running_demo.get_object("pods", "ws-u1", "web-with-sidecar")["spec"]["serviceAccountName"]
        == "default"
    )
    assert (
        running_demo.get_object("services", "ws-u1", "web")["spec"]["ports"][0]["targetPort"]
        == "http"
    )
    for folder in exercises:
        code, out, err = await you("delete", "-n", "ws-u1", "-f", str(folder), "--wait=false")
        assert code == 0 and all(" deleted" in line for line in out.splitlines()), (
            folder,
            out,
            err,
        )
    for resource in ("pods", "deployments", "services", "jobs", "configmaps"):
        left = [o["metadata"]["name"] for o in running_demo.objects(resource, "ws-u1")]
        assert left in ([], ["kube-root-ca.crt"]), (resource, left)


async def test_podium_mints_a_token_for_the_participant_account_only(participant: tuple[Kubectl, Kubectl], tmp_path: Path,
                                                                      http: Http, running_demo: KubeEmulator) -> None:  # fmt: skip
    """The issue's contract: ClusterRole podium-issue-token, bound per participant namespace."""
    admin, _ = participant
    grant = tmp_path / "issue-token.yaml"
    grant.write_text(textwrap.dedent("""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: podium-issue-token}
        rules:
          - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [participant]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: podium-issue-token, namespace: ws-u1}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: podium-issue-token}
        subjects:
          - {kind: ServiceAccount, name: podium, namespace: podium}
        """), encoding="utf-8")  # fmt: skip
    assert (await admin("apply", "-f", str(grant)))[0] == 0
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600},
    }
    status, body = await http.request(
        "POST", "/api/v1/namespaces/ws-u1/serviceaccounts/participant/token", json=request
    )
    assert status == 201, body
    token = body["status"]["token"]
    assert (await http.get("/apis/apps/v1/namespaces/ws-u1/deployments", token=token))[0] == 200
    status, body = await http.request(
        "POST", "/api/v1/namespaces/ws-u1/serviceaccounts/default/token", json=request
    )
    assert status == 403 and 'cannot create resource "serviceaccounts/token"' in body["message"]
    status, body = await http.request(
        "POST", "/api/v1/namespaces/sandbox/serviceaccounts/participant/token", json=request
    )
    assert status == 403


async def test_namespaced_kinds_cannot_be_written_without_a_namespace(http: Http) -> None:
    status, body = await http.request("POST", "/api/v1/configmaps", token=ADMIN,
                                      json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})  # fmt: skip
    assert status == 405 and body["reason"] == "MethodNotAllowed"
    status, body = await http.request("POST", "/api/v1/namespaces/sandbox/configmaps", token=ADMIN,
                                      json={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}})  # fmt: skip
    assert (
        status == 400
        and body["message"]
        == "the kind in the data (Secret) does not match the expected kind (ConfigMap)"
    )


async def test_impersonation_needs_the_impersonate_verb(participant: tuple[Kubectl, Kubectl], running_demo: KubeEmulator,
                                                        tmp_path: Path) -> None:  # fmt: skip
    admin, you = participant
    # The admin (system:masters) may be anyone: the answer is the participant's.
    assert (
        await admin("auth", "can-i", "create", "deployments", "-n", "ws-u1", f"--as={PARTICIPANT}")
    )[:2] == (0, "yes\n")
    assert (
        await admin(
            "auth", "can-i", "create", "deployments", "-n", "sandbox", f"--as={PARTICIPANT}"
        )
    )[:2] == (1, "no\n")
    # edit may impersonate ServiceAccounts of its namespace (upstream's rule), nobody else.
    assert (await you("auth", "can-i", "list", "pods", "--as=system:serviceaccount:ws-u1:default"))[
        :2
    ] == (1, "no\n")
    code, _, err = await you("get", "pods", "-n", "sandbox", "--as=kubernetes-admin")
    assert (
        code == 1
        and (
            f'users "kubernetes-admin" is forbidden: User "{PARTICIPANT}" cannot impersonate resource '
            '"users" in API group "" at the cluster scope'
        )
        in err
    )
    code, _, err = await you("get", "pods", "--as=system:serviceaccount:sandbox:default")
    assert (
        code == 1
        and 'cannot impersonate resource "serviceaccounts" in API group "" in the namespace "sandbox"'
        in err
    )


async def test_quota_and_limit_range_apply_to_a_participants_pods(participant: tuple[Kubectl, Kubectl], tmp_path: Path,
                                                                  running_demo: KubeEmulator) -> None:  # fmt: skip
    admin, you = participant
    policy = tmp_path / "policy.yaml"
    policy.write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: workshop, namespace: ws-u1}
        spec: {hard: {pods: "1", limits.memory: 256Mi}}
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: defaults, namespace: ws-u1}
        spec:
          limits: [{type: Container, default: {memory: 64Mi}, defaultRequest: {cpu: 10m, memory: 32Mi}}]
        """), encoding="utf-8")  # fmt: skip
    assert (await admin("apply", "-f", str(policy)))[0] == 0
    code, out, err = await you("run", "first", "--image=nginx:1.27")
    assert (code, out) == (0, "pod/first created\n"), err
    resources = running_demo.get_object("pods", "ws-u1", "first")["spec"]["containers"][0][
        "resources"
    ]
    assert resources == {"limits": {"memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}}
    code, _, err = await you("run", "second", "--image=nginx:1.27")
    assert code == 1 and err.strip() == (
        'Error from server (Forbidden): pods "second" is forbidden: exceeded quota: '
        "workshop, requested: pods=1, used: pods=1, limited: pods=1"
    )
    # The quota controller keeps the quota's status, which `describe quota` prints.
    code, out, err = await admin("describe", "quota", "workshop", "-n", "ws-u1")
    assert code == 0, err
    assert re.search(r"^limits\.memory\s+64Mi\s+256Mi$", out, re.MULTILINE) and re.search(
        r"^pods\s+1\s+1$", out, re.MULTILINE
    ), out
    assert (await you("delete", "pod", "first", "--wait=false"))[0] == 0
    status = running_demo.get_object("resourcequotas", "ws-u1", "workshop")["status"]
    assert status == {
        "hard": {"pods": "1", "limits.memory": "256Mi"},
        "used": {"pods": "0", "limits.memory": "0"},
    }


async def test_participants_manifests_apply_and_grant_podium_at_once(running_demo: KubeEmulator, tmp_path: Path,
                                                                     http: Http) -> None:  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "participants", "manifests", "--users", "U012AB3CD",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr
    manifest = tmp_path / "participants.yaml"
    manifest.write_bytes(stdout)
    assert (await http.get("/api/v1/namespaces/ws-u012ab3cd/pods"))[
        0
    ] == 403  # Podium: no grant yet
    admin = kubectl_as(running_demo, tmp_path, "admin", ADMIN, "sandbox")
    code, out, err = await admin("apply", "-f", str(manifest))
    assert code == 0 and "namespace/ws-u012ab3cd created" in out, err
    status, pods = await http.get("/api/v1/namespaces/ws-u012ab3cd/pods")
    assert status == 200 and pods["items"] == []
    code, out, err = await admin("apply", "-f", str(manifest))
    assert code == 0 and all(line.endswith(" unchanged") for line in out.splitlines()), (out, err)


async def test_a_secret_token_dies_with_its_secret(http: Http, running_demo: KubeEmulator) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
              "metadata": {"name": "podium-token", "namespace": "podium",
                           "annotations": {"kubernetes.io/service-account.name": "podium"}}}  # fmt: skip
    status, created = await http.request(
        "POST", "/api/v1/namespaces/podium/secrets", token=ADMIN, json=secret
    )
    assert status == 201 and "data" not in created  # the token controller fills it a moment later
    for _ in range(50):
        stored = running_demo.get_object("secrets", "podium", "podium-token")
        if stored.get("data"):
            break
        await asyncio.sleep(0.05)
    token = base64.b64decode(stored["data"]["token"]).decode()
    assert (await http.get("/api/v1/namespaces/sandbox/pods", token=token))[0] == 200
    assert (
        await http.request("DELETE", "/api/v1/namespaces/podium/secrets/podium-token", token=ADMIN)
    )[0] == 200
    assert (await http.get("/api/v1/namespaces/sandbox/pods", token=token))[0] == 401
