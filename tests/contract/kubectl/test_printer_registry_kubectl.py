"""One layout check per kind against the real kubectl: Podium's cells served as a server-side
Table, as in test_printer_kubectl_reference; kubectl's columns and decoration must equal ours.
(get_table's dispatch and decoration alone: tests/unit/kubectl/printers/test_printer_registry.py.)"""

from __future__ import annotations

import pytest

from bot.kubectl.printers.registry import get_table
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import NOW, samples_by_plural
from tests.harness.pods_only_api import Served, TableKubectl


@pytest.mark.parametrize("plural", sorted(set(samples_by_plural()) - {"pods"}))
@pytest.mark.parametrize("decorated", [False, True], ids=["plain", "all-namespaces+labels"])
def test_layout_matches_kubectl(kubectl: TableKubectl, plural: str, decorated: bool) -> None:
    objects = samples_by_plural()[plural]
    server_side = get_table(plural, objects, now=NOW, wide=True)  # the server's cells
    metadata = [
        {k: o["metadata"][k] for k in ("name", "namespace", "labels") if k in o["metadata"]}
        for o in objects
    ]
    flags: tuple[str, ...] = ()
    if decorated and plural != "namespaces":
        flags = ("-A", "--show-labels")
    elif decorated:
        flags = ("--show-labels",)
    ours = get_table(
        plural, objects, now=NOW, wide=True, with_namespace="-A" in flags, show_labels=decorated
    )
    served = Served(server_side.headers, server_side.rows, metadata)
    assert kubectl.get_pods(served, *flags) == render_table(ours) + "\n"
