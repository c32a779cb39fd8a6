"""ConfigMap, Event and Namespace tables against printConfigMap / printEvent /
printNamespace (kubernetes/pkg/printers/internalversion/printers.go). Expected by hand."""

from __future__ import annotations

from bot.kubectl.printers.misc import (
    configmap_table,
    event_object,
    event_source,
    event_table,
    namespace_table,
)
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import NOW, ago, sample_events


def test_configmaps_count_data_and_binary_data() -> None:
    cms = [
        {
            "metadata": {"name": "kube-root-ca.crt", "creationTimestamp": ago(days=9)},
            "data": {"ca.crt": "..."},
        },
        {
            "metadata": {"name": "app-config", "creationTimestamp": ago(minutes=3)},
            "data": {"a.yaml": "x", "b.yaml": "y"},
            "binaryData": {"logo.png": "iVBORw0KGgo="},
        },
        {"metadata": {"name": "empty", "creationTimestamp": ago(seconds=1)}},
    ]
    assert render_table(configmap_table(cms, now=NOW)) == (
        "NAME               DATA   AGE\n"
        "kube-root-ca.crt   1      9d\n"
        "app-config         3      3m\n"
        "empty              0      1s"
    )


def test_namespaces() -> None:
    nss = [
        {
            "metadata": {"name": "default", "creationTimestamp": ago(days=30)},
            "status": {"phase": "Active"},
        },
        {
            "metadata": {
                "name": "old-team",
                "creationTimestamp": ago(hours=1),
                "deletionTimestamp": ago(seconds=9),
            },
            "status": {"phase": "Terminating"},
        },
    ]
    assert render_table(namespace_table(nss, now=NOW)) == (
        "NAME       STATUS        AGE\ndefault    Active        30d\nold-team   Terminating   60m"
    )


def test_events_in_given_order() -> None:
    # The server printer does not sort and neither does `kubectl get events`.
    assert render_table(event_table(sample_events(), now=NOW)) == (
        "LAST SEEN   TYPE      REASON              OBJECT           MESSAGE\n"
        "5m          Normal    Scheduled           pod/web-1        Successfully assigned workshop/web-1 to node-1\n"
        "20s         Warning   BackOff             pod/web-1        Back-off restarting failed container app in pod web-1_workshop(1234)\n"
        "3h          Normal    ScalingReplicaSet   deployment/web   Scaled up replica set web-7d9c5b8f4 from 0 to 3\n"
        "2m          Warning   Unhealthy           pod/web-1        Readiness probe failed: HTTP probe failed with statuscode: 503"
    )


def test_events_wide_interleaves_columns_like_the_server() -> None:
    table = event_table(sample_events()[1:], now=NOW, wide=True)
    assert table.headers == [
        "LAST SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SUBOBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST SEEN",
        "COUNT",
        "NAME",
    ]
    assert render_table(table) == (
        # SUBOBJECT is 20 + 3 wide, MESSAGE 68 + 3.
        "LAST SEEN   TYPE      REASON              OBJECT           SUBOBJECT              SOURCE                  MESSAGE                                                                FIRST SEEN   COUNT   NAME\n"
        "20s         Warning   BackOff             pod/web-1        spec.containers{app}   kubelet, node-1         Back-off restarting failed container app in pod web-1_workshop(1234)   10m          12      web-1.17a2\n"
        "3h          Normal    ScalingReplicaSet   deployment/web                          deployment-controller   Scaled up replica set web-7d9c5b8f4 from 0 to 3                        3h           1       web.17a3\n"
        "2m          Warning   Unhealthy           pod/web-1                               kubelet, node-2         Readiness probe failed: HTTP probe failed with statuscode: 503         8m           4       web-1.17a4"
    )


def test_event_helpers() -> None:
    assert event_object({"involvedObject": {"kind": "Node"}}) == "node"
    assert (
        event_object({"involvedObject": {"kind": "ReplicaSet", "name": "web-7d9"}})
        == "replicaset/web-7d9"
    )
    assert event_source({"source": {"component": "kubelet"}}) == "kubelet"
    assert event_source({"source": {"host": "n1"}, "reportingComponent": "rc"}) == "rc, n1"
    assert event_source({}) == ""


def test_event_without_any_timestamp_and_count() -> None:
    bare = {
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Created",
        "message": "  Created container app \n",
        "type": "Normal",
    }
    row = event_table([bare], now=NOW, wide=True).rows[0]
    assert row[0] == "<unknown>" and row[7] == "<unknown>"
    assert row[6] == "Created container app"  # strings.TrimSpace
    assert row[8] == "1"  # singleton events without a count print 1
