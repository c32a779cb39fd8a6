"""-o name / json / yaml and --sort-by, by the rules (against the real kubectl:
tests/contract/kubectl/test_formats_kubectl.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.kubectl.printers.formats import (
    go_yaml_resolve,
    parse_sort_path,
    sort_objects,
    to_json,
    to_name,
    to_yaml,
)
from tests.harness.k8s_objects import pod

# --- by the rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plural", "prefix"),
    [
        ("pods", "pod"),
        ("deployments", "deployment.apps"),
        ("replicasets", "replicaset.apps"),
        ("jobs", "job.batch"),
        ("services", "service"),
        ("endpoints", "endpoints"),
        ("configmaps", "configmap"),
        ("events", "event"),
        ("namespaces", "namespace"),
    ],
)
def test_to_name(plural: str, prefix: str) -> None:
    objects = [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]
    assert to_name(plural, objects) == f"{prefix}/a\n{prefix}/b"


def test_single_object_yaml() -> None:
    assert to_yaml(
        [pod("web-1", meta={"annotations": {"note": "a: b", "n": "123"}})],
        single=True,
        plural="pods",
    ) == (
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  annotations:\n"
        '    "n": "123"\n'  # "n" reads back as a YAML 1.1 bool, "123" as an int
        "    note: 'a: b'\n"  # ": " forbids the plain style
        '  creationTimestamp: "2026-11-27T04:20:00Z"\n'  # a timestamp to go-yaml
        "  labels:\n"
        "    app: web\n"
        '    "n": "1"\n'
        "  name: web-1\n"
        "  namespace: workshop\n"
        '  resourceVersion: "42"\n'
        "  uid: uid-web-1\n"
        "spec:\n"
        "  containers:\n"
        "  - image: nginx:1.27\n"
        "    name: app\n"
        "    ports:\n"
        "    - containerPort: 80\n"
        "    resources: {}\n"
        "  nodeName: node-1\n"
        "status:\n"
        "  phase: Running\n"
        "  podIP: 10.244.1.5"
    )


def test_list_json() -> None:
    text = to_json([pod("a"), pod("b")], single=False, plural="pods")
    assert text.startswith(
        '{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "apiVersion": "v1",\n'
        '            "kind": "Pod",\n'
    )
    assert text.endswith(
        '    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}'
    )
    assert "managedFields" not in text
    assert json.loads(text)["items"][1]["metadata"]["name"] == "b"


def test_json_escapes_like_go() -> None:
    text = to_json(
        [
            {
                "kind": "ConfigMap",
                "apiVersion": "v1",
                "metadata": {"name": "x"},
                "data": {"html": "<a href='x'>&</a>", "ls": "\u2028", "n": 2.0, "f": 0.5},
            }
        ],
        single=True,
    )
    assert '"html": "\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"' in text
    assert '"ls": "\\u2028"' in text and '"n": 2\n' in text and '"f": 0.5' in text


def test_one_item_list_is_still_a_list() -> None:
    assert to_yaml([pod("a")], single=False, plural="pods").startswith(
        "apiVersion: v1\nitems:\n- apiVersion: v1\n"
    )


def test_input_objects_are_not_modified() -> None:
    original = pod("a")
    to_json([original], single=True, plural="pods")
    assert "managedFields" in original["metadata"] and "kind" not in original


@pytest.mark.parametrize("fmt", [to_json, to_yaml])
def test_secrets_are_refused(fmt: Any) -> None:
    with pytest.raises(ValueError, match="Secret"):
        fmt(
            [
                {
                    "kind": "Secret",
                    "apiVersion": "v1",
                    "metadata": {"name": "s"},
                    "data": {"k": "djE="},
                }
            ],
            single=True,
        )
    with pytest.raises(ValueError, match="Secret"):
        fmt([{"metadata": {"name": "s"}}], single=False, plural="secrets")


def test_single_needs_one_object() -> None:
    with pytest.raises(ValueError):
        to_yaml([pod("a"), pod("b")], single=True, plural="pods")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("web", False),
        ("", True),
        ("yes", True),
        ("y", True),
        ("N", True),
        ("null", True),
        ("~", True),
        ("123", True),
        ("1.5", True),
        ("1e3", True),
        ("0x1F", True),
        ("1_000", True),
        (".inf", True),
        ("1:20", True),
        ("2026-11-27", True),
        ("2026-11-27T04:20:00Z", True),
        ("2026-13-01", False),
        ("nginx:1.27", False),
        ("10.244.1.5", False),
        ("3d", False),
        ("-", False),
        ("inf", False),
    ],
)
def test_go_yaml_double_quotes_strings_that_read_back_otherwise(text: str, quoted: bool) -> None:
    document = to_yaml(
        [{"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": text}}], single=True
    )
    line = next(line for line in document.splitlines() if line.startswith("  k:"))
    assert line.startswith('  k: "') is quoted, (line, go_yaml_resolve(text))


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        (".metadata.name", ["metadata", "name"]),
        ("metadata.name", ["metadata", "name"]),
        ("{.metadata.name}", ["metadata", "name"]),
        ("{metadata.name}", ["metadata", "name"]),
        (
            ".status.containerStatuses[0].restartCount",
            ["status", "containerStatuses", 0, "restartCount"],
        ),
        (".a[1][-1]", ["a", 1, -1]),
    ],
)
def test_parse_sort_path(path: str, steps: list[Any]) -> None:
    assert parse_sort_path(path) == steps


@pytest.mark.parametrize("path", ["{.a", "{{.a}}", ".a..b", ".a[x]", ".a[*].b", ".", "{}"])
def test_malformed_sort_paths(path: str) -> None:
    with pytest.raises(ValueError):
        parse_sort_path(path)


def sorted_names(objects: list[dict[str, Any]], path: str) -> list[str]:
    return [o["metadata"]["name"] for o in sort_objects(objects, path)]


def test_sort_semantics() -> None:
    pods = [pod("pod-10"), pod("pod-9"), pod("Z"), pod("a")]
    assert sorted_names(pods, ".metadata.name") == ["Z", "a", "pod-10", "pod-9"]  # byte order
    times = [
        pod("new", meta={"creationTimestamp": "2026-11-27T04:29:00Z"}),
        pod("old", meta={"creationTimestamp": "2026-11-20T00:00:00Z"}),
    ]
    assert sorted_names(times, "{.metadata.creationTimestamp}") == ["old", "new"]
    restarts = [
        pod(n, status={"containerStatuses": [{"restartCount": c}]})
        for n, c in (("a", 10), ("b", 9), ("c", 0))
    ]
    assert sorted_names(
        restarts + [pod("x"), pod("y")], ".status.containerStatuses[0].restartCount"
    ) == ["y", "x", "c", "b", "a"]  # missing first, in reverse order (as kubectl prints them)
    sizes = [
        pod(n, meta={"annotations": {"q": q}})
        for n, q in (("g", "1Gi"), ("m", "500Mi"), ("t", "2"), ("s", "x"))
    ]
    assert sorted_names(sizes, ".metadata.annotations.q") == ["t", "m", "g", "s"]
    assert sort_objects(pods, "") == pods


def test_sort_errors() -> None:
    with pytest.raises(ValueError, match="couldn't find any field"):
        sort_objects([pod("a")], ".metadata.nope")
    with pytest.raises(ValueError, match="unsortable"):
        sort_objects([pod("a", spec={"x": True}), pod("b", spec={"x": False})], ".spec.x")
    assert sort_objects([], ".metadata.name") == []
