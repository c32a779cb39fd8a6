from __future__ import annotations

from datetime import timedelta

import yaml

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.kube_logs import format_time
from podium_devkit.kube_materialize import materialize, pod_template_hash
from tests.harness.emulator import NOW, fixed_now

CRASHING = """
apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: sandbox, labels: {app: crasher}, creationTimestamp: "-2h"}
spec:
  containers: [{name: app, image: busybox}]
status:
  phase: Running
  containerStatuses:
    - name: app
      ready: false
      restartCount: 7
      image: busybox
      imageID: ""
      state: {waiting: {reason: CrashLoopBackOff, message: back-off 5m0s}}
      lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: "-3m"}}
"""

JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: pi, namespace: sandbox}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl:5.34, command: [perl, -e, print 1]}]
"""


def demo() -> KubeEmulator:
    return KubeEmulator.from_paths(*demo_seed_paths(), now=fixed_now)


def by_name(objects: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects}


def test_deployment_becomes_replicaset_and_running_pods() -> None:
    emulator = demo()
    deploy = emulator.get_object("deployments", "sandbox", "nginx")
    assert deploy is not None
    (rs,) = emulator.objects("replicasets", "sandbox")
    template_hash = pod_template_hash(deploy["spec"]["template"])
    assert rs["metadata"]["name"] == f"nginx-{template_hash}"
    assert rs["metadata"]["labels"] == {"app": "nginx", "pod-template-hash": template_hash}
    assert rs["metadata"]["ownerReferences"][0]["uid"] == deploy["metadata"]["uid"]
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["status"]["readyReplicas"] == 3

    pods = emulator.objects("pods", "sandbox")
    assert len(pods) == 3
    for pod in pods:
        assert pod["metadata"]["name"].startswith(f"{rs['metadata']['name']}-")
        assert len(pod["metadata"]["name"].rsplit("-", 1)[1]) == 5
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
        assert pod["status"]["phase"] == "Running"
        assert pod["spec"]["nodeName"] and pod["status"]["podIP"] and pod["status"]["hostIP"]
        (status,) = pod["status"]["containerStatuses"]
        assert status["ready"] and status["state"]["running"]["startedAt"]
        assert status["containerID"].startswith("containerd://")
        assert status["imageID"].startswith("docker.io/library/nginx@sha256:")
        assert {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"] == "True"
    assert len({p["status"]["podIP"] for p in pods}) == 3

    assert deploy["status"]["availableReplicas"] == 3
    conditions = {c["type"]: c for c in deploy["status"]["conditions"]}
    assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert (
        conditions["Progressing"]["message"]
        == f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.'
    )


def test_materialisation_is_deterministic() -> None:
    first, second = demo(), demo()
    assert [p["metadata"] for p in first.objects("pods")] == [
        p["metadata"] for p in second.objects("pods")
    ]
    assert [p["status"] for p in first.objects("pods")] == [
        p["status"] for p in second.objects("pods")
    ]


def test_ages_default_to_a_few_minutes_ago() -> None:
    deploy = demo().get_object("deployments", "sandbox", "nginx")
    assert deploy is not None
    assert deploy["metadata"]["creationTimestamp"] == format_time(NOW - timedelta(minutes=7))


def test_events_like_the_real_components() -> None:
    emulator = demo()
    events = emulator.objects("events", "sandbox")
    pod = emulator.objects("pods", "sandbox")[0]
    pod_events = [e for e in events if e["involvedObject"]["uid"] == pod["metadata"]["uid"]]
    assert pod_events[0]["reason"] == "Scheduled"
    assert {e["reason"] for e in pod_events} >= {"Scheduled", "Pulled", "Created", "Started"}
    scheduled = pod_events[0]
    assert (
        scheduled["source"]["component"] == scheduled["reportingComponent"] == "default-scheduler"
    )
    assert (
        scheduled["message"]
        == f"Successfully assigned sandbox/{pod['metadata']['name']} to {pod['spec']['nodeName']}"
    )
    started = next(e for e in pod_events if e["reason"] == "Started")
    assert started["source"] == {"component": "kubelet", "host": pod["spec"]["nodeName"]}
    assert started["involvedObject"]["fieldPath"] == "spec.containers{nginx}"
    assert started["count"] == 1 and started["firstTimestamp"] == started["lastTimestamp"]
    reasons = {(e["involvedObject"]["kind"], e["reason"]) for e in events}
    assert ("Deployment", "ScalingReplicaSet") in reasons and (
        "ReplicaSet",
        "SuccessfulCreate",
    ) in reasons


def test_service_gets_cluster_ip_endpoints_and_slices() -> None:
    emulator = demo()
    service = emulator.get_object("services", "sandbox", "nginx")
    assert service is not None
    assert service["spec"]["clusterIP"].startswith("10.100.")
    assert (
        service["spec"]["ipFamilies"] == ["IPv4"]
        and service["spec"]["ipFamilyPolicy"] == "SingleStack"
    )
    pod_ips = sorted(p["status"]["podIP"] for p in emulator.objects("pods", "sandbox"))
    endpoints = emulator.get_object("endpoints", "sandbox", "nginx")
    assert endpoints is not None
    (subset,) = endpoints["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == pod_ips
    assert subset["ports"] == [{"port": 80, "protocol": "TCP"}]
    (endpoint_slice,) = emulator.objects("endpointslices", "sandbox")
    assert endpoint_slice["metadata"]["labels"]["kubernetes.io/service-name"] == "nginx"
    assert sorted(e["addresses"][0] for e in endpoint_slice["endpoints"]) == pod_ips
    assert all(e["conditions"]["ready"] for e in endpoint_slice["endpoints"])


def test_node_port_service_gets_node_ports() -> None:
    emulator = KubeEmulator(
        yaml.safe_load_all(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
            "spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}"
        ),
        now=fixed_now,
    )
    service = emulator.get_object("services", "default", "web")
    assert service is not None
    port = service["spec"]["ports"][0]
    assert 30000 <= port["nodePort"] <= 32767 and port["targetPort"] == 80
    assert service["spec"]["externalTrafficPolicy"] == "Cluster"


def test_objects_with_status_are_kept_and_relative_times_resolved() -> None:
    emulator = KubeEmulator(yaml.safe_load_all(CRASHING), now=fixed_now)
    pod = emulator.get_object("pods", "sandbox", "crasher")
    assert pod is not None
    assert pod["metadata"]["creationTimestamp"] == format_time(NOW - timedelta(hours=2))
    status = pod["status"]["containerStatuses"][0]
    assert status["state"] == {
        "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}
    }
    assert status["lastState"]["terminated"]["finishedAt"] == format_time(
        NOW - timedelta(minutes=3)
    )
    assert "nodeName" not in pod["spec"]
    assert not [e for e in emulator.objects("events") if e["involvedObject"]["name"] == "crasher"]


def test_job_runs_to_completion() -> None:
    emulator = KubeEmulator(yaml.safe_load_all(JOB), now=fixed_now)
    job = emulator.get_object("jobs", "sandbox", "pi")
    assert job is not None
    assert job["status"]["succeeded"] == 1 and job["status"]["completionTime"]
    assert {c["type"] for c in job["status"]["conditions"]} == {"Complete", "SuccessCriteriaMet"}
    (pod,) = emulator.objects("pods", "sandbox")
    assert pod["metadata"]["labels"]["job-name"] == "pi"
    assert pod["status"]["phase"] == "Succeeded"
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_namespaces_and_per_namespace_defaults() -> None:
    emulator = demo()
    names = [n["metadata"]["name"] for n in emulator.objects("namespaces")]
    assert {"sandbox", "default", "kube-system"} <= set(names)
    assert emulator.get_object("configmaps", "sandbox", "kube-root-ca.crt") is not None
    assert emulator.objects("pods", "kube-system") and emulator.objects("pods", "default")
    assert emulator.get_object("secrets", "sandbox", "db-credentials") is not None


def test_demo_manifests_are_plain_applyable_yaml() -> None:
    docs = load_documents(demo_seed_paths()[0])
    assert {(d["kind"], d["metadata"]["name"], d["metadata"]["namespace"]) for d in docs} == {
        ("Deployment", "nginx", "sandbox"),
        ("Service", "nginx", "sandbox"),
    }
    assert all("status" not in d and "devkit" not in d["apiVersion"] for d in docs)


def test_materialize_does_not_mutate_its_input() -> None:
    docs = list(yaml.safe_load_all(JOB))
    before = yaml.safe_dump(docs)
    materialize(docs, now=NOW)
    assert yaml.safe_dump(docs) == before
