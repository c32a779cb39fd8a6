"""`kubectl get`: fetch through the gateway, then print like kubectl (tables, -o name|yaml|json).
The rendering half is pure (`render_get`) and tested directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.kubectl.answer import cluster_error_line
from bot.kubectl.errors import ClusterError
from bot.kubectl.policy import GetRequest
from bot.kubectl.ports import KubectlGateway
from bot.kubectl.printers.formats import sort_objects, to_json, to_name, to_yaml
from bot.kubectl.printers.registry import get_table
from bot.kubectl.printers.table import render_table
from bot.kubectl.resources import ResourceKind


@dataclass
class Fetched:
    """What the cluster returned for one kind of a get request."""

    kind: ResourceKind
    objects: list[dict[str, Any]] = field(default_factory=list)
    by_name: bool = False  # the objects were asked for by name


@dataclass
class GetResult:
    fetched: list[Fetched]
    errors: list[str]  # kubectl's error lines, printed after the output


async def fetch_get(gateway: KubectlGateway, request: GetRequest) -> GetResult:
    fetched: list[Fetched] = []
    errors: list[str] = []
    for kind, names in request.targets:
        namespace = None if not kind.namespaced else request.namespace
        if kind.plural == "namespaces" and not names:
            # The asker may read only some namespaces: list exactly those, by name (Podium has no
            # `list namespaces` grant, and another participant's namespace must not show up).
            result = Fetched(kind)
            for name in request.listed_namespaces:
                try:
                    result.objects.append(await gateway.get(kind.plural, None, name))
                except ClusterError as error:
                    if name in request.optional_namespaces and error.reason in (
                        "Forbidden",
                        "NotFound",
                    ):
                        continue
                    if error.reason == "Forbidden":  # e.g. a participant namespace not bound yet
                        errors.append(cluster_error_line(error))
                    elif error.reason != "NotFound":  # a workshop namespace not created yet
                        raise
            fetched.append(result)
        elif names:
            result = Fetched(kind, by_name=True)
            for name in names:  # kubectl prints what it found, then an error line per miss
                try:
                    result.objects.append(await gateway.get(kind.plural, namespace, name))
                except ClusterError as error:
                    if error.reason not in ("NotFound", "Forbidden"):
                        raise
                    errors.append(cluster_error_line(error))
            fetched.append(result)
        else:
            objects = await gateway.list(
                kind.plural,
                namespace,
                label_selector=request.selector,
                field_selector=request.field_selector,
            )
            fetched.append(Fetched(kind, objects))
    if request.sort_by:
        for result in fetched:
            try:
                result.objects = sort_objects(result.objects, request.sort_by)
            except (
                ValueError
            ) as error:  # no such field, or an unsortable one: kubectl prints only this
                return GetResult([], [f"error: {error}"])
    return GetResult(fetched, errors)


def render_get(request: GetRequest, result: GetResult, *, now: datetime) -> str:
    """kubectl's stdout for the request, followed by its error lines."""
    non_empty = [f for f in result.fetched if f.objects]
    lines: list[str] = []
    if request.output == "name":
        for f in non_empty:
            lines.append(to_name(f.kind.plural, f.objects))
    elif request.output in ("yaml", "json"):
        objects = [obj for f in non_empty for obj in f.objects]
        # A single object asked for by name prints as itself; anything else as a List.
        single = len(objects) == 1 and len(result.fetched) == 1 and result.fetched[0].by_name
        if objects:
            lines.append((to_yaml if request.output == "yaml" else to_json)(objects, single=single))
    else:
        # Several kinds: kubectl prefixes names with the kind and leaves a blank line between tables.
        with_kind = len(result.fetched) > 1
        tables = []
        for f in non_empty:
            table = get_table(
                f.kind.plural,
                f.objects,
                now=now,
                wide=request.output == "wide",
                show_labels=request.show_labels,
            )
            if with_kind:
                prefix = (
                    f.kind.singular if not f.kind.group else f"{f.kind.singular}.{f.kind.group}"
                )
                for row in table.rows:
                    row[0] = f"{prefix}/{row[0]}"
            tables.append(render_table(table))
        lines.append("\n\n".join(tables))
    text = "\n".join(line for line in lines if line)
    if not text and not result.errors:
        text = (
            "No resources found"
            if all(not f.kind.namespaced for f in result.fetched)
            else f"No resources found in {request.namespace} namespace."
        )
    return "\n".join(part for part in (text, *result.errors) if part)
