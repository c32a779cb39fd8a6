"""What the emulator's containers do (devkit/podium_devkit/kube_containers.py): image references, the small
shell, and curl across namespaces, without any controller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from podium_devkit.kube_containers import (
    KNOWN_REPOSITORIES,
    container_run,
    image_problem,
    repository,
)

START = datetime(2026, 12, 3, 17, 0, 0, tzinfo=UTC)
POD = {
    "metadata": {"name": "box", "namespace": "ws-a"},
    "spec": {},
    "status": {"podIP": "192.168.1.5"},
}


class Reader:
    def __init__(self, *objects: dict[str, Any]) -> None:
        self.objects = {
            (o["_resource"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
            for o in objects
        }

    def list(self, resource: str, namespace: str | None = None) -> list[dict]:
        return [
            o for (r, ns, _), o in self.objects.items() if r == resource and namespace in (None, ns)
        ]

    def get(self, resource: str, namespace: str, name: str) -> dict | None:
        return self.objects.get((resource, namespace, name))


def nginx_behind_service(namespace: str) -> list[dict[str, Any]]:
    """A Service web in `namespace` with one ready nginx pod, as the controllers leave them."""
    pod = {
        "_resource": "pods",
        "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": namespace},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
        "status": {
            "podIP": "192.168.2.7",
            "containerStatuses": [{"name": "nginx", "state": {"running": {}}}],
        },
    }
    svc = {
        "_resource": "services",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "clusterIP": "10.100.3.4",
            "ports": [{"name": "http", "port": 80, "targetPort": 80}],
        },
    }
    endpoints = {
        "_resource": "endpoints",
        "kind": "Endpoints",
        "metadata": {"name": "web", "namespace": namespace},
        "subsets": [
            {
                "ports": [{"name": "http", "port": 80}],
                "addresses": [
                    {
                        "ip": "192.168.2.7",
                        "targetRef": {"kind": "Pod", "namespace": namespace, "name": "web-1"},
                    }
                ],
            }
        ],
    }
    return [pod, svc, endpoints]


def run(
    command: list[str], *objects: dict[str, Any], image: str = "busybox:1.37", **container: Any
):
    return container_run(
        {"name": "c", "image": image, "command": command, **container},
        POD,
        Reader(*objects),
        None,
        START,
    )


def texts(result: Any) -> list[str]:
    return [text for _, text in result.timed_lines]


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("nginx", None),
        ("nginx:1.27", None),
        ("docker.io/library/nginx:1.27", None),
        ("curlimages/curl:8.11.1", None),
        ("registry.k8s.io/e2e-test-images/agnhost:2.53", None),
        ("ngnix:1.27", "ErrImagePull"),
        ("myorg/app:1", "ErrImagePull"),
        ("Nginx", "InvalidImageName"),
        ("nginx:1.27:latest", "InvalidImageName"),
        ("nginx::1", "InvalidImageName"),
    ],
)
def test_image_references_are_parsed_and_checked_against_the_known_table(
    image: str, reason: str | None
) -> None:
    problem = image_problem(image)
    assert (problem[0] if problem else None) == reason


def test_repository_names_are_normalised_like_docker_hub() -> None:
    assert repository("nginx:1.27") == "nginx"
    assert repository("docker.io/curlimages/curl:8.11.1") == "curlimages/curl"
    assert repository("nginx@sha256:" + "a" * 64) == "nginx"
    assert "nginx" in KNOWN_REPOSITORIES and "busybox" in KNOWN_REPOSITORIES


def test_for_loops_printf_and_exit_codes() -> None:
    result = run(["sh", "-c", "for n in one two; do echo $n; done; printf '%s-%s\\n' a b; exit 4"])
    assert texts(result) == ["one", "two", "a-b"]
    assert result.exit_code == 4


def test_sleep_moves_the_clock_and_sleep_infinity_never_returns() -> None:
    result = run(["sh", "-c", "echo a; sleep 5; echo b; sleep infinity; echo never"])
    assert result.timed_lines == ((0.0, "a"), (5.0, "b"))
    assert result.exit_code is None


def test_kubernetes_expands_dollar_parenthesis_variables_in_args() -> None:
    result = run(["echo"], args=["$(GREETING)", "there"], env=[{"name": "GREETING", "value": "hi"}])
    assert texts(result) == ["hi there"] and result.exit_code == 0


def test_a_shell_image_without_a_command_exits_at_once_and_a_server_runs() -> None:
    assert (
        container_run({"name": "c", "image": "alpine"}, POD, Reader(), None, START).exit_code == 0
    )
    server = container_run({"name": "c", "image": "nginx:1.27"}, POD, Reader(), None, START)
    assert server.exit_code is None and server.timed_lines is None and server.pull_error is None


def test_curl_reaches_a_service_in_another_namespace_only_by_its_qualified_name() -> None:
    objects = nginx_behind_service("ws-b")
    short = run(["curl", "-s", "http://web"], *objects, image="curlimages/curl:8.11.1")
    assert (
        texts(short) == [] and short.exit_code == 6
    )  # --silent without --show-error prints nothing
    for host in ("web.ws-b", "web.ws-b.svc", "web.ws-b.svc.cluster.local", "10.100.3.4"):
        full = run(["curl", "-sS", f"http://{host}/"], *objects, image="curlimages/curl:8.11.1")
        assert full.exit_code == 0 and "<title>Welcome to nginx!</title>" in texts(full), host


def test_curl_without_silent_prints_its_errors_and_retry_warnings() -> None:
    svc = nginx_behind_service("ws-a")[1]
    result = run(
        ["curl", "--retry", "2", "--retry-connrefused", "--retry-delay", "3", "http://web"],
        svc,
        image="curlimages/curl:8.11.1",
    )
    assert texts(result) == [
        "Warning: Problem : connection refused. Will retry in 3 seconds. 2 retries left.",
        "Warning: Problem : connection refused. Will retry in 3 seconds. 1 retries left.",
        "curl: (7) Failed to connect to web port 80 after 0 ms: Could not connect to server",
    ]
    assert result.exit_code == 7 and result.duration == 6


def test_wget_saves_to_a_file_unless_told_to_write_to_stdout() -> None:
    objects = nginx_behind_service("ws-a")
    saved = run(["wget", "http://web"], *objects)
    assert (
        texts(saved)[0] == "Connecting to web (10.100.3.4:80)"
        and texts(saved)[-1] == "'index.html' saved"
    )
    refused = run(["wget", "-qO-", "http://web:8080"], *objects)
    assert texts(refused) == ["wget: can't connect to remote host (10.100.3.4): Connection refused"]
    assert refused.exit_code == 1


@pytest.mark.parametrize(
    "command",
    [
        ["sh", "-c", "echo $(unclosed"],
        ["sh", "-c", "while true; do"],
        ["sh", "-c", "for x in; do done"],
        ["sh", "-c", "exit nope"],
        ["sh", "-c", "echo 'unterminated"],
        ["curl", "http://web:notaport/"],
        ["wget", "-qO-", "http://web:99999"],
        ["sh", "-c", ""],
        ["sleep", "abc"],
        ["curl", "-o"],
    ],
)
def test_odd_commands_never_raise_and_always_decide(command: list[str]) -> None:
    result = run(command, *nginx_behind_service("ws-a"))
    assert result.pull_error is None
    assert result.exit_code is None or isinstance(result.exit_code, int)
    assert all(isinstance(text, str) for _, text in result.timed_lines or ())


def test_a_bad_port_is_curls_url_error() -> None:
    result = run(["curl", "-sS", "http://web:notaport/"], image="curlimages/curl:8.11.1")
    assert result.exit_code == 3
    assert texts(result) == [
        "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535"
    ]
