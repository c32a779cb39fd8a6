"""get_table dispatch and kubectl's client-side decoration, by the rules (each kind's layout
against the real kubectl: tests/contract/kubectl/test_printer_registry_kubectl.py)."""

from __future__ import annotations

import pytest

from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.registry import get_table, supported_plurals
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import NOW, samples_by_plural


def test_every_kind_is_supported() -> None:
    assert set(supported_plurals()) == set(samples_by_plural())


def test_unknown_plural_is_refused() -> None:
    with pytest.raises(ValueError, match="secrets"):
        get_table("secrets", [], now=NOW)


def test_pods_go_through_pod_table() -> None:
    pods = samples_by_plural()["pods"]
    options = {"wide": True, "with_namespace": True, "show_labels": True}
    assert get_table("pods", pods, now=NOW, **options) == pod_table(pods, now=NOW, **options)


def test_namespace_and_labels_decoration() -> None:
    table = get_table(
        "configmaps",
        samples_by_plural()["configmaps"],
        now=NOW,
        with_namespace=True,
        show_labels=True,
    )
    assert render_table(table) == (
        "NAMESPACE   NAME               DATA   AGE   LABELS\n"
        "team-b      app-config         1      3m    app=web,tier=0\n"
        "workshop    kube-root-ca.crt   0      9d    <none>"
    )


def test_cluster_scoped_kinds_get_no_namespace_column() -> None:
    # kubectl get -A: printWithNamespace is false for cluster-scoped resources.
    table = get_table(
        "namespaces",
        samples_by_plural()["namespaces"],
        now=NOW,
        with_namespace=True,
        show_labels=True,
    )
    assert table.headers == ["NAME", "STATUS", "AGE", "LABELS"]
    assert table.rows == [["default", "Active", "30d", "x=y"]]
