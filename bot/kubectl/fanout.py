"""How many Kubernetes API reads one command will cause, counted from the request before any is
sent, so a command that would fan out (`get po,svc,ep,cm,deploy,rs,jobs,ev a b c …`: kinds ×
names) is refused with the limit instead of flooding the API server. Pure: no I/O."""

from __future__ import annotations

from bot.kubectl.policy import (
    AccessReviewRequest,
    DescribeRequest,
    GetRequest,
    HelpRequest,
    LogsRequest,
    Request,
)

# Reads `describe` makes per object beyond the object itself (see describe/orchestrator.py):
# a Deployment's ReplicaSets, a ReplicaSet's Pods, a Namespace's quotas and limit ranges.
_DESCRIBE_EXTRAS = {"deployments": 1, "replicasets": 1, "namespaces": 2}


def planned_reads(request: Request) -> int:
    """The API requests the planner will send for `request`: one GET per name of each kind (or
    one LIST per kind without names), plus the related reads describe and logs make. Lists
    whose length depends on the cluster, not on what was typed, count once."""
    if isinstance(request, HelpRequest):
        return 0
    if isinstance(request, AccessReviewRequest):
        return 1
    if isinstance(request, GetRequest):
        # `get ns` without names reads each workshop namespace: bounded by configuration, not by
        # what the person typed, so it counts as one list.
        return sum(max(1, len(names)) for _, names in request.targets)
    if isinstance(request, DescribeRequest):
        per_object = 1 + _DESCRIBE_EXTRAS.get(request.kind.plural, 0)
        events = 1 if len(request.names) <= 1 else 0  # events are shown for a single object
        return max(1, len(request.names)) * per_object + events
    assert isinstance(request, LogsRequest)
    if request.selector is not None:
        # The list of pods, then at least one log read; how many more depends on the cluster,
        # so fetch_logs checks them against the limit (max_streams) before reading any.
        return 2
    # The pod (or the owner, then its pods), then one log read per container.
    return (1 if request.target_kind.plural == "pods" else 2) + 1


def too_many_reads_line(planned: int, limit: int) -> str:
    return (
        f"This asks for {planned:,} reads; Podium allows {limit:,} per command. "
        "Ask for fewer kinds or names."
    )
