"""Every manifest parses and validates against the Kubernetes schemas, every kustomization builds
with the real kubectl, and Podium's own Deployment is as locked down as promised."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.manifests import (
    MANIFESTS,
    REPO,
    by_kind,
    kubernetes_manifest_files,
    kustomization_dirs,
    kustomize,
    load_all,
    validate,
)

FILES = kubernetes_manifest_files()
KUSTOMIZATIONS = kustomization_dirs()


def _id(path: Path) -> str:
    return str(path.relative_to(MANIFESTS)) or "."


def test_the_expected_manifests_exist() -> None:
    folders = {_id(p) for p in KUSTOMIZATIONS}
    assert {".", "podium", "sandbox", "bot", "bot/base", "bot/socket"} <= folders
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_manifest_validates_against_the_kubernetes_schemas(path: Path) -> None:
    docs = load_all(path.read_text(encoding="utf-8"))
    assert docs, f"{path} holds no objects"
    for doc in docs:
        validate(doc, _id(path))


def test_schema_validation_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("kubernetes-validate tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    validate(load_all((MANIFESTS / "podium" / "clusterrole.yaml").read_text())[0], "offline")
    # And it does reject what is wrong, so passing means something.
    with pytest.raises(pytest.fail.Exception, match="replicas"):
        validate(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "x"},
                "spec": {"replicas": "three", "selector": {}, "template": {}},
            },
            "broken",
        )


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=_id)
def test_every_kustomization_builds_with_kubectl_and_validates(directory: Path) -> None:
    docs = kustomize(directory)
    assert docs
    for doc in docs:
        validate(doc, f"kubectl kustomize {_id(directory)}")


def test_manifests_root_installs_the_workshop_cluster_without_podium_itself() -> None:
    docs = kustomize(MANIFESTS)
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {
        ("Namespace", "podium"),
        ("ServiceAccount", "podium"),
        ("ClusterRole", "podium-read"),
        ("ClusterRole", "podium-issue-token"),
        ("Namespace", "sandbox"),
        ("RoleBinding", "podium-read"),
        ("Deployment", "nginx"),
        ("Service", "nginx"),
    } == kinds
    # No cluster-wide grant at all: Podium reads only where a RoleBinding in the namespace says.
    assert not by_kind(docs, "ClusterRoleBinding")
    # The demo and Podium's binding land in the sandbox; Podium's identity in its own namespace.
    assert {
        (d["kind"], d["metadata"].get("namespace"))
        for d in docs
        if d["kind"] not in ("Namespace", "ClusterRole")
    } == {
        ("ServiceAccount", "podium"),
        ("RoleBinding", "sandbox"),
        ("Deployment", "sandbox"),
        ("Service", "sandbox"),
    }


def test_no_kustomization_ships_a_secret() -> None:
    # Re-applying the manifests must never overwrite the real Slack tokens.
    for directory in KUSTOMIZATIONS:
        assert not by_kind(kustomize(directory), "Secret"), _id(directory)


# Podium's Deployment --------------------------------------------------------------------------


def _podium(directory: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    docs = kustomize(MANIFESTS / directory)
    [deployment] = by_kind(docs, "Deployment", "podium")
    return deployment, docs


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("variant", ["bot", "bot/socket"])
def test_podium_runs_locked_down_as_its_read_only_service_account(variant: str) -> None:
    deployment, docs = _podium(variant)
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    container = _container(deployment)
    assert pod["serviceAccountName"] == "podium" and pod["automountServiceAccountToken"] is True
    # Its own namespace, where the ServiceAccount lives and which nothing lets Podium read.
    assert deployment["metadata"]["namespace"] == "podium"
    assert {d["metadata"]["namespace"] for d in docs if d["kind"] != "Namespace"} == {"podium"}
    assert (
        pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    )
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    # SQLite: one writer, and the old pod lets go of the volume before the new one starts.
    assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}
    resources = container["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys() and {"cpu", "memory"} <= resources[
        "limits"
    ].keys()
    # The state lives on the PVC, and PODIUM_STATE points into it.
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    assert by_kind(docs, "PersistentVolumeClaim", claim)
    assert _env(container)["PODIUM_STATE"].startswith(mounts["state"] + "/")
    assert "tmp" in mounts and "emptyDir" in volumes["tmp"]  # read-only root, writable /tmp
    # Non-secret settings from the generated ConfigMap, which exists.
    [config_ref] = [e["configMapRef"]["name"] for e in container["envFrom"]]
    assert by_kind(docs, "ConfigMap", config_ref)
    # The image is the placeholder the guide tells instructors to replace.
    assert container["image"] == "registry.example.com/podium:0.1.0"


def _required_secrets(env: dict) -> set[str]:
    """The Secret keys a container cannot start without."""
    return {
        n
        for n, v in env.items()
        if isinstance(v, dict) and "secretKeyRef" in v and not v["secretKeyRef"].get("optional")
    }


def test_http_variant_serves_slack_with_health_probes_behind_a_service() -> None:
    deployment, docs = _podium("bot")
    container = _container(deployment)
    assert container["command"] == ["python", "-m", "bot", "serve"]
    env = _env(container)
    assert env["PORT"] == "3000" and container["ports"] == [{"name": "http", "containerPort": 3000}]
    assert _required_secrets(env) == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
    # Optional: /metrics needs it as a bearer token; without it HTTP mode keeps /metrics private.
    assert env["PODIUM_METRICS_TOKEN"]["secretKeyRef"] == {
        "name": "podium-slack",
        "key": "PODIUM_METRICS_TOKEN",
        "optional": True,
    }
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    [service] = by_kind(docs, "Service", "podium")
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_socket_variant_connects_out_and_needs_no_service() -> None:
    deployment, docs = _podium("bot/socket")
    container = _container(deployment)
    assert container["command"] == ["python", "-m", "bot", "socket"]
    env = _env(container)
    assert _required_secrets(env) == {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}
    # Optional: /metrics needs it as a bearer token; without it HTTP mode keeps /metrics private.
    assert env["PODIUM_METRICS_TOKEN"]["secretKeyRef"] == {
        "name": "podium-slack",
        "key": "PODIUM_METRICS_TOKEN",
        "optional": True,
    }
    # PORT serves only /healthz and /metrics; /healthz follows the websocket to Slack (issue 13).
    assert env["PORT"] == "3000" and container["ports"] == [
        {"name": "health", "containerPort": 3000}
    ]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "health"}
    live = container["livenessProbe"]
    assert (
        live["initialDelaySeconds"] + live["periodSeconds"] * live["failureThreshold"] >= 60
    )  # a reconnect is not a restart
    assert not by_kind(docs, "Service")


def test_the_example_secret_holds_every_key_the_deployments_read_and_only_placeholders() -> None:
    [secret] = load_all((MANIFESTS / "bot" / "podium-slack-secret.example.yaml").read_text())
    wanted = set()
    for variant in ("bot", "bot/socket"):
        deployment, _ = _podium(variant)
        for value in _env(_container(deployment)).values():
            if isinstance(value, dict) and "secretKeyRef" in value:
                assert value["secretKeyRef"]["name"] == secret["metadata"]["name"]
                wanted.add(value["secretKeyRef"]["key"])
    assert set(secret["stringData"]) == wanted
    assert all("REPLACE-ME" in value for value in secret["stringData"].values())


def test_podium_env_file_names_only_known_settings() -> None:
    from bot.settings import KNOWN_KEYS

    lines = (MANIFESTS / "bot" / "base" / "podium.env").read_text().splitlines()
    keys = [line.split("=", 1)[0] for line in lines if line.strip() and not line.startswith("#")]
    assert keys and set(keys) <= set(KNOWN_KEYS)
    assert not {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"} & set(keys)


# Exercises ------------------------------------------------------------------------------------


EXERCISES = sorted(p for p in (MANIFESTS / "exercises").iterdir() if p.is_dir())


def test_there_is_a_reference_solution_per_exercise_of_the_deck() -> None:
    assert [p.name[:2] for p in EXERCISES] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("folder", EXERCISES, ids=lambda p: p.name)
def test_exercises_are_namespace_less_and_explained(folder: Path) -> None:
    readme = folder / "README.md"
    assert readme.is_file() and readme.read_text().startswith(f"# {int(folder.name[:2])}. ")
    docs = [d for f in sorted(folder.glob("*.yaml")) for d in load_all(f.read_text())]
    assert docs
    for doc in docs:
        assert "namespace" not in doc["metadata"], (
            f"{folder.name}: {doc['kind']} is pinned to a namespace"
        )


def test_exercise_contents_match_the_deck() -> None:
    docs = {
        p.name[:2]: [d for f in sorted(p.glob("*.yaml")) for d in load_all(f.read_text())]
        for p in EXERCISES
    }
    [pod] = docs["01"]
    assert pod["kind"] == "Pod" and len(pod["spec"]["containers"]) == 2
    assert [v["name"] for v in pod["spec"]["volumes"] if "emptyDir" in v] == ["html"]
    [deployment] = docs["02"]
    assert deployment["kind"] == "Deployment" and deployment["spec"]["replicas"] >= 2
    assert (
        deployment["spec"]["selector"]["matchLabels"].items()
        <= deployment["spec"]["template"]["metadata"]["labels"].items()
    )
    [web] = by_kind(docs["03"], "Deployment")
    [service] = by_kind(docs["03"], "Service")
    assert (
        service["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()
    )
    # Exercise 4: one client Pod, fetching exercise 3's Service by its short DNS name in a loop.
    [client] = docs["04"]
    assert client["kind"] == "Pod" and client["metadata"]["name"] == "web-client"
    [container] = client["spec"]["containers"]
    assert container["image"] == "busybox:1.37"
    script = container["command"][-1]
    assert f"wget -qO- -T 3 http://{service['metadata']['name']} " in script and script.startswith(
        "while true;"
    )
    assert client["spec"].get("restartPolicy", "Always") == "Always"


def test_slack_manifests_are_not_mistaken_for_kubernetes_objects() -> None:
    for path in (MANIFESTS / "slack").glob("*.yaml"):
        assert "apiVersion" not in yaml.safe_load(path.read_text())
    assert all("slack" not in p.parts for p in FILES)
    assert (REPO / "manifests" / "demo").is_dir()


def test_the_state_claim_names_gp3_and_the_optional_storage_class_provides_it() -> None:
    """EKS 1.30+ has no default StorageClass: a claim without a class would stay Pending. The
    optional class is EBS gp3, created in the zone where the pod lands, and in no kustomization."""
    for variant in ("bot", "bot/socket"):
        [claim] = by_kind(kustomize(MANIFESTS / variant), "PersistentVolumeClaim", "podium-state")
        assert claim["spec"]["storageClassName"] == "gp3", variant
    [storage_class] = load_all(
        (MANIFESTS / "bot" / "storageclass-gp3.yaml").read_text(encoding="utf-8")
    )
    validate(storage_class, "storageclass-gp3.yaml")
    assert storage_class["kind"] == "StorageClass" and storage_class["metadata"]["name"] == "gp3"
    assert (
        storage_class["provisioner"] == "ebs.csi.aws.com"
        and storage_class["parameters"]["type"] == "gp3"
    )
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    assert not [
        d
        for directory in KUSTOMIZATIONS
        for d in kustomize(directory)
        if d["kind"] == "StorageClass"
    ]
