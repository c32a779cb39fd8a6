"""A throw-away, pods-only Kubernetes API on 127.0.0.1 for the real kubectl, for tests that compare
Podium's printers with kubectl's byte for byte. It answers discovery and, for any other path,
whatever the test's `answer(path)` returns (None: 404)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.harness.kubectl_binary import kubectl_binary

Answer = Callable[[str], "dict[str, Any] | None"]

_DISCOVERY = {
    "/api": {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    },
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {
                "name": "pods",
                "singularName": "pod",
                "namespaced": True,
                "kind": "Pod",
                "verbs": ["get", "list"],
            }
        ],
    },
}


def _handler(answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            body = _DISCOVERY.get(path) or answer(path)
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


@contextmanager
def pods_only_api(answer: Answer, home: Path) -> Iterator[Path]:
    """Serve until the block ends; yields a kubeconfig (in `home`) whose namespace is `workshop`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = home / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{server.server_port}'}}}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u, namespace: workshop}}]\n"
        "current-context: x\n"
    )
    try:
        yield kubeconfig
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_kubectl(kubeconfig: Path, *args: str) -> str:
    """The real kubectl's stdout; a non-zero exit fails the test with its stderr."""
    result = subprocess.run(
        [kubectl_binary(), "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(kubeconfig.parent), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


WIDE_COLUMNS = {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}


@dataclass
class Served:
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
                {
                    "name": h.title(),
                    "type": "string",
                    "format": "",
                    "description": "",
                    "priority": 1 if h in WIDE_COLUMNS else 0,
                }
                for h in self.headers
            ],
            "rows": [
                {
                    "cells": cells,
                    "object": {
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": md,
                    },
                }
                for cells, md in zip(self.rows, self.metadata)
            ],
        }


class TableKubectl:
    def __init__(self, kubeconfig: Path, served: Served) -> None:
        self.kubeconfig = kubeconfig
        self.served = served

    def get_pods(self, served: Served, *flags: str) -> str:
        self.served.headers, self.served.rows, self.served.metadata = (
            served.headers,
            served.rows,
            served.metadata,
        )
        return run_kubectl(self.kubeconfig, "get", "pods", *flags)


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TableKubectl]:
    served = Served()

    def answer(path: str) -> dict[str, Any] | None:
        return served.table_json() if path.endswith("/pods") else None

    with pods_only_api(answer, tmp_path_factory.mktemp("kubectl-home")) as kubeconfig:
        yield TableKubectl(kubeconfig, served)
