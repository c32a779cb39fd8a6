"""`kubectl describe`, reproduced: pure describers per kind plus one orchestrator that fetches.

from bot.kubectl.describe import describe
result = await describe(gateway, request, now)   # DescribeResult(text, errors, notice)
"""

from .misc import describe_configmap, describe_namespace
from .network import (
    describe_endpoint_slice,
    describe_endpoints,
    describe_service,
    format_endpoint_slices,
)
from .orchestrator import DescribeResult, describe, error_text
from .pod import describe_pod, describe_pod_template
from .workloads import (
    PodCounts,
    describe_deployment,
    describe_job,
    describe_replica_set,
    split_replica_sets,
)
from .writer import PrefixWriter, tabwrite

__all__ = [
    "DescribeResult",
    "PodCounts",
    "PrefixWriter",
    "describe",
    "describe_configmap",
    "describe_deployment",
    "describe_endpoint_slice",
    "describe_endpoints",
    "describe_job",
    "describe_namespace",
    "describe_pod",
    "describe_pod_template",
    "describe_replica_set",
    "describe_service",
    "error_text",
    "format_endpoint_slices",
    "split_replica_sets",
    "tabwrite",
]
