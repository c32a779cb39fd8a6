"""What is wrong with a Pod or a Job, from the shapes the emulator's kubelet writes (and a real
cluster's OOM kill): the reason family, kubectl's words, the key, the likely typo."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot.notify.diagnose import (
    CONFIG,
    CRASH,
    IMAGE,
    JOB_FAILED,
    OOM,
    SELECTS_NOTHING,
    UNSCHEDULABLE,
    bounded_distance,
    deployment_of,
    diagnose_job,
    diagnose_pod,
    diagnose_service,
    images_in_yaml,
    known_images,
    repository,
    suggest_image,
    troubles_of,
)
from tests.harness.paths import FIXTURES

OBJECTS = json.loads((FIXTURES / "notify" / "failing-pods.json").read_text())


def pod(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(
        next(p for p in OBJECTS["pods"] if p["metadata"]["name"].startswith(prefix))
    )


def test_a_mistyped_image_is_the_image_family_with_kubectls_words_and_its_deployment():
    [finding] = diagnose_pod(pod("web-"))
    assert finding.family == IMAGE and finding.reason == "ImagePullBackOff"
    assert finding.message.startswith('Back-off pulling image "ngnix"')
    assert finding.container == "web" and finding.image == "ngnix"
    assert finding.owner.startswith("ReplicaSet/web-") and finding.deployment == "web"
    assert finding.key == ("ws-u0alice", finding.owner, IMAGE)


def test_err_image_pull_and_the_back_off_after_it_are_one_key():
    backing_off = pod("web-")
    pulling = copy.deepcopy(backing_off)
    pulling["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "ErrImagePull", "message": "pull access denied"}
    }
    [a], [b] = diagnose_pod(pulling), diagnose_pod(backing_off)
    assert (a.reason, b.reason) == ("ErrImagePull", "ImagePullBackOff")
    assert a.key == b.key


def test_the_pods_of_one_replicaset_share_a_key_and_a_new_replicaset_has_its_own():
    first, second = (p for p in OBJECTS["pods"] if p["metadata"]["name"].startswith("web-"))
    assert diagnose_pod(first)[0].key == diagnose_pod(second)[0].key
    fixed = copy.deepcopy(first)
    fixed["metadata"]["ownerReferences"][0]["name"] = "web-5c9b7d6f4"
    fixed["metadata"]["labels"]["pod-template-hash"] = "5c9b7d6f4"
    [rollout] = diagnose_pod(fixed)
    assert rollout.key != diagnose_pod(first)[0].key and rollout.deployment == "web"


def test_a_crash_looping_sidecar_names_the_container_and_its_exit_code():
    [finding] = diagnose_pod(pod("side"))
    assert finding.family == CRASH and finding.reason == "CrashLoopBackOff"
    assert finding.container == "writer" and finding.exit_code == 1
    assert finding.owner == "Pod/side"  # a bare Pod is its own owner
    assert "restarting failed container=writer" in finding.message


def test_a_missing_configmap_is_named():
    [finding] = diagnose_pod(pod("cfg-"))
    assert finding.family == CONFIG and finding.reason == "CreateContainerConfigError"
    assert finding.message == 'configmap "app" not found'
    assert finding.missing == ("ConfigMap", "app")


def test_a_missing_key_of_a_secret_is_named():
    broken = pod("cfg-")
    broken["status"]["containerStatuses"][0]["state"]["waiting"]["message"] = (
        "couldn't find key password in Secret ws-u0alice/db"
    )
    [finding] = diagnose_pod(broken)
    assert finding.missing == ("Secret", "db") and finding.missing_key == "password"


def test_an_unschedulable_pod_says_what_no_node_has_and_what_it_requests():
    [finding] = diagnose_pod(pod("big-"))
    assert finding.family == UNSCHEDULABLE and finding.reason == "Unschedulable"
    assert finding.message.startswith("0/2 nodes are available: 2 Insufficient cpu.")
    assert finding.insufficient == ("cpu",)
    assert finding.requests == {"cpu": "64", "memory": "1Gi"}


def test_oom_killed_wins_over_the_crash_loop_it_causes():
    [finding] = diagnose_pod(pod("hog"))
    assert finding.family == OOM and finding.reason == "OOMKilled"
    assert finding.memory_limit == "64Mi" and finding.exit_code == 137
    assert "OOMKilled" in finding.message and "CrashLoopBackOff" in finding.message


def test_oom_killed_in_the_current_state_counts_too():
    hog = pod("hog")
    status = hog["status"]["containerStatuses"][0]
    status["state"] = {"terminated": status.pop("lastState")["terminated"]}
    assert [f.family for f in diagnose_pod(hog)] == [OOM]


def test_a_failed_job_is_one_finding_and_its_failed_pods_are_not():
    [job] = OBJECTS["jobs"]
    [finding] = diagnose_job(job)
    assert finding.family == JOB_FAILED and finding.reason == "BackoffLimitExceeded"
    assert finding.message == "Job has reached the specified backoff limit"
    assert finding.key == ("ws-u0alice", "Job/jb", JOB_FAILED)
    assert [
        f
        for p in OBJECTS["pods"]
        if p["metadata"]["name"].startswith("jb-")
        for f in diagnose_pod(p)
    ] == []


def test_healthy_starting_and_deleted_pods_have_no_findings():
    running = pod("side")
    running["status"]["containerStatuses"][1]["state"] = {"running": {"startedAt": "x"}}
    running["status"]["containerStatuses"][1]["lastState"] = {}
    assert diagnose_pod(running) == []
    assert diagnose_pod({"metadata": {"name": "new", "namespace": "ns"}}) == []
    going = pod("web-")
    going["metadata"]["deletionTimestamp"] = "2026-12-03T22:07:00Z"
    assert diagnose_pod(going) == []


def test_a_namespace_has_one_finding_per_failing_object_and_family():
    families = sorted(f.family for f in troubles_of(OBJECTS["pods"], OBJECTS["jobs"]))
    assert families == sorted(
        [IMAGE, IMAGE, CRASH, CONFIG, CONFIG, UNSCHEDULABLE, UNSCHEDULABLE, OOM, JOB_FAILED]
    )


def test_garbage_objects_do_not_break_the_diagnosis():
    assert diagnose_pod({}) == [] and diagnose_job({}) == []
    odd = {"metadata": {"name": "x", "namespace": "n", "ownerReferences": ["x"]},
           "status": {"containerStatuses": ["x", {"name": "c"}], "conditions": [None]}}  # fmt: skip
    assert diagnose_pod(odd) == []


@pytest.mark.parametrize(
    ("image", "meant"),
    [
        ("ngnix", "nginx"),
        ("ngnix:1.27", "nginx:1.27"),
        ("nignx:1.27-alpine", "nginx:1.27-alpine"),
        ("docker.io/library/ngnix:latest", "nginx:latest"),
        ("busybx", "busybox"),
        ("redsi:7", "redis:7"),
        ("htpd", "httpd"),
        ("nginx:1.277", None),  # a known repository: the tag is wrong, not the name
        ("my-company/private-app", None),  # nothing close: no guess
        ("a", None),
    ],
)
def test_a_typo_is_matched_to_the_closest_known_image(image, meant):
    assert suggest_image(image, known_images()) == meant


def test_images_from_the_solutions_and_the_decks_manifests_are_known(tmp_path):
    text = "spec:\n  containers:\n    - name: web\n      image: ghcr.io/acme/shop:2.1  # ours\n"
    known = known_images(images_in_yaml(text))
    assert "ghcr.io/acme/shop" in known
    assert suggest_image("ghcr.io/acme/shpo:2.1", known) == "ghcr.io/acme/shop:2.1"


def test_the_edit_distance_is_bounded_and_counts_a_swap_as_one():
    assert bounded_distance("ngnix", "nginx") == 1
    assert bounded_distance("nginx", "nginx") == 0
    assert bounded_distance("ngnix", "httpd") is None
    assert bounded_distance("a" * 5000, "b" * 5000) is None  # cut first: bounded work
    assert bounded_distance("a" * 5000, "a" * 5000 + "b") == 0  # equal in their first 128
    assert repository("Docker.io/Library/NGINX:1.27@sha256:abc") == "nginx"
    assert repository("registry.k8s.io/pause:3.10") == "registry.k8s.io/pause"
    assert repository("localhost:5000/app:1") == "localhost:5000/app"


def test_deployment_of_a_replicaset_needs_its_template_hash():
    assert deployment_of("web-7d4f8", {"pod-template-hash": "7d4f8"}) == "web"
    assert deployment_of("web-7d4f8", {}) is None
    assert deployment_of("-7d4f8", {"pod-template-hash": "7d4f8"}) is None


def svc(selector: dict[str, str] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": [{"port": 80}]}
    if selector is not None:
        spec["selector"] = selector
    return {"metadata": {"name": "web", "namespace": "ws-u0alice"}, "spec": spec}


def labelled(**labels: str) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": "ws-u0alice", "labels": labels}}


def test_a_service_selecting_no_pod_names_the_label_it_probably_meant():
    pods = [labelled(app="web", tier="front"), labelled(app="db")]
    [finding] = diagnose_service(svc({"app": "wbe", "tier": "front"}), pods)
    assert finding.family == SELECTS_NOTHING and finding.key == (
        "ws-u0alice",
        "Service/web",
        SELECTS_NOTHING,
    )
    assert finding.close_labels == {"app": "web"}
    assert "Endpoints: <none>" in finding.message
    assert diagnose_service(svc({"app": "web"}), pods) == []  # it selects something
    assert diagnose_service(svc(None), pods) == []  # endpoints by hand
    assert diagnose_service(svc({"app": "wbe"}), []) == []  # nothing to select yet
    [far] = diagnose_service(svc({"role": "cache-layer-x"}), pods)
    assert far.close_labels is None
