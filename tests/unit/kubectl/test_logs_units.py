"""The pure parts of bot/kubectl/logs.py, against kubectl's (Go) rules; no server."""

from __future__ import annotations

from typing import Any

import pytest

from bot.kubectl.errors import ClusterError, LogsError
from bot.kubectl.flags import parse_go_duration, parse_since, parse_tail
from bot.kubectl.logs import (
    LOG_READ_LIMIT_BYTES,
    ContainerChoice,
    byte_cap_note,
    cap_note,
    choose_container,
    choose_pod,
    fetch_logs,
    keep_last_lines,
    owner_selector,
    selector_string,
    sort_for_logging,
)
from bot.kubectl.policy import LogsRequest
from bot.kubectl.resources import lookup

S = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("0", 0),
        ("-0", 0),
        ("+0", 0),
        ("0s", 0),
        ("10s", 10 * S),
        ("5m", 300 * S),
        ("1h", 3600 * S),
        ("1h30m", 5400 * S),
        ("1h1.5m", 3690 * S),
        ("1.5h", 5400 * S),
        (".5m", 30 * S),
        ("1.s", S),
        ("-2m", -120 * S),
        ("+5s", 5 * S),
        ("300ms", 300_000_000),
        ("3us", 3000),
        ("3\u00b5s", 3000),
        ("3\u03bcs", 3000),
        ("7ns", 7),
        ("2562047h", 2562047 * 3600 * S),
    ],
)
def test_go_durations(text: str, nanoseconds: int) -> None:
    assert parse_go_duration(text) == nanoseconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("5", 'time: missing unit in duration "5"'),
        ("1h5", 'time: missing unit in duration "1h5"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("5 m", 'time: unknown unit " m" in duration "5 m"'),
        ("abc", 'time: invalid duration "abc"'),
        (".s", 'time: invalid duration ".s"'),
        ("-", 'time: invalid duration "-"'),
        ("2562048h", 'time: invalid duration "2562048h"'),
        ("99999999999999999999s", 'time: invalid duration "99999999999999999999s"'),
    ],
)
def test_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10s", 10),
        ("1h30m", 5400),
        ("0", None),
        ("0s", None),
        ("1.5s", 2),
        ("2.5s", 3),
        ("499ms", 0),
        ("500ms", 1),
        ("-400ms", 0),
    ],
)
def test_since_rounds_like_kubectl(text: str, seconds: int | None) -> None:
    assert parse_since(text) == seconds


def test_since_errors_are_kubectls() -> None:
    with pytest.raises(LogsError) as caught:
        parse_since("1d")
    assert caught.value.line == (
        'error: invalid argument "1d" for "--since" flag: time: unknown unit "d" in duration "1d"'
    )
    with pytest.raises(LogsError) as caught:
        parse_since("-5s")
    assert caught.value.line == "error: --since must be greater than 0"


def test_tail() -> None:
    assert [parse_tail(t) for t in ("10", "-1", "0", "+3")] == [10, -1, 0, 3]
    for text, reason in (
        ("abc", "invalid syntax"),
        ("1.5", "invalid syntax"),
        ("", "invalid syntax"),
        ("99999999999999999999", "value out of range"),
    ):
        with pytest.raises(LogsError) as caught:
            parse_tail(text)
        assert caught.value.message == (
            f'invalid argument "{text}" for "--tail" flag: '
            f'strconv.ParseInt: parsing "{text}": {reason}'
        )
    with pytest.raises(LogsError, match="--tail must be greater than or equal to -1"):
        parse_tail("-2")


# ----------------------------------------------------------------------------------------------


def pod(
    name: str,
    *,
    containers: tuple[str, ...] = ("app",),
    init: tuple[str, ...] = (),
    ephemeral: tuple[str, ...] = (),
    annotation: str | None = None,
    node: str = "node-a",
    phase: str = "Running",
    ready_since: str | None = "2026-01-01T10:00:00Z",
    restarts: int = 0,
    created: str | None = "2026-01-01T09:00:00Z",
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if created:
        meta["creationTimestamp"] = created
    if annotation is not None:
        meta["annotations"] = {"kubectl.kubernetes.io/default-container": annotation}
    spec: dict[str, Any] = {"containers": [{"name": c} for c in containers]}
    if init:
        spec["initContainers"] = [{"name": c} for c in init]
    if ephemeral:
        spec["ephemeralContainers"] = [{"name": c} for c in ephemeral]
    if node:
        spec["nodeName"] = node
    conditions = (
        [{"type": "Ready", "status": "True", "lastTransitionTime": ready_since}]
        if ready_since
        else [{"type": "Ready", "status": "False"}]
    )
    status = {
        "phase": phase,
        "conditions": conditions,
        "containerStatuses": [{"name": c, "restartCount": restarts} for c in containers],
    }
    return {"metadata": meta, "spec": spec, "status": status}


def names(pods: list[dict[str, Any]]) -> list[str]:
    return [p["metadata"]["name"] for p in pods]


def test_by_logging_rules_in_order() -> None:
    # 1. scheduled before unscheduled, even against a better phase
    assert names(
        sort_for_logging([pod("u", node=""), pod("s", phase="Pending", ready_since=None)])
    ) == ["s", "u"]
    # 2. Running < Unknown < Pending; Succeeded/Failed rank like Running
    pods = [
        pod("p", phase="Pending", ready_since=None),
        pod("u", phase="Unknown", ready_since=None),
        pod("r", phase="Running", ready_since=None),
    ]
    assert names(sort_for_logging(pods)) == ["r", "u", "p"]
    older_done = pod("done", phase="Succeeded", ready_since=None, created="2026-01-01T08:00:00Z")
    assert names(sort_for_logging([pod("run", ready_since=None), older_done])) == ["done", "run"]
    # 3. ready before not ready
    assert names(sort_for_logging([pod("n", ready_since=None, restarts=9), pod("y")])) == ["y", "n"]
    # 4. ready longer first (beats restarts)
    late = pod("late", ready_since="2026-01-01T11:00:00Z", restarts=5)
    assert names(sort_for_logging([late, pod("early")])) == ["early", "late"]
    # 5. more restarts first
    assert names(sort_for_logging([pod("calm"), pod("busy", restarts=2)])) == ["busy", "calm"]
    # 6. older first, no timestamp last
    pods = [pod("none", created=None), pod("new", created="2026-01-01T09:30:00Z"), pod("old")]
    assert names(sort_for_logging(pods)) == ["old", "new", "none"]
    # ties keep the listed order
    assert names(sort_for_logging([pod("b"), pod("a")])) == ["b", "a"]


def test_choose_pod_note_only_for_several() -> None:
    assert choose_pod([pod("only")]).notes == ()
    choice = choose_pod([pod("a", restarts=1), pod("b", restarts=3)])
    assert choice.pod["metadata"]["name"] == "b" and choice.notes == ("Found 2 pods, using pod/b",)


def test_default_container() -> None:
    assert choose_container(pod("p"), None).notes == ()
    choice = choose_container(pod("p", containers=("a", "b"), init=("i",), ephemeral=("e",)), None)
    assert choice.name == "a"
    assert choice.notes == ('Defaulted container "a" out of: a, b, i (init), e (ephem)',)
    assert choose_container(pod("p", init=("i",)), None).notes == (
        'Defaulted container "app" out of: app, i (init)',
    )
    # the annotation may name an init container; a wrong one is reported, then the first is used
    assert (
        choose_container(pod("p", containers=("a", "b"), init=("i",), annotation="i"), None).name
        == "i"
    )
    wrong = choose_container(pod("p", containers=("a", "b"), annotation="zz"), None)
    assert wrong.notes == (
        'Default container name "zz" not found in pod p',
        'Defaulted container "a" out of: a, b',
    )
    # an empty annotation is ignored; -c wins over the annotation
    assert choose_container(pod("p", containers=("a", "b"), annotation=""), None).name == "a"
    assert choose_container(
        pod("p", containers=("a", "b"), annotation="a"), "b"
    ) == ContainerChoice("b")


def test_container_not_valid() -> None:
    with pytest.raises(LogsError) as caught:
        choose_container(pod("p", containers=("a", "b"), init=("i",)), "x")
    assert caught.value.line == "error: container x is not valid for pod p out of: a, b, i (init)"


def test_selectors() -> None:
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "NotIn", "values": ["b", "a"]},
            {"key": "owner", "operator": "Exists"},
        ],
    }
    assert (
        selector_string(selector)
        == "app=shop,!canary,env in (dev,prod),owner,tier=web,zone notin (a,b)"
    )  # by key
    assert owner_selector({"kind": "Deployment", "spec": {"selector": selector}}).startswith(
        "app=shop,!canary,"
    )
    assert (
        owner_selector({"kind": "Service", "spec": {"selector": {"b": "2", "a": "1"}}}) == "a=1,b=2"
    )
    with pytest.raises(LogsError, match=r"selector for \*v1.ConfigMap not implemented"):
        owner_selector({"kind": "ConfigMap"})


def test_keep_last_lines() -> None:
    assert keep_last_lines("", 2) == ("", False)
    assert keep_last_lines("a\nb\n", 2) == ("a\nb\n", False)
    assert keep_last_lines("a\nb\nc\n", 2) == ("b\nc\n", True)
    assert keep_last_lines("a\nb\nc", 2) == ("b\nc", True)  # a last line without its newline counts
    assert keep_last_lines("a\n\n\n", 2) == ("\n\n", True)  # empty lines are lines


# ----------------------------------------------------------------------------------------------


class FakeGateway:
    def __init__(
        self, objects: dict[tuple[str, str], dict[str, Any]], logs: dict[tuple[str, str], str]
    ) -> None:
        self.objects, self.texts = objects, logs
        self.calls: list[dict[str, Any]] = []

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        if (plural, name) not in self.objects:
            raise ClusterError("NotFound", f'{plural} "{name}" not found', 404)
        return self.objects[(plural, name)]

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        return []

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        previous: bool = False,
        timestamps: bool = False,
        limit_bytes: int | None = None,
    ) -> str:
        self.calls.append(
            {"container": container, "tail_lines": tail_lines, "limit_bytes": limit_bytes}
        )
        text = self.texts[(pod, container or "")]
        text = keep_last_lines(text, tail_lines)[0] if tail_lines is not None else text
        return (
            text.encode()[:limit_bytes].decode(errors="replace")
            if limit_bytes is not None
            else text
        )


def logs_request(name: str, **options: Any) -> LogsRequest:
    kind = lookup("pods")
    assert kind is not None
    return LogsRequest(namespace="sandbox", target_kind=kind, target_name=name, **options)


async def test_cap_asks_for_one_more_line_and_keeps_a_partial_last_line() -> None:
    text = "".join(f"{i}\n" for i in range(10)) + "partial"
    gateway = FakeGateway({("pods", "p"): pod("p")}, {("p", "app"): text})
    result = await fetch_logs(gateway, logs_request("p"), default_tail=5)
    assert gateway.calls[-1]["tail_lines"] == 6
    assert result.text == "6\n7\n8\n9\npartial" and result.notes == [cap_note(5)] and result.capped
    result = await fetch_logs(gateway, logs_request("p"), default_tail=0)  # cap disabled
    assert result.text == text and gateway.calls[-1]["tail_lines"] is None and not result.capped
    result = await fetch_logs(gateway, logs_request("p", tail=-1), default_tail=5)  # -1: everything
    assert result.text == text and gateway.calls[-1]["tail_lines"] is None
    result = await fetch_logs(gateway, logs_request("p", tail=11))
    assert result.text == text and gateway.calls[-1]["tail_lines"] == 11


async def test_every_read_asks_for_at_most_limit_bytes_and_says_when_the_log_was_cut() -> None:
    text = "".join(f"line {i:04d}\n" for i in range(100))  # 1,000 bytes
    gateway = FakeGateway({("pods", "p"): pod("p")}, {("p", "app"): text})
    result = await fetch_logs(gateway, logs_request("p", tail=-1))
    assert gateway.calls[-1]["limit_bytes"] == LOG_READ_LIMIT_BYTES == 1024 * 1024
    assert result.text == text and not result.cut_at_bytes and result.notes == []
    result = await fetch_logs(gateway, logs_request("p", tail=-1), limit_bytes=250)
    assert result.text == text[:250] and result.cut_at_bytes
    assert result.notes == [byte_cap_note(250)]
    assert byte_cap_note(250) == (
        "Podium read only the first 250 bytes of this log (the log is cut there); "
        "narrow it with --tail=N, --since=10m or -c CONTAINER."
    )
    assert byte_cap_note().startswith("Podium read only the first 1 MiB of this log")


async def test_owner_without_pods() -> None:
    kind = lookup("deploy")
    assert kind is not None
    deployment = {
        "metadata": {"name": "idle"},
        "spec": {"selector": {"matchLabels": {"app": "idle"}}},
    }
    gateway = FakeGateway({("deployments", "idle"): deployment}, {})
    with pytest.raises(LogsError) as caught:
        await fetch_logs(gateway, LogsRequest("sandbox", kind, "idle"))
    assert caught.value.line == "error: timed out waiting for the condition"
    assert caught.value.hint == (
        "deployment/idle has no pods (selector `app=idle`); kubectl waits 20s "
        "for one to appear, then says this."
    )


async def test_not_found_and_other_errors() -> None:
    gateway = FakeGateway({}, {})
    with pytest.raises(LogsError) as caught:
        await fetch_logs(gateway, logs_request("ghost"))
    assert (
        caught.value.line
        == 'error: error from server (NotFound): pods "ghost" not found in namespace "sandbox"'
    )

    class Forbidden(FakeGateway):
        async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
            raise ClusterError("Forbidden", f'{plural} "{name}" is forbidden', 403)

    with pytest.raises(ClusterError):
        await fetch_logs(Forbidden({}, {}), logs_request("p"))
