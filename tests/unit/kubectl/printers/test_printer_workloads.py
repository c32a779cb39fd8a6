"""Deployment, ReplicaSet and Job tables against printDeployment / printReplicaSet /
printJob (kubernetes/pkg/printers/internalversion/printers.go).

Expected tables are written out by hand from those rules: columns padded to the widest
cell + 3 spaces (minimum 6), the last column unpadded.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.kubectl.printers.table import render_table
from bot.kubectl.printers.workloads import (
    deployment_table,
    format_label_selector,
    job_completions,
    job_duration,
    job_status,
    job_table,
    replicaset_table,
    selector_string,
)
from tests.harness.k8s_objects import NOW, ago, deployment, job, replicaset, template


def test_deployments_progressing_and_unavailable() -> None:
    deployments = [
        deployment("web", replicas=3, ready=3, updated=3, available=3),
        # Rolling out: 1 of 3 pods updated, 2 ready / available.
        deployment(
            "api", replicas=3, ready=2, updated=1, available=2, created=ago(minutes=7, seconds=3)
        ),
        # Image cannot be pulled: nothing ready; status counters are absent, i.e. 0.
        deployment("broken", replicas=1, created=ago(seconds=45)),
        # Scaled to zero.
        deployment("idle", replicas=0, created=ago(days=400)),
    ]
    expected = (
        "NAME     READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "web      3/3     3            3           3d4h\n"
        "api      2/3     1            2           7m3s\n"
        "broken   0/1     0            0           45s\n"
        "idle     0/0     0            0           400d"
    )
    assert render_table(deployment_table(deployments, now=NOW)) == expected


def test_deployment_wide_lists_containers_images_and_selector() -> None:
    web = deployment("web", replicas=2, ready=2, updated=2, available=2)
    web["spec"]["template"] = template(("nginx", "nginx:1.27"), ("sidecar", "busybox:1.36"))
    web["spec"]["selector"] = {
        "matchLabels": {"tier": "front", "app": "web"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}],
    }
    no_selector = deployment("bare", replicas=1, ready=1, updated=1, available=1)
    no_selector["spec"]["selector"] = {}
    expected = (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS      IMAGES                    SELECTOR\n"
        "web    2/2     2            2           3d4h   nginx,sidecar   nginx:1.27,busybox:1.36   app=web,env in (dev,prod),tier=front\n"
        # printDeployment prints selector.String() as is: an empty selector is "".
        "bare   1/1     1            1           3d4h   nginx           nginx:1.27                "
    )
    assert render_table(deployment_table([web, no_selector], now=NOW, wide=True)) == expected


def test_deployment_replicas_default_to_one() -> None:
    obj = deployment("web", replicas=1)
    del obj["spec"]["replicas"]
    assert deployment_table([obj], now=NOW).rows[0][1] == "0/1"


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        (None, ""),
        ({}, ""),
        ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2"),
        ({"matchExpressions": [{"key": "x", "operator": "Exists"}]}, "x"),
        ({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, "!x"),
        (
            {"matchExpressions": [{"key": "x", "operator": "NotIn", "values": ["b", "a"]}]},
            "x notin (a,b)",
        ),
        (
            {
                "matchExpressions": [{"key": "x", "operator": "In", "values": ["a"]}],
                "matchLabels": {"y": "1"},
            },
            "x in (a),y=1",
        ),
    ],
)
def test_selector_string(selector: dict[str, Any] | None, text: str) -> None:
    assert selector_string(selector) == text
    assert format_label_selector(selector) == (text or "<none>")


def test_replicasets_new_and_old() -> None:
    sets = [
        replicaset("web-7d9c5b8f4", desired=3, current=3, ready=2, created=ago(minutes=2)),
        replicaset("web-5f6b7c8d9", desired=0, current=0, ready=0, created=ago(hours=26)),
    ]
    expected = (
        "NAME            DESIRED   CURRENT   READY   AGE\n"
        "web-7d9c5b8f4   3         3         2       2m\n"
        "web-5f6b7c8d9   0         0         0       26h"
    )
    assert render_table(replicaset_table(sets, now=NOW)) == expected
    wide = render_table(replicaset_table(sets[:1], now=NOW, wide=True))
    assert wide == (
        "NAME            DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR\n"
        "web-7d9c5b8f4   3         3         2       2m    nginx        nginx:1.27   app=web,pod-template-hash=7d9c"
    )


def test_jobs_running_complete_failed() -> None:
    jobs = [
        job("pi", start=ago(minutes=3, seconds=20)),  # still running: duration up to now
        job(
            "pi-done",
            conditions=[("SuccessCriteriaMet", "True"), ("Complete", "True")],
            succeeded=1,
            start=ago(hours=2),
            end=ago(hours=2),
            created=ago(hours=2),
        ),
        job(
            "crunch",
            conditions=[("FailureTarget", "True"), ("Failed", "True")],
            completions=5,
            succeeded=2,
            start=ago(days=2, hours=1),
            end=ago(days=2, hours=1, seconds=-95),
        ),
        job("pending", start=None, created=ago(seconds=4)),  # not started: no DURATION
    ]
    expected = (
        "NAME      STATUS     COMPLETIONS   DURATION   AGE\n"
        "pi        Running    0/1           3m20s      3m20s\n"
        "pi-done   Complete   1/1           0s         120m\n"
        "crunch    Failed     2/5           95s        2d1h\n"
        "pending   Running    0/1                      4s"
    )
    assert render_table(job_table(jobs, now=NOW)) == expected


@pytest.mark.parametrize(
    ("conditions", "deleting", "status"),
    [
        ([], False, "Running"),
        ([("Complete", "True")], True, "Complete"),  # finished beats Terminating
        ([("Failed", "True")], True, "Failed"),
        ([("Suspended", "True")], True, "Terminating"),
        ([("Suspended", "True")], False, "Suspended"),
        ([("Suspended", "False")], False, "Running"),
        ([("FailureTarget", "True")], False, "FailureTarget"),
        ([("SuccessCriteriaMet", "True")], False, "SuccessCriteriaMet"),
        # hasJobCondition looks at the first condition of a type only.
        ([("Complete", "False"), ("Complete", "True")], False, "Running"),
        ([("Complete", "True"), ("Failed", "True")], False, "Complete"),
    ],
)
def test_job_status(conditions: list[tuple[str, str]], deleting: bool, status: str) -> None:
    assert job_status(job("j", conditions=conditions, deleting=deleting)) == status


@pytest.mark.parametrize(
    ("completions", "parallelism", "succeeded", "text"),
    [
        (1, None, 0, "0/1"),
        (3, 2, 1, "1/3"),
        (None, None, 1, "1/1"),
        (None, 1, 0, "0/1"),
        (None, 4, 2, "2/1 of 4"),  # work queue: done when one pod succeeds
    ],
)
def test_job_completions(
    completions: int | None, parallelism: int | None, succeeded: int, text: str
) -> None:
    assert (
        job_completions(
            job("j", completions=completions, parallelism=parallelism, succeeded=succeeded)
        )
        == text
    )


def test_job_duration() -> None:
    assert job_duration(job("j"), NOW) == ""
    assert job_duration(job("j", start=ago(hours=5, minutes=1)), NOW) == "5h1m"
    assert job_duration(job("j", start=ago(hours=5), end=ago(hours=4, minutes=50)), NOW) == "10m"


def test_job_wide() -> None:
    table = job_table(
        [
            job(
                "pi",
                conditions=[("Complete", "True")],
                succeeded=1,
                start=ago(minutes=9),
                end=ago(minutes=8, seconds=51),
            )
        ],
        now=NOW,
        wide=True,
    )
    assert render_table(table) == (
        "NAME   STATUS     COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES      SELECTOR\n"
        "pi     Complete   1/1           9s         9m    pi           perl:5.34   batch.kubernetes.io/controller-uid=c0ffee"
    )
