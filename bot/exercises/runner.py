"""Run an exercise's checks against a participant's namespace, read-only, through the gateway.

One run reads the Namespace, then every distinct query of every check once (concurrently), then
the few logs the `logs_contain` checks need, and evaluates the checks on what it read. The report
counts the API requests it made, so a check run's cost is visible and testable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.exercises.checks import (
    LOG_TAIL_LINES,
    Check,
    LogsContain,
    LogSource,
    Obj,
    Observed,
    Query,
    evaluate,
    log_sources,
    logs_match,
)
from bot.exercises.spec import Exercise
from bot.kubectl.errors import ClusterError
from bot.kubectl.logs import LOG_READ_LIMIT_BYTES
from bot.kubectl.ports import ClusterLogReads

# The part of ClusterGateway a check run uses: reads only.
ExerciseGateway = ClusterLogReads


@dataclass(frozen=True)
class CheckResult:
    description: str
    passed: bool
    expected: str = ""
    found: str = ""


@dataclass(frozen=True)
class CheckReport:
    number: int
    title: str
    namespace: str
    results: tuple[CheckResult, ...] = ()
    requests: int = 0  # API requests this run made
    namespace_missing: bool = False  # nothing to check: Podium finds no such namespace
    error: str | None = None  # the cluster could not be read (unreachable, forbidden, timeout)

    @property
    def passed(self) -> bool:
        return (
            not self.namespace_missing
            and self.error is None
            and all(r.passed for r in self.results)
        )

    @property
    def passed_count(self) -> int:
        return sum(1 for r in self.results if r.passed)


async def check_exercise(
    gateway: ExerciseGateway, exercise: Exercise, namespace: str
) -> CheckReport:
    reader = _Reader(gateway, namespace)

    def report(**kwargs: Any) -> CheckReport:
        return CheckReport(
            exercise.number, exercise.title, namespace, requests=reader.requests, **kwargs
        )

    try:
        namespace_readable = await reader.namespace_exists()
    except _NamespaceMissing:
        return report(namespace_missing=True)
    except ClusterError as error:
        return report(error=_error_text(error, "the namespace", namespace))

    queries = list(dict.fromkeys(q for check in exercise.checks for q in check.queries()))
    outcomes = await asyncio.gather(*(reader.objects(q) for q in queries), return_exceptions=True)
    objects: dict[Query, Sequence[Obj]] = {}
    for query, outcome in zip(queries, outcomes):
        if isinstance(outcome, ClusterError):
            # Podium may neither get the Namespace nor read in it: as far as it can tell, the
            # namespace is not there (a RoleBinding lives in its namespace and goes with it).
            if outcome.reason == "Forbidden" and not namespace_readable:
                return report(namespace_missing=True)
            return report(error=_error_text(outcome, query.plural, namespace))
        if isinstance(outcome, BaseException):
            raise outcome
        objects[query] = outcome

    logs: dict[LogSource, str | None] = {}
    for check in exercise.checks:
        if isinstance(check, LogsContain):
            try:
                await _read_logs(reader, check, objects.get(check.queries()[0], ()), logs)
            except ClusterError as error:
                return report(error=_error_text(error, "logs", namespace))

    observed = Observed(objects, logs)
    results = tuple(_result(check, observed) for check in exercise.checks)
    return report(results=results)


def _result(check: Check, observed: Observed) -> CheckResult:
    outcome = evaluate(check, observed)
    return CheckResult(check.title, outcome.passed, outcome.expected, outcome.found)


async def _read_logs(
    reader: _Reader, check: LogsContain, pods: Sequence[Obj], logs: dict[LogSource, str | None]
) -> None:
    """Read candidates in order until one holds the text: a Job that succeeded costs one read."""
    for source in log_sources(check, pods):
        if source not in logs:
            logs[source] = await reader.logs(source)
        if logs_match(check, logs[source]):
            return


class _NamespaceMissing(Exception):
    pass


@dataclass
class _Reader:
    """Gateway reads for one run, each counted, each query answered from cache after the first."""

    gateway: ExerciseGateway
    namespace: str
    requests: int = 0
    _cache: dict[Query, list[Obj]] = field(default_factory=dict)

    async def namespace_exists(self) -> bool:
        """True if Podium read the Namespace, False if it may not (403); missing → _NamespaceMissing."""
        self.requests += 1
        try:
            await self.gateway.get("namespaces", None, self.namespace)
        except ClusterError as error:
            if error.reason == "NotFound":
                raise _NamespaceMissing from None
            if error.reason == "Forbidden":
                return False
            raise
        return True

    async def objects(self, query: Query) -> list[Obj]:
        if query in self._cache:
            return self._cache[query]
        self.requests += 1
        if query.name:
            try:
                found = [await self.gateway.get(query.plural, self.namespace, query.name)]
            except ClusterError as error:
                if error.reason != "NotFound":
                    raise
                found = []
        else:
            found = await self.gateway.list(
                query.plural, self.namespace, label_selector=query.selector
            )
        self._cache[query] = found
        return found

    async def logs(self, source: LogSource) -> str | None:
        self.requests += 1
        try:
            return await self.gateway.logs(
                self.namespace,
                source.pod,
                container=source.container,
                tail_lines=LOG_TAIL_LINES,
                limit_bytes=LOG_READ_LIMIT_BYTES,
            )
        except ClusterError as error:
            # 400: the container has not started (ContainerCreating, ImagePullBackOff): no logs yet.
            if error.status == 400 or error.reason in ("BadRequest", "NotFound"):
                return None
            raise


def _error_text(error: ClusterError, what: str, namespace: str) -> str:
    if error.reason == "Forbidden":
        return f"Podium may not read {what} in {namespace} ({error.message})"
    return f"Podium could not read {what} in {namespace}: {error}"
