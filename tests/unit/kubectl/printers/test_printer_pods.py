"""Pod printer against the rules of printPod (kubernetes/pkg/printers/internalversion).

Expected strings are derived by hand from those rules; see the comment on each case.
"""

from __future__ import annotations

import pytest

from bot.kubectl.printers.pods import (
    pod_ready,
    pod_restarts,
    pod_status,
    pod_table,
    summarize_pod,
)
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import (
    NOW,
    READY_CONDS,
    ago,
    cond,
    last_terminated,
    make_pod,
    running,
    sample_pods,
    terminated,
    waiting,
    with_node,
)

# --- STATUS ---------------------------------------------------------------------


STATUS_CASES: dict[str, tuple[dict, str, str]] = {
    # id: (pod, STATUS, READY)
    # phase alone: unscheduled pod has no container statuses
    "pending": (
        make_pod(phase="Pending", conditions=[cond("PodScheduled", "False")]),
        "Pending",
        "0/1",
    ),
    "running": (make_pod(statuses=[running()], conditions=READY_CONDS), "Running", "1/1"),
    # running but not ready: counted in total, not in ready; phase stays
    "running-unready": (make_pod(statuses=[running(ready=False)]), "Running", "0/1"),
    # waiting reason replaces the phase
    "container-creating": (
        make_pod(phase="Pending", statuses=[waiting("ContainerCreating")]),
        "ContainerCreating",
        "0/1",
    ),
    "crashloop": (
        make_pod(statuses=[waiting("CrashLoopBackOff", restarts=4)]),
        "CrashLoopBackOff",
        "0/1",
    ),
    "image-pull-backoff": (
        make_pod(phase="Pending", statuses=[waiting("ImagePullBackOff")]),
        "ImagePullBackOff",
        "0/1",
    ),
    "err-image-pull": (
        make_pod(phase="Pending", statuses=[waiting("ErrImagePull")]),
        "ErrImagePull",
        "0/1",
    ),
    # terminated reason replaces the phase
    "completed": (
        make_pod(phase="Succeeded", statuses=[terminated(reason="Completed")]),
        "Completed",
        "0/1",
    ),
    "error": (
        make_pod(phase="Failed", statuses=[terminated(exit_code=1, reason="Error")]),
        "Error",
        "0/1",
    ),
    "oomkilled": (
        make_pod(statuses=[terminated(exit_code=137, reason="OOMKilled")]),
        "OOMKilled",
        "0/1",
    ),
    # terminated without a reason: Signal:N beats ExitCode:N
    "signal": (
        make_pod(phase="Failed", statuses=[terminated(exit_code=137, signal=9)]),
        "Signal:9",
        "0/1",
    ),
    "exit-code": (
        make_pod(phase="Failed", statuses=[terminated(exit_code=2)]),
        "ExitCode:2",
        "0/1",
    ),
    # the first container's reason wins (containers are walked last to first)
    "first-container-wins": (
        make_pod(statuses=[waiting("CrashLoopBackOff", "a"), waiting("ImagePullBackOff", "b")]),
        "CrashLoopBackOff",
        "0/2",
    ),
    # "Completed" with a container still running: Running if the pod is Ready ...
    "completed-but-running-ready": (
        make_pod(
            statuses=[terminated("init-like", reason="Completed"), running("server")],
            conditions=READY_CONDS,
        ),
        "Running",
        "1/2",
    ),
    # ... else NotReady
    "not-ready": (
        make_pod(
            statuses=[terminated("job", reason="Completed"), running("server")],
            conditions=[cond("Ready", "False")],
        ),
        "NotReady",
        "1/2",
    ),
    # status.reason replaces the phase ...
    "evicted": (make_pod(phase="Failed", reason="Evicted", statuses=[]), "Evicted", "0/1"),
    # ... but a container's terminated reason still overrides it afterwards
    "evicted-with-terminated-container": (
        make_pod(
            phase="Failed",
            reason="Evicted",
            statuses=[terminated(exit_code=137, reason="ContainerStatusUnknown")],
        ),
        "ContainerStatusUnknown",
        "0/1",
    ),
    # a PodScheduled condition with reason SchedulingGated names the status
    "scheduling-gated": (
        make_pod(phase="Pending", conditions=[cond("PodScheduled", "False", "SchedulingGated")]),
        "SchedulingGated",
        "0/1",
    ),
    # deletion requested on a live pod
    "terminating": (
        make_pod(statuses=[running()], conditions=READY_CONDS, deleted=ago(seconds=10)),
        "Terminating",
        "1/1",
    ),
    # deletion on a finished pod keeps its status (IsPodPhaseTerminal)
    "deleted-succeeded": (
        make_pod(
            phase="Succeeded", statuses=[terminated(reason="Completed")], deleted=ago(seconds=10)
        ),
        "Completed",
        "0/1",
    ),
    # node lost + deletion: Unknown
    "unknown-node-lost": (
        make_pod(reason="NodeLost", statuses=[running()], deleted=ago(minutes=2)),
        "Unknown",
        "1/1",
    ),
    # node lost without deletion: the reason shows as-is
    "node-lost": (make_pod(reason="NodeLost", statuses=[running()]), "NodeLost", "1/1"),
}

TWO_INITS = [{"name": "migrate", "image": "m"}, {"name": "seed", "image": "s"}]

INIT_CASES: dict[str, tuple[dict, str, str]] = {
    # first init container running: Init:<index>/<count>
    "init-0-of-2": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[running("migrate", ready=False), waiting("PodInitializing", "seed")],
            statuses=[waiting("PodInitializing")],
        ),
        "Init:0/2",
        "0/1",
    ),
    # first done (exit 0 is skipped), second running
    "init-1-of-2": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[terminated("migrate", reason="Completed"), running("seed", ready=False)],
            statuses=[waiting("PodInitializing")],
        ),
        "Init:1/2",
        "0/1",
    ),
    # waiting PodInitializing is not a reason worth showing: Init:i/n
    "init-waiting-podinitializing": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[
                waiting("PodInitializing", "migrate"),
                waiting("PodInitializing", "seed"),
            ],
        ),
        "Init:0/2",
        "0/1",
    ),
    "init-crashloop": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[
                waiting("CrashLoopBackOff", "migrate", restarts=3),
                waiting("PodInitializing", "seed"),
            ],
            statuses=[waiting("PodInitializing")],
        ),
        "Init:CrashLoopBackOff",
        "0/1",
    ),
    "init-error": (
        make_pod(
            phase="Failed",
            init_containers=TWO_INITS,
            init_statuses=[
                terminated("migrate", exit_code=1, reason="Error"),
                waiting("PodInitializing", "seed"),
            ],
        ),
        "Init:Error",
        "0/1",
    ),
    "init-exit-code": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[terminated("migrate", exit_code=1), waiting("PodInitializing", "seed")],
        ),
        "Init:ExitCode:1",
        "0/1",
    ),
    "init-signal": (
        make_pod(
            phase="Pending",
            init_containers=TWO_INITS,
            init_statuses=[
                terminated("migrate", exit_code=137, signal=9),
                waiting("PodInitializing", "seed"),
            ],
        ),
        "Init:Signal:9",
        "0/1",
    ),
    # a started sidecar (restartPolicy: Always) is skipped, and counts in READY
    "sidecar-skipped": (
        make_pod(
            init_containers=[{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
            init_statuses=[running("proxy")],
            statuses=[running("app")],
            conditions=READY_CONDS,
        ),
        "Running",
        "2/2",
    ),
    # a sidecar that has not started yet blocks initialization like any init container
    "sidecar-not-started": (
        make_pod(
            phase="Pending",
            init_containers=[{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
            init_statuses=[{**running("proxy", ready=False), "started": False}],
            statuses=[waiting("PodInitializing")],
        ),
        "Init:0/1",
        "0/2",
    ),
    # sidecar started but not ready: skipped, not counted ready
    "sidecar-started-unready": (
        make_pod(
            init_containers=[
                {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
                {"name": "migrate", "image": "m"},
            ],
            init_statuses=[running("proxy", ready=False), running("migrate", ready=False)],
            statuses=[waiting("PodInitializing")],
        ),
        "Init:1/2",
        "0/2",
    ),
}


@pytest.mark.parametrize(
    ("pod", "status", "ready"),
    list(STATUS_CASES.values()) + list(INIT_CASES.values()),
    ids=list(STATUS_CASES) + list(INIT_CASES),
)
def test_status_and_ready(pod: dict, status: str, ready: str) -> None:
    assert pod_status(pod) == status
    assert pod_ready(pod) == ready


def test_minimal_pod_dict() -> None:
    # Missing fields are Go zero values: empty phase, no containers.
    assert pod_status({}) == ""
    assert pod_ready({}) == "0/0"
    assert pod_restarts({}, NOW) == "0"
    table = pod_table([{"metadata": {"name": "bare"}}], now=NOW, wide=True)
    assert table.rows == [
        ["bare", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"]
    ]


# --- RESTARTS -------------------------------------------------------------------


def test_restarts_plain_count_without_last_state() -> None:
    pod = make_pod(statuses=[running(restarts=2)])
    assert pod_restarts(pod, NOW) == "2"


def test_restarts_zero_ignores_last_state() -> None:
    pod = make_pod(statuses=[running(lastState=last_terminated(ago(minutes=5)))])
    assert pod_restarts(pod, NOW) == "0"


def test_restarts_with_time_of_latest_termination() -> None:
    # sum over containers; the latest finishedAt of any of them
    pod = make_pod(
        statuses=[
            waiting(
                "CrashLoopBackOff", "a", restarts=4, lastState=last_terminated(ago(seconds=30))
            ),
            running("b", restarts=1, lastState=last_terminated(ago(hours=3, minutes=2))),
        ]
    )
    assert pod_restarts(pod, NOW) == "5 (30s ago)"


def test_restarts_last_state_without_finished_at_is_ignored() -> None:
    pod = make_pod(statuses=[running(restarts=1, lastState={"terminated": {"exitCode": 1}})])
    assert pod_restarts(pod, NOW) == "1"


def test_restarts_of_completed_init_containers_dropped_once_initialized() -> None:
    # Initialized: restarts restart from the sidecars' count; plain init restarts vanish.
    pod = make_pod(
        init_containers=[{"name": "migrate", "image": "m"}],
        init_statuses=[
            terminated(
                "migrate", reason="Completed", restarts=2, lastState=last_terminated(ago(minutes=1))
            )
        ],
        statuses=[running(restarts=1, lastState=last_terminated(ago(hours=1)))],
        conditions=READY_CONDS,
    )
    assert pod_restarts(pod, NOW) == "1 (60m ago)"


def test_restarts_of_failing_init_container_while_initializing() -> None:
    pod = make_pod(
        phase="Pending",
        init_containers=TWO_INITS,
        init_statuses=[
            waiting(
                "CrashLoopBackOff", "migrate", restarts=3, lastState=last_terminated(ago(minutes=2))
            ),
            # not reached: the loop stops at the first blocking init container
            waiting("PodInitializing", "seed", restarts=7),
        ],
        statuses=[waiting("PodInitializing", restarts=5)],
        conditions=[cond("Initialized", "False")],
    )
    assert pod_status(pod) == "Init:CrashLoopBackOff"
    assert pod_restarts(pod, NOW) == "3 (2m ago)"


def test_restarts_include_sidecars() -> None:
    pod = make_pod(
        init_containers=[{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
        init_statuses=[running("proxy", restarts=1, lastState=last_terminated(ago(minutes=10)))],
        statuses=[running("app", restarts=2, lastState=last_terminated(ago(minutes=3)))],
        conditions=READY_CONDS,
    )
    summary = summarize_pod(pod)
    assert (summary.status, summary.ready_text, summary.restarts) == ("Running", "2/2", 3)
    assert pod_restarts(pod, NOW) == "3 (3m ago)"


# --- AGE ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (ago(seconds=0), "0s"),
        (ago(seconds=119), "119s"),
        (ago(minutes=7, seconds=3), "7m3s"),
        (ago(minutes=7), "7m"),
        (ago(minutes=125), "125m"),
        (ago(hours=3, minutes=2), "3h2m"),
        (ago(hours=3), "3h"),
        (ago(hours=26), "26h"),
        (ago(days=3, hours=4), "3d4h"),
        (ago(days=3), "3d"),
        (ago(days=400), "400d"),
        (ago(days=2 * 365 + 10), "2y10d"),
        (ago(days=2 * 365), "2y"),
        (ago(days=9 * 365), "9y"),
        (ago(seconds=-5), "<invalid>"),
    ],
)
def test_age_column(created: str, expected: str) -> None:
    table = pod_table([make_pod(statuses=[running()], created=created)], now=NOW)
    assert table.rows[0][4] == expected


# --- whole tables ----------------------------------------------------------------


def test_default_table_text() -> None:
    # NAME is 20 wide -> 23; READY 5 -> 8; STATUS 16 -> 19; RESTARTS 11 -> 14; AGE last.
    text = render_table(pod_table(sample_pods(), now=NOW))
    assert text == (
        "NAME                   READY   STATUS             RESTARTS      AGE\n"
        "web-7d4b9c8f5d-abcde   1/1     Running            0             5m\n"
        "api-5f6c7d8e9f-xyz12   0/1     CrashLoopBackOff   4 (30s ago)   26h\n"
        "db-0                   0/1     Pending            0             119s"
    )


def test_wide_table_text() -> None:
    text = render_table(pod_table(with_node(sample_pods()), now=NOW, wide=True))
    assert text == (
        "NAME                   READY   STATUS             RESTARTS      AGE    IP            NODE       NOMINATED NODE   READINESS GATES\n"
        "web-7d4b9c8f5d-abcde   1/1     Running            0             5m     10.244.1.17   worker-1   <none>           1/1\n"
        "api-5f6c7d8e9f-xyz12   0/1     CrashLoopBackOff   4 (30s ago)   26h    10.244.2.3    worker-2   <none>           <none>\n"
        "db-0                   0/1     Pending            0             119s   <none>        <none>     worker-3         <none>"
    )


def test_all_namespaces_with_labels_text() -> None:
    pods = with_node(sample_pods())
    pods[2]["metadata"]["namespace"] = "data"
    text = render_table(pod_table(pods, now=NOW, with_namespace=True, show_labels=True))
    assert text == (
        "NAMESPACE   NAME                   READY   STATUS             RESTARTS      AGE    LABELS\n"
        "workshop    web-7d4b9c8f5d-abcde   1/1     Running            0             5m     app=web,pod-template-hash=7d4b9c8f5d\n"
        "workshop    api-5f6c7d8e9f-xyz12   0/1     CrashLoopBackOff   4 (30s ago)   26h    app=api\n"
        "data        db-0                   0/1     Pending            0             119s   <none>"
    )


def test_readiness_gates_partial() -> None:
    pod = make_pod(
        statuses=[running()],
        conditions=[cond("Ready", "False"), cond("a", "True"), cond("b", "False")],
    )
    pod["spec"]["readinessGates"] = [
        {"conditionType": "a"},
        {"conditionType": "b"},
        {"conditionType": "c"},
    ]
    assert pod_table([pod], now=NOW, wide=True).rows[0][8] == "1/3"


def test_pod_ip_falls_back_to_pod_ips() -> None:
    pod = make_pod(statuses=[running()], podIPs=[{"ip": "fd00::5"}, {"ip": "10.0.0.5"}])
    assert pod_table([pod], now=NOW, wide=True).rows[0][5] == "fd00::5"


def test_empty_list_has_headers_only() -> None:
    table = pod_table([], now=NOW, wide=True)
    assert table.rows == []
    assert table.headers == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ]
