"""The pure describers on hand-made objects: what the emulator cannot serve, and the fiddly rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.kubectl.describe import (
    PodCounts,
    describe_namespace,
    describe_pod,
    format_endpoint_slices,
    split_replica_sets,
    tabwrite,
)
from bot.kubectl.describe.common import rfc1123z
from bot.kubectl.describe.pod import describe_probe
from bot.kubectl.describe.writer import PrefixWriter

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_tabwriter_aligns_each_column_block_separately() -> None:
    text = "Name:\tweb\nNamespace:\tsandbox\nplain line\nA:\tb\tc\nlonger:\tx\n"
    assert (
        tabwrite(text)
        == "Name:       web\nNamespace:  sandbox\nplain line\nA:       b  c\nlonger:  x\n"
    )


def test_prefix_writer_indents_and_escapes_terminal_codes() -> None:
    w = PrefixWriter()
    w.write(2, "Message:\t\x1b[31mred\r\n")
    w.write_line("<none>")
    assert w.text() == "    Message:  ^[[31mred\\r\n<none>\n"


def test_rfc1123z_in_another_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert rfc1123z("2026-01-05T23:30:00Z", plus_two) == "Tue, 06 Jan 2026 01:30:00 +0200"
    assert rfc1123z(None) == "Mon, 01 Jan 0001 00:00:00 +0000"


def test_namespace_with_quotas_and_limit_ranges() -> None:
    namespace = {
        "metadata": {"name": "sandbox", "labels": {"team": "a"}},
        "status": {"phase": "Active"},
    }
    quotas = [
        {
            "metadata": {"name": "compute"},
            "spec": {"scopes": ["NotBestEffort"]},
            "status": {"hard": {"pods": "10", "limits.cpu": "4"}, "used": {"pods": "3"}},
        }
    ]
    limits = [
        {
            "metadata": {"name": "defaults"},
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {"cpu": "500m"},
                        "defaultRequest": {"cpu": "100m"},
                    }
                ]
            },
        }
    ]
    assert describe_namespace(namespace, quotas, limits) == (
        "Name:         sandbox\n"
        "Labels:       team=a\n"
        "Annotations:  <none>\n"
        "Status:       Active\n"
        "\n"
        "Resource Quotas\n"
        "  Name:    compute\n"
        "  Scopes:  NotBestEffort\n"
        "  * Matches all pods that have at least one resource requirement set. These pods have a burstable or "
        "guaranteed quality of service.\n"
        "  Resource    Used  Hard\n"
        "  --------    ---   ---\n"
        "  limits.cpu  0     4\n"
        "  pods        3     10\n"
        "\n"
        "Resource Limits\n"
        " Type       Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n"
        " ----       --------  ---  ---  ---------------  -------------  -----------------------\n"
        " Container  cpu       -    -    100m             500m           -\n"
    )
    assert describe_namespace(namespace, [], None).endswith(
        "Status:       Active\n\nNo resource quota.\n"
    )


def test_endpoints_beyond_three_are_counted() -> None:
    slices = [
        {
            "ports": [{"name": "http", "port": 80}],
            "endpoints": [
                {"addresses": [f"10.0.0.{i}"], "conditions": {"ready": i != 2}} for i in range(1, 7)
            ],
        }
    ]
    assert (
        format_endpoint_slices(slices, {"http"})
        == "10.0.0.1:80,10.0.0.3:80,10.0.0.4:80 + 2 more..."
    )
    assert format_endpoint_slices(slices, {"other"}) == ""
    assert format_endpoint_slices([], {"http"}) == "<none>"
    assert format_endpoint_slices([{"endpoints": [{"addresses": ["fd00::1"]}]}], None) == "fd00::1"


def test_probe_forms() -> None:
    timing = {
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    attrs = "delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=3"
    assert (
        describe_probe(
            {
                "httpGet": {"path": "/", "port": "http", "scheme": "HTTPS", "host": "fd00::1"},
                **timing,
            }
        )
        == f"http-get https://[fd00::1]:http/ {attrs}"
    )
    assert (
        describe_probe({"grpc": {"port": 9090, "service": ""}, **timing})
        == f"grpc <pod>:9090  {attrs}"
    )


def test_new_replica_set_ignores_the_template_hash() -> None:
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "v2"}]},
    }
    deploy = {"metadata": {"uid": "d1"}, "spec": {"template": template}}

    def rs(name: str, image: str, created: str, owner: str = "d1") -> dict:
        return {
            "metadata": {
                "name": name,
                "creationTimestamp": created,
                "ownerReferences": [{"uid": owner, "controller": True}],
            },
            "spec": {
                "template": {
                    "metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                    "spec": {"containers": [{"name": "web", "image": image}]},
                }
            },
        }

    old, new, foreign = (
        rs("b", "v1", ago(days=2)),
        rs("a", "v2", ago(hours=1)),
        rs("c", "v2", ago(days=3), "x"),
    )
    split = split_replica_sets(deploy, [new, foreign, old])
    assert split.new is new and split.old == [old]


def test_pod_counts_only_count_the_controllers_own_pods() -> None:
    owner = {"metadata": {"uid": "rs1"}}

    def pod(phase: str, uid: str = "rs1") -> dict:
        return {
            "metadata": {"ownerReferences": [{"uid": uid, "controller": True}]},
            "status": {"phase": phase},
        }

    counts = PodCounts.of(
        owner, [pod("Running"), pod("Pending"), pod("Failed"), pod("Running", "other")]
    )
    assert counts == PodCounts(running=1, waiting=1, succeeded=0, failed=1)


def test_events_of_a_series_and_without_timestamps() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "sandbox"},
        "spec": {"containers": []},
        "status": {},
    }
    events = [
        {
            "type": "Warning",
            "reason": "FailedScheduling",
            "message": "no nodes ",
            "source": {},
            "reportingComponent": "default-scheduler",
            "eventTime": "2026-03-01T10:00:00.000000Z",
            "series": {"count": 4, "lastObservedTime": "2026-03-01T11:59:00.000000Z"},
        },
        {"type": "Normal", "reason": "Odd", "message": "no time", "source": {"component": "me"}},
    ]
    text = describe_pod(pod, events, NOW)
    assert text.endswith(
        "Events:\n"
        "  Type     Reason            Age                 From               Message\n"
        "  ----     ------            ----                ----               -------\n"
        "  Normal   Odd               <unknown>           me                 no time\n"
        "  Warning  FailedScheduling  60s (x4 over 120m)  default-scheduler  no nodes\n"
    )
    assert "Node:         <none>\nLabels:" in text


def test_long_annotation_goes_below_its_key() -> None:
    pod = {
        "metadata": {
            "name": "p",
            "namespace": "n",
            "annotations": {"a": "x" * 200, "b": "two\nlines\n"},
        },
        "spec": {"containers": []},
        "status": {},
    }
    text = describe_pod(pod, None, NOW)
    assert (
        f"Annotations:  a:\n                {'x' * 138}...\n              b:\n                two\n                lines\n"
        in text
    )
    assert "Events" not in text
