"""get_table dispatch and kubectl's client-side decoration, plus one layout check per
kind against the real kubectl (served our cells as a server-side Table, as in
test_printer_kubectl_reference)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.registry import get_table, supported_plurals
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import (
    NOW, addrs, ago, deployment, endpoints, job, replicaset, sample_events, sample_pods, sample_services,
)
from tests.harness.pods_only_api import Served, TableKubectl


def _labelled(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, obj in enumerate(objects):
        obj["metadata"].setdefault("namespace", "workshop" if index % 2 else "team-b")
        if index % 2 == 0:
            obj["metadata"]["labels"] = {"app": "web", "tier": str(index)}
    return objects


def samples() -> dict[str, list[dict[str, Any]]]:
    return {
        "deployments": _labelled([
            deployment("web", replicas=3, ready=3, updated=3, available=3),
            deployment("api", replicas=3, ready=2, updated=1, available=2, created=ago(minutes=7)),
        ]),
        "replicasets": _labelled([
            replicaset("web-7d9c5b8f4", desired=3, current=3, ready=2, created=ago(minutes=2)),
            replicaset("web-5f6b7c8d9", desired=0, current=0, ready=0, created=ago(hours=26)),
        ]),
        "jobs": _labelled([
            job("pi", start=ago(minutes=3, seconds=20)),
            job("pending", created=ago(seconds=4)),
        ]),
        "services": _labelled(sample_services()),
        "endpoints": _labelled([
            endpoints("api", {"addresses": addrs(*(f"10.244.0.{i}" for i in range(1, 6))),
                           "ports": [{"port": 80}]}),
            endpoints("starting", {"notReadyAddresses": addrs("10.244.4.4")}),
        ]),
        "endpointslices": _labelled([
            {"metadata": {"name": "api-x7k2p", "creationTimestamp": ago(minutes=4)}, "addressType": "IPv4",
             "ports": [{"port": 80}, {"name": "metrics"}],
             "endpoints": [{"addresses": [f"10.244.0.{i}"]} for i in range(1, 6)]},
            {"metadata": {"name": "starting-q9w8e", "creationTimestamp": ago(seconds=9)}, "addressType": "IPv4"},
        ]),
        "configmaps": _labelled([
            {"metadata": {"name": "app-config", "creationTimestamp": ago(minutes=3)}, "data": {"a": "x"}},
            {"metadata": {"name": "kube-root-ca.crt", "creationTimestamp": ago(days=9)}},
        ]),
        "events": _labelled(sample_events()),
        "namespaces": [
            {"metadata": {"name": "default", "creationTimestamp": ago(days=30), "labels": {"x": "y"}},
             "status": {"phase": "Active"}},
        ],
        "pods": _labelled(sample_pods()),
    }


def test_every_kind_is_supported() -> None:
    assert set(supported_plurals()) == set(samples())


def test_unknown_plural_is_refused() -> None:
    with pytest.raises(ValueError, match="secrets"):
        get_table("secrets", [], now=NOW)


def test_pods_go_through_pod_table() -> None:
    pods = samples()["pods"]
    options = {"wide": True, "with_namespace": True, "show_labels": True}
    assert get_table("pods", pods, now=NOW, **options) == pod_table(pods, now=NOW, **options)


def test_namespace_and_labels_decoration() -> None:
    table = get_table("configmaps", samples()["configmaps"], now=NOW, with_namespace=True, show_labels=True)
    assert render_table(table) == (
        "NAMESPACE   NAME               DATA   AGE   LABELS\n"
        "team-b      app-config         1      3m    app=web,tier=0\n"
        "workshop    kube-root-ca.crt   0      9d    <none>"
    )


def test_cluster_scoped_kinds_get_no_namespace_column() -> None:
    # kubectl get -A: printWithNamespace is false for cluster-scoped resources.
    table = get_table("namespaces", samples()["namespaces"], now=NOW, with_namespace=True, show_labels=True)
    assert table.headers == ["NAME", "STATUS", "AGE", "LABELS"]
    assert table.rows == [["default", "Active", "30d", "x=y"]]


@pytest.mark.parametrize("plural", sorted(set(samples()) - {"pods"}))
@pytest.mark.parametrize("decorated", [False, True], ids=["plain", "all-namespaces+labels"])
def test_layout_matches_kubectl(kubectl: TableKubectl, plural: str, decorated: bool) -> None:
    objects = samples()[plural]
    server_side = get_table(plural, objects, now=NOW, wide=True)  # the server's cells
    metadata = [{k: o["metadata"][k] for k in ("name", "namespace", "labels") if k in o["metadata"]}
                for o in objects]
    flags: tuple[str, ...] = ()
    if decorated and plural != "namespaces":
        flags = ("-A", "--show-labels")
    elif decorated:
        flags = ("--show-labels",)
    ours = get_table(plural, objects, now=NOW, wide=True, with_namespace="-A" in flags,
                     show_labels=decorated)
    served = Served(server_side.headers, server_side.rows, metadata)
    assert kubectl.get_pods(served, *flags) == render_table(ours) + "\n"
