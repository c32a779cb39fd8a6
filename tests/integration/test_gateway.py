"""The gateway against the emulator: the official client, JSON dicts out, errors as ClusterError."""

from __future__ import annotations

import socket
from datetime import UTC

import pytest

from bot.kubectl.errors import ClusterError
from tests.harness.running import gateway_for


@pytest.mark.parametrize(
    "plural, kind",
    [
        ("pods", "Pod"),
        ("services", "Service"),
        ("endpoints", "Endpoints"),
        ("configmaps", "ConfigMap"),
        ("events", "Event"),
        ("deployments", "Deployment"),
        ("replicasets", "ReplicaSet"),
        ("jobs", "Job"),
        ("endpointslices", "EndpointSlice"),
    ],
)
async def test_list_every_kind_fills_kind_and_api_version(gateway, plural, kind):
    items = await gateway.list(plural, "sandbox")
    assert all(item["kind"] == kind and item["apiVersion"] for item in items)
    if plural in ("pods", "services", "deployments", "replicasets", "events", "endpointslices"):
        assert items, plural


async def test_selectors_are_applied_by_the_server(gateway, emulator):
    pods = await gateway.list("pods", "sandbox", label_selector="app=nginx")
    assert len(pods) == 3
    assert await gateway.list("pods", "sandbox", label_selector="app=none") == []
    pod = pods[0]["metadata"]["name"]
    events = await gateway.list("events", "sandbox", field_selector=f"involvedObject.name={pod}")
    assert events and all(e["involvedObject"]["name"] == pod for e in events)


async def test_get_one_and_not_found(gateway):
    service = await gateway.get("services", "sandbox", "nginx")
    assert service["metadata"]["name"] == "nginx" and service["spec"]["clusterIP"]
    with pytest.raises(ClusterError) as caught:
        await gateway.get("pods", "sandbox", "nope")
    assert (caught.value.reason, caught.value.status) == ("NotFound", 404)
    assert caught.value.message == 'pods "nope" not found'


async def test_forbidden_namespace_and_bad_selector(gateway):
    with pytest.raises(ClusterError) as caught:
        await gateway.list("pods", "kube-system")
    assert caught.value.reason == "Forbidden"
    assert 'cannot list resource "pods"' in caught.value.message
    with pytest.raises(ClusterError) as caught:
        await gateway.list("pods", "sandbox", label_selector="app in (")
    assert caught.value.status == 400


async def test_logs_and_access_review(gateway):
    pod = (await gateway.list("pods", "sandbox", label_selector="app=nginx"))[0]["metadata"]["name"]
    text = await gateway.logs("sandbox", pod, tail_lines=2)
    assert len(text.strip().splitlines()) == 2
    assert (await gateway.can_i("list", "pods", "sandbox"))[0] is True
    allowed, _ = await gateway.can_i("delete", "pods", "sandbox")
    assert allowed is False
    assert (await gateway.can_i("get", "pods", "sandbox", subresource="log"))[0] is True


async def test_secrets_cannot_even_be_asked_for(gateway, emulator):
    with pytest.raises(ValueError):
        await gateway.list("secrets", "sandbox")
    assert not [r for r in emulator.requests if r.resource == "secrets"]


async def test_bad_token_is_unauthorized(emulator, tmp_path):
    gateway = gateway_for(emulator.write_kubeconfig(tmp_path / "k", token="not-a-real-token"))
    try:
        with pytest.raises(ClusterError) as caught:
            await gateway.list("pods", "sandbox")
        assert caught.value.reason == "Unauthorized"
    finally:
        await gateway.close()


async def test_unreachable_server(emulator, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = emulator.write_kubeconfig(tmp_path / "k")
    config.write_text(config.read_text().replace(emulator.https_url, f"https://127.0.0.1:{port}"))
    gateway = gateway_for(config)
    try:
        with pytest.raises(ClusterError) as caught:
            await gateway.list("pods", "sandbox")
        assert caught.value.reason == "Unreachable" and "refused" in caught.value.message
    finally:
        await gateway.close()


async def test_slow_server_times_out_within_bound(emulator, tmp_path):
    emulator.inject_fault(status=None, delay=5, times=1, path_contains="/pods")
    gateway = gateway_for(emulator.write_kubeconfig(tmp_path / "k"), timeout=0.5)
    try:
        with pytest.raises(ClusterError) as caught:
            await gateway.list("pods", "sandbox")
        assert caught.value.reason == "Timeout"
    finally:
        await gateway.close()


async def test_server_error_keeps_the_status_message(gateway, emulator):
    emulator.inject_fault(status=503, times=1, path_contains="/pods", message="etcd is unhappy")
    with pytest.raises(ClusterError) as caught:
        await gateway.list("pods", "sandbox")
    assert caught.value.status == 503 and "etcd is unhappy" in caught.value.message


async def test_get_namespaces_lists_only_the_readable_workshop_namespaces(gateway):
    from datetime import datetime

    from bot.kubectl.get import fetch_get, render_get
    from bot.kubectl.grammar import parse
    from bot.kubectl.policy import Policy

    policy = Policy(("sandbox", "kube-system"))
    request = policy.decide(parse("get ns"))
    result = await fetch_get(gateway, request)
    text = render_get(request, result, now=datetime.now(UTC))
    lines = text.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"]
    assert lines[1].startswith("sandbox ") and "Active" in lines[1]
    assert lines[2].startswith(
        'Error from server (Forbidden): namespaces "kube-system" is forbidden'
    )
