"""The emulator's controllers (devkit/podium_devkit/kube_controllers.py) on an in-memory store: rollouts,
self-healing ReplicaSets, pods and their containers, Jobs, Services, garbage collection, and the
four exercise reference solutions passing their own checks."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.exercises.runner import CheckReport, check_exercise
from bot.exercises.spec import Exercise, load_exercises
from bot.kubectl.errors import ClusterError
from podium_devkit.kube_controllers import reconcile
from podium_devkit.kube_logs import LogStore, format_time, render
from podium_devkit.kube_materialize import pod_template_hash
from podium_devkit.kube_resources import Registry

ROOT = Path(__file__).resolve().parents[3]
NS = "ws-u01abc"
NOW = datetime(2026, 12, 3, 17, 0, 0, tzinfo=UTC)
Obj = dict[str, Any]


class FakeStore:
    """A dict-backed store like the emulator's: assigns uid, creationTimestamp and resourceVersion."""

    def __init__(self) -> None:
        self.registry = Registry()
        self.items: dict[tuple[str, str, str], Obj] = {}
        self.revision = 100
        self.puts: list[tuple[str, str]] = []

    def plural(self, obj: Obj) -> str:
        rtype = self.registry.for_kind(obj["apiVersion"], obj["kind"])
        assert rtype is not None, obj["kind"]
        return rtype.plural

    def list(self, resource: str, namespace: str | None = None) -> list[Obj]:
        return [
            copy.deepcopy(o)
            for (r, ns, _), o in sorted(self.items.items())
            if r == resource and (namespace is None or ns == namespace)
        ]

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        found = self.items.get((resource, namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def put(self, obj: Obj) -> Obj:
        obj = copy.deepcopy(obj)
        meta = obj["metadata"]
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", format_time(NOW))
        self.revision += 1
        meta["resourceVersion"] = str(self.revision)
        key = (self.plural(obj), meta.get("namespace", ""), meta["name"])
        self.items[key] = obj
        self.puts.append((key[0], meta["name"]))
        return copy.deepcopy(obj)

    def remove(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self.items.pop((resource, namespace, name), None)

    def apply(self, *docs: Obj) -> None:
        """What the API server does with a user's write: keep uid and status of what exists."""
        for doc in docs:
            doc = copy.deepcopy(doc)
            doc["metadata"].setdefault("namespace", NS)
            current = self.get(
                self.plural(doc), doc["metadata"]["namespace"], doc["metadata"]["name"]
            )
            if current is not None:
                doc["metadata"]["uid"] = current["metadata"]["uid"]
                doc["metadata"]["creationTimestamp"] = current["metadata"]["creationTimestamp"]
                if "status" in current:
                    doc["status"] = current["status"]
                if current.get("spec") != doc.get("spec"):
                    doc["metadata"]["generation"] = (
                        int(current["metadata"].get("generation", 1)) + 1
                    )
            self.put(doc)

    def kind(self, resource: str, namespace: str = NS) -> list[Obj]:
        return self.list(resource, namespace)

    def events(self, reason: str | None = None) -> list[Obj]:
        return [e for e in self.list("events", NS) if reason is None or e["reason"] == reason]


@pytest.fixture
def store() -> FakeStore:
    fake = FakeStore()
    fake.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    return fake


def run(store: FakeStore, logs: LogStore | None = None, now: datetime = NOW) -> LogStore:
    logs = logs if logs is not None else LogStore()
    reconcile(store, logs, NS, now)
    return logs


def log_text(logs: LogStore, pod: str, container: str) -> str:
    lines = logs.lookup(NS, pod, container, False, single_container=True)
    return render(lines or [], now=NOW + timedelta(hours=1)).decode()


def deployment(
    name: str = "web", replicas: int = 3, image: str = "nginx:1.27", **template_extra: Any
) -> Obj:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}, **template_extra},
                              "spec": {"containers": [{"name": "nginx", "image": image,
                                                       "ports": [{"name": "http", "containerPort": 80}]}]}}},
    }  # fmt: skip


def service(name: str = "web", selector: dict[str, str] | None = None, target: Any = "http") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "selector": selector or {"app": name},
            "ports": [{"name": "http", "port": 80, "targetPort": target}],
        },
    }


def pod(
    name: str,
    image: str,
    command: list[str] | None = None,
    restart: str = "Always",
    **container: Any,
) -> Obj:
    spec: Obj = {"name": "main", "image": image, **container}
    if command:
        spec["command"] = command
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"run": name}},
        "spec": {"restartPolicy": restart, "containers": [spec]},
    }


def job(
    name: str,
    command: list[str],
    backoff: int = 2,
    image: str = "curlimages/curl:8.11.1",
    **container: Any,
) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "backoffLimit": backoff,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": image, "command": command, **container}],
                }
            },
        },
    }


def condition(obj: Obj, type_: str) -> Obj:
    return next(c for c in obj["status"]["conditions"] if c["type"] == type_)


def pods_of(store: FakeStore, prefix: str) -> list[Obj]:
    return [p for p in store.kind("pods") if p["metadata"]["name"].startswith(prefix)]


# ----------------------------------------------------------------------------------------------
# Deployments and ReplicaSets
# ----------------------------------------------------------------------------------------------


def test_a_deployment_gets_a_replicaset_of_running_ready_pods_and_an_available_status(
    store: FakeStore,
) -> None:
    store.apply(deployment(replicas=3))
    run(store)
    deploy = store.get("deployments", NS, "web")
    assert deploy is not None
    template_hash = pod_template_hash(deploy["spec"]["template"])
    (rs,) = store.kind("replicasets")
    assert rs["metadata"]["name"] == f"web-{template_hash}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["ownerReferences"][0]["uid"] == deploy["metadata"]["uid"]
    assert rs["status"] == {
        "replicas": 3,
        "fullyLabeledReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
        "observedGeneration": 1,
    }
    pods = store.kind("pods")
    assert len(pods) == 3
    for p in pods:
        assert (
            p["metadata"]["name"].startswith(f"web-{template_hash}-")
            and len(p["metadata"]["name"].rsplit("-", 1)[1]) == 5
        )
        assert p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        assert p["metadata"]["labels"] == {"app": "web", "pod-template-hash": template_hash}
        assert p["status"]["phase"] == "Running" and p["spec"]["nodeName"]
        assert p["status"]["containerStatuses"][0]["state"]["running"]
        assert condition(p, "Ready")["status"] == "True"
    assert len({p["status"]["podIP"] for p in pods}) == 3
    status = deploy["status"]
    assert (
        status["replicas"],
        status["readyReplicas"],
        status["availableReplicas"],
        status["updatedReplicas"],
    ) == (3, 3, 3, 3)
    assert status["observedGeneration"] == 1
    assert condition(deploy, "Available")["reason"] == "MinimumReplicasAvailable"
    assert condition(deploy, "Progressing")["reason"] == "NewReplicaSetAvailable"
    assert (
        condition(deploy, "Progressing")["message"]
        == f'ReplicaSet "web-{template_hash}" has successfully progressed.'
    )
    assert deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    (scaling,) = store.events("ScalingReplicaSet")
    assert scaling["message"] == f"Scaled up replica set web-{template_hash} from 0 to 3"
    assert scaling["source"] == {"component": "deployment-controller"}
    assert scaling["involvedObject"]["kind"] == "Deployment"
    created = store.events("SuccessfulCreate")
    assert sorted(e["message"] for e in created) == sorted(
        f"Created pod: {p['metadata']['name']}" for p in pods
    )
    assert {e["source"]["component"] for e in created} == {"replicaset-controller"}
    reasons = [
        e["reason"]
        for e in store.events()
        if e["involvedObject"]["name"] == pods[0]["metadata"]["name"]
    ]
    assert reasons[0] == "Scheduled" and {"Created", "Started"} <= set(reasons)
    assert "Pulling" in reasons or "Pulled" in reasons


def test_reconcile_twice_puts_nothing_the_second_time(store: FakeStore) -> None:
    store.apply(
        deployment(replicas=2),
        service(),
        pod("solo", "busybox:1.37", ["sleep", "3600"]),
        job("once", ["sh", "-c", "echo hi"], image="busybox:1.37"),
    )
    run(store)
    before = copy.deepcopy(store.items)
    store.puts.clear()
    run(store, now=NOW + timedelta(minutes=5))
    assert store.puts == []
    assert store.items == before


def test_scaling_a_deployment_up_and_down_creates_and_removes_pods(store: FakeStore) -> None:
    store.apply(deployment(replicas=2))
    run(store)
    store.apply(deployment(replicas=4))
    run(store)
    assert len(store.kind("pods")) == 4
    deploy = store.get("deployments", NS, "web")
    assert (
        deploy is not None
        and deploy["status"]["availableReplicas"] == 4
        and deploy["status"]["observedGeneration"] == 2
    )
    store.apply(deployment(replicas=1))
    run(store)
    (rs,) = store.kind("replicasets")
    assert (
        len(store.kind("pods")) == 1
        and rs["spec"]["replicas"] == 1
        and rs["status"]["replicas"] == 1
    )
    messages = [e["message"] for e in store.events("ScalingReplicaSet")]
    name = rs["metadata"]["name"]
    assert messages[-2:] == [
        f"Scaled up replica set {name} from 2 to 4",
        f"Scaled down replica set {name} from 4 to 1",
    ]
    deleted = store.events("SuccessfulDelete")
    assert len(deleted) == 3 and all(e["message"].startswith("Deleted pod: ") for e in deleted)
    assert len(store.events("Killing")) == 3
    assert store.events("Killing")[0]["message"] == "Stopping container nginx"


def test_a_deleted_pod_is_replaced_under_a_new_name_and_ip(store: FakeStore) -> None:
    store.apply(deployment(replicas=3))
    run(store)
    originals = {p["metadata"]["name"] for p in store.kind("pods")}
    victim = store.kind("pods")[0]
    store.remove("pods", NS, victim["metadata"]["name"])
    run(store)
    pods = store.kind("pods")
    assert len(pods) == 3
    (newcomer,) = [p for p in pods if p["metadata"]["name"] not in originals]
    (rs,) = store.kind("replicasets")
    assert newcomer["metadata"]["name"].startswith(rs["metadata"]["name"] + "-")
    assert newcomer["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert (
        newcomer["status"]["phase"] == "Running"
        and condition(newcomer, "Ready")["status"] == "True"
    )
    assert newcomer["status"]["podIP"] not in {
        p["status"]["podIP"] for p in pods if p is not newcomer
    }
    assert newcomer["status"]["podIP"] != victim["status"]["podIP"]
    # Deleting the replacement too: the next one takes a name never used before either.
    store.remove("pods", NS, newcomer["metadata"]["name"])
    run(store)
    names = {p["metadata"]["name"] for p in store.kind("pods")}
    assert len(names) == 3 and not names & {
        victim["metadata"]["name"],
        newcomer["metadata"]["name"],
    }
    assert len(store.events("SuccessfulCreate")) == 5


def test_a_bare_pod_that_is_deleted_stays_deleted(store: FakeStore) -> None:
    store.apply(pod("solo", "nginx:1.27"))
    run(store)
    started = store.get("pods", NS, "solo")
    assert started is not None and started["status"]["phase"] == "Running"
    store.remove("pods", NS, "solo")
    run(store)
    assert store.kind("pods") == []


@pytest.mark.parametrize("change", ["image", "restart"])
def test_a_template_change_rolls_out_a_new_replicaset_and_keeps_the_old_at_zero(
    store: FakeStore, change: str
) -> None:
    store.apply(deployment(replicas=3))
    run(store)
    (old,) = store.kind("replicasets")
    if change == "image":  # kubectl set image
        changed = deployment(replicas=3, image="nginx:1.28")
    else:  # kubectl rollout restart
        changed = deployment(
            replicas=3, annotations={"kubectl.kubernetes.io/restartedAt": "2026-12-03T17:00:00Z"}
        )
    store.apply(changed)
    run(store)
    deploy = store.get("deployments", NS, "web")
    assert deploy is not None
    new_hash = pod_template_hash(deploy["spec"]["template"])
    sets = {rs["metadata"]["name"]: rs for rs in store.kind("replicasets")}
    assert set(sets) == {old["metadata"]["name"], f"web-{new_hash}"}
    new = sets[f"web-{new_hash}"]
    assert new["spec"]["replicas"] == 3 and new["status"]["readyReplicas"] == 3
    assert new["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert sets[old["metadata"]["name"]]["spec"]["replicas"] == 0
    assert sets[old["metadata"]["name"]]["status"] == {"replicas": 0, "observedGeneration": 1}
    pods = store.kind("pods")
    assert len(pods) == 3 and {p["metadata"]["labels"]["pod-template-hash"] for p in pods} == {
        new_hash
    }
    assert deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert deploy["status"]["updatedReplicas"] == 3 and deploy["status"]["replicas"] == 3
    assert condition(deploy, "Progressing")["reason"] == "NewReplicaSetAvailable"
    messages = [e["message"] for e in store.events("ScalingReplicaSet")]
    assert f"Scaled up replica set web-{new_hash} from 0 to 1" in messages
    assert messages[-1].startswith(
        f"Scaled down replica set {old['metadata']['name']}"
    ) and messages[-1].endswith("to 0")
    # Re-applying the first template brings the first ReplicaSet back as revision 3.
    store.apply(deployment(replicas=3))
    run(store)
    back = store.get("replicasets", NS, old["metadata"]["name"])
    assert back is not None and back["spec"]["replicas"] == 3
    assert back["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_a_mistyped_image_leaves_the_rollout_stuck_with_the_old_pods_serving(
    store: FakeStore,
) -> None:
    store.apply(deployment(replicas=3))
    run(store)
    (old,) = store.kind("replicasets")
    store.apply(deployment(replicas=3, image="ngnix:1.27"))
    run(store)
    deploy = store.get("deployments", NS, "web")
    assert deploy is not None
    sets = {rs["metadata"]["name"]: rs for rs in store.kind("replicasets")}
    assert (
        sets[old["metadata"]["name"]]["spec"]["replicas"] == 3
    )  # maxUnavailable 0 of 3: nothing goes
    (new,) = [rs for name, rs in sets.items() if name != old["metadata"]["name"]]
    assert new["spec"]["replicas"] == 1  # maxSurge 1
    broken = [
        p
        for p in store.kind("pods")
        if p["metadata"]["labels"]["pod-template-hash"]
        != old["metadata"]["labels"]["pod-template-hash"]
    ]
    assert len(broken) == 1 and broken[0]["status"]["phase"] == "Pending"
    assert deploy["status"]["availableReplicas"] == 3 and deploy["status"]["updatedReplicas"] == 1
    assert deploy["status"]["unavailableReplicas"] == 1
    assert condition(deploy, "Progressing")["reason"] == "ReplicaSetUpdated"
    assert condition(deploy, "Available")["status"] == "True"


def test_revision_history_is_capped_by_revision_history_limit(store: FakeStore) -> None:
    first = deployment(replicas=1)
    first["spec"]["revisionHistoryLimit"] = 2
    store.apply(first)
    run(store)
    for tag in ("1.25", "1.26", "1.27.1", "1.28"):
        changed = deployment(replicas=1, image=f"nginx:{tag}")
        changed["spec"]["revisionHistoryLimit"] = 2
        store.apply(changed)
        run(store)
    sets = store.kind("replicasets")
    revisions = sorted(
        int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for rs in sets
    )
    assert revisions == [3, 4, 5]  # the current one and two old ones


def test_a_first_deployment_with_a_bad_image_is_not_available(store: FakeStore) -> None:
    store.apply(deployment(replicas=2, image="ngnix:1.27"))
    run(store)
    deploy = store.get("deployments", NS, "web")
    assert deploy is not None
    assert condition(deploy, "Available")["status"] == "False"
    assert condition(deploy, "Available")["reason"] == "MinimumReplicasUnavailable"
    assert (
        condition(deploy, "Available")["message"]
        == "Deployment does not have minimum availability."
    )
    assert (
        "availableReplicas" not in deploy["status"] and deploy["status"]["unavailableReplicas"] == 2
    )


# ----------------------------------------------------------------------------------------------
# Pods and their containers
# ----------------------------------------------------------------------------------------------


def test_an_unknown_image_repository_fails_to_pull_with_the_kubelets_message(
    store: FakeStore,
) -> None:
    store.apply(pod("typo", "ngnix:1.27"))
    run(store)
    p = store.get("pods", NS, "typo")
    assert p is not None
    assert p["status"]["phase"] == "Pending"
    state = p["status"]["containerStatuses"][0]
    assert state["ready"] is False and state["state"]["waiting"]["reason"] == "ErrImagePull"
    assert (
        condition(p, "Ready")["status"] == "False"
        and condition(p, "Ready")["reason"] == "ContainersNotReady"
    )
    assert p["status"]["podIP"]
    failed = [e for e in store.events("Failed") if e["type"] == "Warning"]
    assert failed[0]["message"].startswith(
        'Failed to pull image "ngnix:1.27": failed to pull and unpack image '
        '"docker.io/library/ngnix:1.27"'
    )
    assert "pull access denied" in failed[0]["message"]
    assert (
        failed[0]["source"]["component"] == "kubelet"
        and failed[0]["involvedObject"]["fieldPath"] == "spec.containers{main}"
    )
    assert failed[1]["message"] == "Error: ErrImagePull"


def test_an_image_reference_that_does_not_parse_is_an_invalid_image_name(store: FakeStore) -> None:
    store.apply(pod("upper", "Nginx:1.27"))
    run(store)
    p = store.get("pods", NS, "upper")
    assert p is not None and p["status"]["phase"] == "Pending"
    waiting = p["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "InvalidImageName"
    assert "repository name (library/Nginx) must be lowercase" in waiting["message"]


@pytest.mark.parametrize(
    "image",
    [
        "registry.k8s.io/pause:3.10",
        "public.ecr.aws/docker/library/nginx:1.27",
        "redis:7",
        "docker.io/library/httpd:2.4",
    ],
)
def test_images_from_known_repositories_and_registries_run(store: FakeStore, image: str) -> None:
    store.apply(pod("p", image))
    logs = run(store)
    p = store.get("pods", NS, "p")
    assert (
        p is not None
        and p["status"]["phase"] == "Running"
        and condition(p, "Ready")["status"] == "True"
    )
    expected = {
        "redis:7": "Ready to accept connections tcp",
        "docker.io/library/httpd:2.4": "resuming normal operations",
        "public.ecr.aws/docker/library/nginx:1.27": "start worker processes",
    }.get(image)
    text = log_text(logs, "p", "main")
    assert (expected in text) if expected else text == ""


def test_a_busybox_loop_prints_its_echo_lines_and_keeps_running(store: FakeStore) -> None:
    script = (
        'while true; do\n  echo "<h1>Hi</h1>" > /html/index.html\n  echo "page written at $(date -u)"\n'
        "  sleep 10\ndone"
    )
    store.apply(pod("writer", "busybox:1.37", ["sh", "-c", script]))
    logs = run(store)
    p = store.get("pods", NS, "writer")
    assert (
        p is not None
        and p["status"]["phase"] == "Running"
        and condition(p, "Ready")["status"] == "True"
    )
    lines = log_text(logs, "writer", "main").splitlines()
    assert len(lines) == 3 and all(
        line.startswith("page written at ") and line.endswith(" UTC 2026") for line in lines
    )
    assert "<h1>" not in "".join(lines)  # redirected into the file, not printed


def test_echo_expands_environment_from_env_and_configmaps(store: FakeStore) -> None:
    store.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": NS},
            "data": {"GREETING": "hello"},
        }
    )
    store.apply(
        pod(
            "greet",
            "busybox",
            ["sh", "-c", 'echo "$GREETING ${WHO}!"; echo done'],
            restart="Never",
            env=[{"name": "WHO", "value": "world"}],
            envFrom=[{"configMapRef": {"name": "cfg"}}],
        )
    )
    logs = run(store)
    assert log_text(logs, "greet", "main") == "hello world!\ndone\n"
    p = store.get("pods", NS, "greet")
    assert p is not None and p["status"]["phase"] == "Succeeded"
    terminated = p["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 0 and terminated["reason"] == "Completed"


def test_a_missing_configmap_stops_the_container_from_starting(store: FakeStore) -> None:
    store.apply(
        pod(
            "cfgless",
            "busybox",
            ["sh", "-c", "echo $X"],
            envFrom=[{"configMapRef": {"name": "absent"}}],
        )
    )
    run(store)
    p = store.get("pods", NS, "cfgless")
    assert p is not None and p["status"]["phase"] == "Pending"
    waiting = p["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {
        "reason": "CreateContainerConfigError",
        "message": 'configmap "absent" not found',
    }


def test_a_command_that_exits_in_an_always_restarting_pod_is_crash_looping(
    store: FakeStore,
) -> None:
    store.apply(pod("once", "busybox:1.37", ["sh", "-c", "echo bye; exit 3"]))
    logs = run(store)
    p = store.get("pods", NS, "once")
    assert p is not None and p["status"]["phase"] == "Running"
    status = p["status"]["containerStatuses"][0]
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["lastState"]["terminated"]["exitCode"] == 3 and status["restartCount"] == 1
    assert condition(p, "Ready")["status"] == "False"
    assert store.events("BackOff")[0]["type"] == "Warning"
    assert log_text(logs, "once", "main") == "bye\n"


# ----------------------------------------------------------------------------------------------
# Services
# ----------------------------------------------------------------------------------------------


def test_a_service_gets_endpoints_and_a_slice_of_its_ready_pods_with_named_target_ports(
    store: FakeStore,
) -> None:
    store.apply(deployment(replicas=2), service())
    run(store)
    svc = store.get("services", NS, "web")
    assert (
        svc is not None
        and svc["spec"]["clusterIP"].startswith("10.100.")
        and svc["spec"]["type"] == "ClusterIP"
    )
    ips = sorted(p["status"]["podIP"] for p in store.kind("pods"))
    endpoints = store.get("endpoints", NS, "web")
    assert endpoints is not None
    (subset,) = endpoints["subsets"]
    assert subset["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    assert sorted(a["ip"] for a in subset["addresses"]) == ips
    (slice_,) = store.kind("endpointslices")
    assert slice_["metadata"]["labels"]["kubernetes.io/service-name"] == "web"
    assert slice_["metadata"]["name"].startswith("web-")
    assert slice_["metadata"]["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
    assert sorted(e["addresses"][0] for e in slice_["endpoints"]) == ips
    assert all(e["conditions"]["ready"] for e in slice_["endpoints"])
    assert slice_["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]


def test_endpoints_follow_scaling_and_a_selector_that_matches_nothing_has_no_subsets(
    store: FakeStore,
) -> None:
    store.apply(deployment(replicas=2), service(), service("typo", selector={"app": "wbe"}))
    run(store)
    (first,) = [s for s in store.kind("endpointslices") if s["metadata"]["name"].startswith("web-")]
    store.apply(deployment(replicas=3))
    run(store)
    endpoints = store.get("endpoints", NS, "web")
    assert endpoints is not None and len(endpoints["subsets"][0]["addresses"]) == 3
    slices = {
        s["metadata"]["labels"]["kubernetes.io/service-name"]: s
        for s in store.kind("endpointslices")
    }
    assert slices["web"]["metadata"]["name"] == first["metadata"]["name"]
    assert len(slices["web"]["endpoints"]) == 3 and slices["web"]["metadata"]["generation"] == 2
    typo = store.get("endpoints", NS, "typo")
    assert typo is not None and "subsets" not in typo
    assert slices["typo"]["endpoints"] == []


def test_not_ready_pods_are_not_ready_addresses(store: FakeStore) -> None:
    store.apply(deployment(replicas=1, image="ngnix:1.27"), service())
    run(store)
    endpoints = store.get("endpoints", NS, "web")
    assert endpoints is not None
    (subset,) = endpoints["subsets"]
    assert "addresses" not in subset and len(subset["notReadyAddresses"]) == 1


# ----------------------------------------------------------------------------------------------
# Jobs and the network
# ----------------------------------------------------------------------------------------------


def curl_job(url: str, name: str = "client", backoff: int = 2) -> Obj:
    return job(name, ["sh", "-c", f'curl --silent --show-error --fail "{url}"'], backoff=backoff)


@pytest.mark.parametrize(
    "url",
    [
        "http://web",
        f"http://web.{NS}",
        f"http://web.{NS}.svc",
        f"http://web.{NS}.svc.cluster.local",
        "web:80/",
    ],
)
def test_curl_to_a_service_with_ready_nginx_pods_gets_the_welcome_page(
    store: FakeStore, url: str
) -> None:
    store.apply(deployment(replicas=2), service())
    run(store)
    store.apply(curl_job(url))
    logs = run(store)
    done = store.get("jobs", NS, "client")
    assert done is not None
    assert (
        condition(done, "Complete")["status"] == "True"
        and condition(done, "SuccessCriteriaMet")["reason"] == "CompletionsReached"
    )
    assert (
        done["status"]["succeeded"] == 1
        and "failed" not in done["status"]
        and done["status"]["completionTime"]
    )
    (p,) = pods_of(store, "client-")
    assert p["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "client"
    assert p["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] == done["metadata"]["uid"]
    assert p["status"]["phase"] == "Succeeded"
    assert p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert "<title>Welcome to nginx!</title>" in log_text(logs, p["metadata"]["name"], "c")
    assert store.events("Completed")[0]["message"] == "Job completed"
    # The nginx pod that answered logged the request.
    access = [log_text(logs, w["metadata"]["name"], "nginx") for w in pods_of(store, "web-")]
    assert any(
        f"{p['status']['podIP']} - - [" in text
        and '"GET / HTTP/1.1" 200 615 "-" "curl/8.11.1"' in text
        for text in access
    )


def test_curl_to_a_name_that_does_not_resolve_fails_the_job_after_its_backoff_limit(
    store: FakeStore,
) -> None:
    store.apply(deployment(replicas=1), service(), curl_job("http://wbe", backoff=2))
    logs = run(store)
    failed = store.get("jobs", NS, "client")
    assert failed is not None
    assert condition(failed, "Failed")["reason"] == "BackoffLimitExceeded"
    assert (
        condition(failed, "FailureTarget")["message"]
        == "Job has reached the specified backoff limit"
    )
    assert failed["status"]["failed"] == 3 and "succeeded" not in failed["status"]
    pods = pods_of(store, "client-")
    assert len(pods) == 3 and len({p["metadata"]["name"] for p in pods}) == 3
    for p in pods:
        assert p["status"]["phase"] == "Failed"
        assert p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"
        assert p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 6
        assert (
            log_text(logs, p["metadata"]["name"], "c") == "curl: (6) Could not resolve host: wbe\n"
        )
    warning = store.events("BackoffLimitExceeded")[0]
    assert warning["type"] == "Warning" and warning["source"]["component"] == "job-controller"


def test_curl_to_a_service_without_ready_endpoints_cannot_connect(store: FakeStore) -> None:
    store.apply(
        deployment(replicas=1), service(selector={"app": "wbe"}), curl_job("http://web", backoff=0)
    )
    logs = run(store)
    (p,) = pods_of(store, "client-")
    assert p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 7
    assert log_text(logs, p["metadata"]["name"], "c") == (
        "curl: (7) Failed to connect to web port 80 after 0 ms: Could not connect to server\n"
    )


def test_a_target_port_nothing_listens_on_refuses_and_a_wrong_path_is_a_404(
    store: FakeStore,
) -> None:
    store.apply(
        deployment(replicas=1), service(target=8080), service("good", selector={"app": "web"})
    )
    store.apply(
        job("refused", ["curl", "-sS", "http://web"], backoff=0),
        job("missing", ["curl", "-sS", "--fail", "http://good/nope"], backoff=0),
    )
    logs = run(store)
    (refused,) = pods_of(store, "refused-")
    (missing,) = pods_of(store, "missing-")
    assert "curl: (7) Failed to connect to web port 80" in log_text(
        logs, refused["metadata"]["name"], "c"
    )
    assert (
        log_text(logs, missing["metadata"]["name"], "c")
        == "curl: (22) The requested URL returned error: 404\n"
    )


def test_wget_from_busybox_reaches_a_service_and_says_bad_address_for_a_typo(
    store: FakeStore,
) -> None:
    store.apply(
        deployment(replicas=1),
        service(),
        job("ok", ["wget", "-qO-", "http://web"], image="busybox:1.37", backoff=0),
        job("typo", ["wget", "-qO-", "http://wbe"], image="busybox:1.37", backoff=0),
    )
    logs = run(store)
    (ok,) = pods_of(store, "ok-")
    (typo,) = pods_of(store, "typo-")
    assert "<h1>Welcome to nginx!</h1>" in log_text(logs, ok["metadata"]["name"], "c")
    assert log_text(logs, typo["metadata"]["name"], "c") == "wget: bad address 'wbe'\n"
    assert typo["status"]["phase"] == "Failed"


# ----------------------------------------------------------------------------------------------
# Garbage collection
# ----------------------------------------------------------------------------------------------


def test_dependents_of_a_deleted_owner_are_removed(store: FakeStore) -> None:
    store.apply(
        deployment(replicas=2), service(), job("once", ["sh", "-c", "echo hi"], image="busybox")
    )
    run(store)
    store.remove("deployments", NS, "web")
    store.remove("services", NS, "web")
    store.remove("jobs", NS, "once")
    run(store)
    for resource in ("replicasets", "pods", "endpoints", "endpointslices"):
        assert store.kind(resource) == [], resource


def test_pods_whose_replicaset_was_deleted_first_go_too(store: FakeStore) -> None:
    store.apply(deployment(replicas=2))
    run(store)
    (rs,) = store.kind("replicasets")
    store.remove("replicasets", NS, rs["metadata"]["name"])
    run(store)  # the Deployment makes a new ReplicaSet (same template, same name, new uid)
    pods = store.kind("pods")
    (again,) = store.kind("replicasets")
    assert len(pods) == 2 and all(
        p["metadata"]["ownerReferences"][0]["uid"] == again["metadata"]["uid"] for p in pods
    )


# ----------------------------------------------------------------------------------------------
# The workshop's exercises: reference solutions pass every check, broken ones fail the right one
# ----------------------------------------------------------------------------------------------


class StoreGateway:
    """The reads a check run makes (bot/exercises/runner.py), answered from the fake store."""

    def __init__(self, store: FakeStore, logs: LogStore) -> None:
        self.store, self.log_store = store, logs

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        found = self.store.get(plural, namespace or "", name)
        if found is None:
            raise ClusterError("NotFound", f'{plural} "{name}" not found', 404)
        return found

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        pairs = [pair.split("=", 1) for pair in (label_selector or "").split(",") if pair]
        return [
            o
            for o in self.store.list(plural, namespace)
            if all((o["metadata"].get("labels") or {}).get(k) == v for k, v in pairs)
        ]

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        lines = self.log_store.lookup(namespace, pod, container or "", False, single_container=True)
        if lines is None:
            raise ClusterError("BadRequest", "container is waiting to start", 400)
        return render(
            lines, now=NOW + timedelta(hours=1), tail_lines=tail_lines, limit_bytes=limit_bytes
        ).decode()


def exercises() -> dict[int, Exercise]:
    return {e.number: e for e in load_exercises(ROOT / "slides" / "exercises")}


def solution(number: int) -> list[Obj]:
    folder = next((ROOT / "manifests" / "exercises").glob(f"{number:02d}-*"))
    return [
        doc
        for path in sorted(folder.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


async def check(store: FakeStore, logs: LogStore, number: int) -> CheckReport:
    return await check_exercise(StoreGateway(store, logs), exercises()[number], NS)


def failures(report: CheckReport) -> list[str]:
    return [r.description for r in report.results if not r.passed]


def scale(store: FakeStore, name: str, replicas: int) -> None:
    """`kubectl scale deployment NAME --replicas=N`: a new spec.replicas, a new generation."""
    found = store.get("deployments", NS, name)
    assert found is not None
    found = copy.deepcopy(found)
    found["spec"]["replicas"] = replicas
    found["metadata"]["generation"] = int(found["metadata"].get("generation") or 1) + 1
    store.put(found)


def solve(store: FakeStore, logs: LogStore, number: int) -> None:
    """What the solution tells a participant to run: apply its files, then the other commands
    (for exercise 4, `kubectl scale deployment web --replicas=4`)."""
    store.apply(*solution(number))
    run(store, logs)
    for command in exercises()[number].solution.run:
        words = command.split()
        if words[1] == "apply":
            continue  # the files, applied above
        assert words[1:3] == ["scale", "deployment"] and words[4].startswith("--replicas="), command
        scale(store, words[3], int(words[4].split("=", 1)[1]))
        run(store, logs)


async def test_the_four_reference_solutions_pass_every_check_applied_in_order(
    store: FakeStore,
) -> None:
    logs = LogStore()
    for number in (1, 2, 3, 4):
        solve(store, logs, number)
    for number in (1, 2, 3, 4):
        report = await check(store, logs, number)
        assert report.error is None and not report.namespace_missing
        assert failures(report) == [], number
        assert report.results and report.passed
    page_writer = log_text(logs, "web-with-sidecar", "page-writer").splitlines()
    assert page_writer and all(line.startswith("page written at ") for line in page_writer)
    client = log_text(logs, "web-client", "client")
    assert "<title>Welcome to nginx!</title>" in client and "wget:" not in client
    assert (
        len(pods_of(store, "web-")) == 4 + 2
    )  # four nginx replicas of web, web-client, web-with-sidecar


async def test_exercise_3_with_a_selector_typo_has_no_endpoints(store: FakeStore) -> None:
    docs = solution(3)
    for doc in docs:
        if doc["kind"] == "Service":
            doc["spec"]["selector"] = {"app": "wbe"}
    store.apply(*docs)
    logs = run(store)
    report = await check(store, logs, 3)
    assert failures(report) == [
        "The Service web selects the Pods of the Deployment web and has ready endpoints"
    ]
    (result,) = [r for r in report.results if not r.passed]
    assert result.found == "selector app=wbe"


def client_command(docs: list[Obj]) -> list[str]:
    (client,) = [d for d in docs if d["kind"] == "Pod" and d["metadata"]["name"] == "web-client"]
    command: list[str] = client["spec"]["containers"][0]["command"]
    return command


async def test_exercise_4_with_a_misspelt_host_fails_only_the_welcome_page_check(
    store: FakeStore,
) -> None:
    logs = LogStore()
    solve(store, logs, 3)
    docs = solution(4)
    command = client_command(docs)
    command[-1] = command[-1].replace("http://web", "http://wbe")
    store.apply(*docs)
    run(store, logs)
    scale(store, "web", 4)
    run(store, logs)
    report = await check(store, logs, 4)
    assert failures(report) == [
        "The Pod web-client got the nginx welcome page from the Service web"
    ]
    (result,) = [r for r in report.results if not r.passed]
    assert result.found == "none in web-client, whose last line is \"wget: bad address 'wbe'\""


async def test_exercise_4_before_scaling_fails_the_scale_and_endpoint_checks(
    store: FakeStore,
) -> None:
    logs = LogStore()
    solve(store, logs, 3)
    store.apply(*solution(4))
    run(store, logs)
    report = await check(store, logs, 4)
    assert failures(report) == [
        "The Deployment web is scaled to at least 4 replicas",
        "The Service web has at least 4 ready endpoints",
    ]
    results = {r.description: r for r in report.results}
    assert results["The Service web has at least 4 ready endpoints"].found == "2 ready"
    # Scaled to 0, the Service keeps its name but has no endpoints: the client's requests are refused.
    scale(store, "web", 0)
    run(store, logs)
    report = await check(store, logs, 4)
    results = {r.description: r for r in report.results}
    assert results["The Service web has at least 4 ready endpoints"].found == "0 ready"
    assert results["The Service web (exercise 3) has ready endpoints"].found.startswith("none")
    assert store.get("services", NS, "web") is not None
    scale(store, "web", 4)
    run(store, logs)
    assert failures(await check(store, logs, 4)) == []


async def test_exercise_4_without_exercise_3_cannot_resolve_the_name(store: FakeStore) -> None:
    logs = LogStore()
    store.apply(*solution(4))
    run(store, logs)
    report = await check(store, logs, 4)
    assert failures(report) == [
        "The Service web (exercise 3) has ready endpoints",
        "The Pod web-client got the nginx welcome page from the Service web",
        "The Deployment web is scaled to at least 4 replicas",
        "The Service web has at least 4 ready endpoints",
    ]
    assert "wget: bad address 'web'" in log_text(logs, "web-client", "client")


async def test_exercise_2_with_a_mistyped_image_is_not_available(store: FakeStore) -> None:
    docs = solution(2)
    docs[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "ngnix:1.27"
    store.apply(*docs)
    logs = run(store)
    report = await check(store, logs, 2)
    assert failures(report) == [
        "The Deployment hello runs nginx",
        "The Deployment hello is available",
        "Every Pod labelled app=hello is Running and Ready",
    ]
    (result,) = [
        r
        for r in report.results
        if r.description == "Every Pod labelled app=hello is Running and Ready"
    ]
    assert "ErrImagePull" in result.found


def test_a_manifest_from_kubectl_create_dry_run_is_defaulted_and_rolled_out(
    store: FakeStore,
) -> None:
    # What `kubectl create deployment hello --image=nginx:1.27 --replicas=2 --dry-run=client -o yaml` prints.
    generated = yaml.safe_load("""
apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: {app: hello}
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: hello}
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
        resources: {}
status: {}
""")
    store.apply(generated)
    run(store)
    deploy = store.get("deployments", NS, "hello")
    assert deploy is not None
    assert deploy["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert deploy["status"]["availableReplicas"] == 2
    assert all(p["metadata"]["creationTimestamp"] == format_time(NOW) for p in store.kind("pods"))


def test_the_seeded_demo_sandbox_is_already_reconciled() -> None:
    """Seed-time materialisation and the controllers agree: the first write in a seeded namespace
    does not rewrite what the seed made."""
    from podium_devkit.kube_api import KubeEmulator, demo_seed_paths

    emulator = KubeEmulator.from_paths(*demo_seed_paths(), now=lambda: NOW)
    store = FakeStore()
    for items in emulator.store.by_resource.values():
        for obj in items.values():
            store.put(obj)
    before = copy.deepcopy(store.items)
    store.puts.clear()
    namespaces = sorted({namespace for _, namespace, _ in store.items if namespace})
    assert "sandbox" in namespaces and store.list("deployments", "sandbox")
    for namespace in namespaces:
        reconcile(store, emulator.logs, namespace, NOW + timedelta(minutes=1))
    assert store.puts == []
    assert store.items == before


def test_unusual_but_valid_objects_are_reconciled_without_errors(store: FakeStore) -> None:
    two = job("twice", ["sh", "-c", "echo ok"], image="busybox")
    two["spec"]["completions"] = 2
    recreate = deployment("rec", replicas=2)
    recreate["spec"]["strategy"] = {"type": "Recreate"}
    store.apply(
        two,
        recreate,
        deployment("zero", replicas=0),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "portless", "namespace": NS},
            "spec": {"selector": {"app": "zero"}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "external", "namespace": NS},
            "spec": {"type": "ExternalName", "externalName": "example.com"},
        },
        pod("forever", "alpine:3.20", ["sleep", "infinity"]),
    )
    run(store)
    finished = store.get("jobs", NS, "twice")
    assert (
        finished is not None
        and finished["status"]["succeeded"] == 2
        and condition(finished, "Complete")
    )
    zero = store.get("deployments", NS, "zero")
    assert (
        zero is not None
        and zero["status"]["replicas"] == 0
        and condition(zero, "Available")["status"] == "True"
    )
    assert store.get("endpoints", NS, "external") is None
    portless = store.get("endpoints", NS, "portless")
    assert portless is not None and "subsets" not in portless
    forever = store.get("pods", NS, "forever")
    assert forever is not None and forever["status"]["phase"] == "Running"
    store.apply(
        {
            **recreate,
            "spec": {
                **recreate["spec"],
                "template": deployment("rec", image="nginx:1.28")["spec"]["template"],
            },
        }
    )
    run(store)
    messages = [
        e["message"]
        for e in store.events("ScalingReplicaSet")
        if e["involvedObject"]["name"] == "rec"
    ]
    assert messages[-2].startswith("Scaled down replica set rec-") and messages[-2].endswith(
        "from 2 to 0"
    )
    assert messages[-1].endswith("from 0 to 2")


def test_nothing_the_controllers_record_lies_in_the_future(store: FakeStore) -> None:
    """A pod's start-up (pulls of seconds, a Job's run) is worked out in one pass; what is
    recorded never lies after `now`, or kubectl would print `<invalid>` ages."""
    store.put(deployment(image="busybox:1.36"))
    store.put(job("fetch", ["sh", "-c", "echo done"], image="busybox:1.36"))
    run(store)
    times: list[str] = []

    def collect(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                collect(v, k)
        elif isinstance(value, list):
            for v in value:
                collect(v, key)
        elif (
            isinstance(value, str)
            and key.endswith(("Time", "Timestamp", "At"))
            and value[:1].isdigit()
        ):
            times.append(value)

    for kind in ("pods", "events", "jobs", "deployments", "replicasets"):
        for obj in store.kind(kind):
            collect(obj)
    assert len(times) > 20
    latest = max(datetime.fromisoformat(t) for t in times)
    assert (
        latest == NOW
    )  # nothing after now; the pulls below took seconds, so they were brought back to it
    pulled = [e for e in store.kind("events") if e["reason"] == "Pulled"]
    assert any("Successfully pulled" in e["message"] for e in pulled)


def test_controller_pods_meet_the_namespaces_quota_and_limit_defaults(store: FakeStore) -> None:
    """As on a cluster: the ReplicaSet controller's pods get the LimitRange's defaults, and past the
    quota the ReplicaSet stops short with a FailedCreate warning naming the quota."""
    store.put(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "limits", "namespace": NS},
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "defaultRequest": {"cpu": "25m", "memory": "32Mi"},
                        "default": {"cpu": "500m", "memory": "128Mi"},
                    }
                ]
            },
        }
    )
    store.put(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "participant-quota", "namespace": NS},
            "spec": {"hard": {"pods": "2", "requests.cpu": "1"}},
        }
    )
    store.put(deployment(replicas=3))
    run(store)
    pods = pods_of(store, "web-")
    assert len(pods) == 2
    assert all(
        p["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "25m", "memory": "32Mi"}
        for p in pods
    )
    refused = [
        e for e in store.kind("events") if e["reason"] == "FailedCreate"
    ]  # retried: one per try
    assert refused and all(
        e["type"] == "Warning" and e["involvedObject"]["kind"] == "ReplicaSet" for e in refused
    )
    assert all(
        "is forbidden: exceeded quota: participant-quota, requested: pods=1, used: pods=2, limited: pods=2"
        in e["message"]
        for e in refused
    )
