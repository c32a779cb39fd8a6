"""The emulator's write path as pure functions: patches, pruning, validation, defaulting."""

from __future__ import annotations

import pytest

from podium_devkit import kube_writes as w

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
    "spec": {
        "containers": [
            {"name": "web", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "ports": [{"containerPort": 80}], "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
            {"name": "side", "image": "busybox"},
        ],
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "token", "projected": {"sources": []}}],
        "tolerations": [{"key": "x", "operator": "Exists"}],
    },
}  # fmt: skip


def test_strategic_merge_patch_merges_lists_by_their_keys() -> None:
    patch = {"spec": {"containers": [{"name": "web", "image": "nginx:1.28", "env": [{"name": "C", "value": "3"}],
                                      "ports": [{"containerPort": 8080}]}],
                      "tolerations": [{"key": "y", "operator": "Exists"}]}}  # fmt: skip
    out = w.strategic_merge_patch(POD, patch, "Pod")
    web, side = out["spec"]["containers"]
    assert web["image"] == "nginx:1.28" and side == POD["spec"]["containers"][1]
    assert [e["name"] for e in web["env"]] == ["A", "B", "C"]
    assert web["ports"] == [{"containerPort": 80}, {"containerPort": 8080}]
    assert out["spec"]["tolerations"] == [
        {"key": "y", "operator": "Exists"}
    ]  # no patch strategy: replaced
    assert POD["spec"]["containers"][0]["image"] == "nginx:1.27"  # the original is untouched


def test_strategic_merge_patch_directives() -> None:
    patch = {
        "metadata": {"labels": {"app": None, "tier": "front"}, "$deleteFromPrimitiveList/finalizers": ["a"]},
        "spec": {
            "$setElementOrder/containers": [{"name": "side"}, {"name": "web"}],
            "containers": [{"name": "web", "env": [{"name": "A", "$patch": "delete"}],
                            "$setElementOrder/env": [{"name": "B"}]}],
            "volumes": [{"name": "data", "$retainKeys": ["name", "hostPath"], "hostPath": {"path": "/srv"}}],
        },
    }  # fmt: skip
    out = w.strategic_merge_patch(POD, patch, "Pod")
    assert out["metadata"]["labels"] == {"tier": "front"} and out["metadata"]["finalizers"] == ["b"]
    assert [c["name"] for c in out["spec"]["containers"]] == ["side", "web"]
    assert out["spec"]["containers"][1]["env"] == [{"name": "B", "value": "2"}]
    assert out["spec"]["volumes"][0] == {
        "name": "data",
        "hostPath": {"path": "/srv"},
    }  # emptyDir dropped
    assert out["spec"]["volumes"][1]["name"] == "token"

    replaced = w.strategic_merge_patch(
        POD,
        {"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}},
        "Pod",
    )
    assert replaced["spec"]["containers"] == [{"name": "only", "image": "x"}]
    replaced_map = w.strategic_merge_patch(
        POD, {"metadata": {"labels": {"$patch": "replace", "new": "1"}}}, "Pod"
    )
    assert replaced_map["metadata"]["labels"] == {"new": "1"}
    deleted_map = w.strategic_merge_patch(
        POD, {"metadata": {"labels": {"$patch": "delete"}}}, "Pod"
    )
    assert "labels" not in deleted_map["metadata"]
    merged_finalizers = w.strategic_merge_patch(
        POD, {"metadata": {"finalizers": ["c", "a"]}}, "Pod"
    )
    assert merged_finalizers["metadata"]["finalizers"] == ["a", "b", "c"]


def test_strategic_merge_patch_service_ports_by_port_and_missing_merge_key() -> None:
    svc = {
        "kind": "Service",
        "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "name": "https"}]},
    }
    out = w.strategic_merge_patch(
        svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}, "Service"
    )
    assert out["spec"]["ports"] == [
        {"port": 80, "targetPort": 9090},
        {"port": 443, "name": "https"},
    ]
    with pytest.raises(w.ApiError) as refused:
        w.strategic_merge_patch(POD, {"spec": {"containers": [{"image": "x"}]}}, "Pod")
    assert (
        refused.value.code == 400
        and "does not contain declared merge key: name" in refused.value.message
    )


def test_merge_patch_and_json_patch() -> None:
    assert w.merge_patch({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None, "d": 3}, "l": [3]}) == {
        "a": {"c": 2, "d": 3}, "l": [3]}  # fmt: skip
    doc = {"spec": {"replicas": 1, "list": ["a", "c"]}}
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3},
           {"op": "add", "path": "/spec/list/1", "value": "b"},
           {"op": "add", "path": "/spec/list/-", "value": "d"},
           {"op": "remove", "path": "/spec/list/0"},
           {"op": "copy", "from": "/spec/replicas", "path": "/spec/copied"},
           {"op": "move", "from": "/spec/copied", "path": "/moved"},
           {"op": "test", "path": "/moved", "value": 3}]  # fmt: skip
    assert w.json_patch(doc, ops) == {"spec": {"replicas": 3, "list": ["b", "c", "d"]}, "moved": 3}
    assert doc["spec"]["replicas"] == 1
    with pytest.raises(w.ApiError) as missing:
        w.json_patch(doc, [{"op": "replace", "path": "/spec/nope", "value": 1}])
    assert (
        missing.value.code == 422 and 'doc is missing path: "/spec/nope"' in missing.value.message
    )
    with pytest.raises(w.ApiError) as failed:
        w.json_patch(doc, [{"op": "test", "path": "/spec/replicas", "value": 2}])
    assert "testing value /spec/replicas failed" in failed.value.message


def test_prune_unknown_fields_reports_their_paths() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labelz": {}},
                  "spec": {"replica": 2, "template": {"spec": {"containers": [{"name": "c", "image": "i", "imagePolicy": "x"}]}}},
                  "status": {"anything": 1}}  # fmt: skip
    pruned, unknown = w.prune_unknown(deployment, "Deployment")
    assert unknown == [
        "metadata.labelz",
        "spec.replica",
        "spec.template.spec.containers[0].imagePolicy",
    ]
    assert pruned["spec"] == {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}
    assert pruned["status"] == {"anything": 1}
    assert w.strict_decoding_error(unknown[:2]) == (
        'strict decoding error: unknown field "metadata.labelz", unknown field "spec.replica"'
    )
    assert w.prune_unknown({"spec": {"hard": {"pods": "3"}}}, "ResourceQuota") == (
        {"spec": {"hard": {"pods": "3"}}},
        [],
    )


def test_validation_messages() -> None:
    deployment = {"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "web"}]}}}}  # fmt: skip
    errors = w.validate(deployment, "Deployment")
    assert [str(e) for e in errors] == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
        "spec.template.spec.containers[0].image: Required value",
    ]
    error = w.invalid("Deployment", "apps", "web", errors)
    assert error.code == 422 and error.reason == "Invalid"
    assert error.message.startswith(
        'Deployment.apps "web" is invalid: [spec.template.metadata.labels: Invalid value'
    )
    assert error.details["causes"][1] == {"reason": "FieldValueRequired", "message": "Required value",
                                          "field": "spec.template.spec.containers[0].image"}  # fmt: skip
    assert [str(e) for e in w.validate({"metadata": {}}, "ConfigMap")] == [
        "metadata.name: Required value: name or generateName is required"
    ]
    assert str(
        w.validate({"metadata": {"name": "Web"}, "spec": {"ports": [{"port": 80}]}}, "Service")[0]
    ).startswith('metadata.name: Invalid value: "Web": a DNS-1035 label must consist of')
    assert [str(e) for e in w.validate({"metadata": {"name": "j"}, "spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "i"}]}}}}, "Job")] == [
        'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']  # fmt: skip
    assert w.validate({"metadata": {"name": "ok", "labels": {"app": "web"}},
                       "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}}, "Pod") == []  # fmt: skip


def test_immutable_fields() -> None:
    old = {"spec": {"selector": {"matchLabels": {"app": "a"}}}}
    new = {"spec": {"selector": {"matchLabels": {"app": "b"}}}}
    (error,) = w.immutable_errors(old, new, "Deployment")
    assert str(error) == (
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    )
    assert w.immutable_errors(old, old, "Deployment") == []


def test_defaults_like_the_api_server() -> None:
    deployment = {
        "metadata": {"name": "d", "uid": "u"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    w.apply_defaults(deployment, "Deployment", creating=True)
    spec = deployment["spec"]
    assert (spec["replicas"], spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (
        1,
        10,
        600,
    )
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    assert (
        spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    )  # :latest implied

    service = {
        "metadata": {"name": "s", "namespace": "n"},
        "spec": {"ports": [{"port": 80}], "selector": {"app": "a"}},
    }
    w.apply_defaults(service, "Service", creating=True)
    ip = service["spec"]["clusterIP"]
    assert ip.startswith("10.100.") and service["spec"]["ports"] == [
        {"port": 80, "protocol": "TCP", "targetPort": 80}
    ]
    again = {"metadata": {"name": "s", "namespace": "n"}, "spec": {"ports": [{"port": 80}]}}
    w.apply_defaults(again, "Service", creating=True, used_cluster_ips=[ip])
    assert again["spec"]["clusterIP"] != ip

    job = {"metadata": {"name": "j", "uid": "abc"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}],
                                                                                "restartPolicy": "Never"}}}}  # fmt: skip
    w.apply_defaults(job, "Job", creating=True)
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}}
    assert (
        job["spec"]["template"]["metadata"]["labels"]["job-name"] == "j"
        and job["spec"]["backoffLimit"] == 6
    )

    secret = {"metadata": {"name": "s"}, "stringData": {"k": "v"}, "data": {"a": "Yg=="}}
    w.apply_defaults(secret, "Secret", creating=True)
    assert secret == {
        "metadata": {"name": "s"},
        "data": {"a": "Yg==", "k": "dg=="},
        "type": "Opaque",
    }

    pod = {
        "metadata": {"name": "p", "uid": "u"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }
    w.apply_defaults(pod, "Pod", creating=True)
    assert pod["spec"]["serviceAccountName"] == "default" and pod["spec"]["volumes"][0][
        "name"
    ].startswith("kube-api-access-")


def test_generated_names_are_unique() -> None:
    first = w.generated_name("run-", [], "1")
    assert first.startswith("run-") and len(first) == 9
    assert w.generated_name("run-", [first], "1") != first


def test_quantities() -> None:
    assert w.parse_quantity("100m") == w.Fraction(1, 10) and w.parse_quantity("64Mi") == 64 * 2**20
    assert (
        w.parse_quantity("1e3") == 1000
        and w.parse_quantity(2) == 2
        and w.parse_quantity("1.5G") == 1_500_000_000
    )
    assert w.format_quantity(w.parse_quantity("128Mi"), True) == "128Mi"
    assert w.format_quantity(w.parse_quantity("1500m"), False) == "1500m"
    assert w.format_quantity(w.Fraction(2), False) == "2"
    with pytest.raises(ValueError):
        w.parse_quantity("lots")


def test_limit_ranges_default_and_quotas_refuse() -> None:
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "web", "image": "nginx"}, {"name": "side", "image": "busybox", "resources": {"limits": {"memory": "32Mi"}}}]}}  # fmt: skip
    limits = {
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"memory": "64Mi"},
                    "defaultRequest": {"cpu": "10m"},
                }
            ]
        }
    }
    w.apply_limit_ranges(pod, [limits])
    web, side = (c["resources"] for c in pod["spec"]["containers"])
    assert web == {"limits": {"memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "64Mi"}}
    assert side == {"limits": {"memory": "32Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}}

    quota = {
        "metadata": {"name": "compute"},
        "spec": {"hard": {"pods": "2", "limits.memory": "128Mi"}},
    }
    running = {"spec": pod["spec"], "status": {"phase": "Running"}}
    done = {"spec": pod["spec"], "status": {"phase": "Succeeded"}}
    assert w.quota_refusal(pod, [quota], []) is None
    assert w.quota_refusal(pod, [quota], [running]) == (
        "exceeded quota: compute, requested: limits.memory=96Mi, used: limits.memory=96Mi, limited: limits.memory=128Mi"
    )
    assert w.quota_refusal(pod, [quota], [done]) is None  # finished pods use nothing
    bare = {"metadata": {"name": "b"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
    assert (
        w.quota_refusal(bare, [quota], [])
        == "failed quota: compute: must specify limits.memory for: web"
    )


def test_quota_status_counts_what_the_namespace_uses() -> None:
    quota = {"spec": {"hard": {"pods": "4", "requests.cpu": "1", "limits.memory": "1Gi", "services": "2",
                               "count/deployments.apps": "3"}}}  # fmt: skip
    pod = {
        "spec": {
            "containers": [
                {"resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "64Mi"}}}
            ]
        }
    }
    finished = {**pod, "status": {"phase": "Succeeded"}}
    status = w.quota_status(quota, {"services": 1, "deployments": 2}, [pod, pod, finished])
    assert status == {"hard": quota["spec"]["hard"], "used": {
        "pods": "2", "requests.cpu": "500m", "limits.memory": "128Mi", "services": "1", "count/deployments.apps": "2"}}  # fmt: skip
