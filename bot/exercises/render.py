"""A check report as the lines a participant reads: one per check, ✅ or ❌, and for each ❌ what
was expected and what was found. Pure; escaping for Slack is the Slack output layer's job."""

from __future__ import annotations

import re

from bot.exercises.runner import CheckReport, CheckResult
from bot.kubectl.grammar import in_namespace

PASS_MARK = "✅"
FAIL_MARK = "❌"
WARN_MARK = "⚠️"


def report_lines(report: CheckReport) -> list[str]:
    if report.namespace_missing:
        return [
            f"{FAIL_MARK} Your namespace {report.namespace} was not found — "
            "nothing to check yet; ask the instructor to set it up"
        ]
    if report.error is not None:
        return [f"{WARN_MARK} Could not check exercise {report.number}: {report.error}"]
    return [result_line(result) for result in report.results]


def result_line(result: CheckResult) -> str:
    if result.passed:
        return f"{PASS_MARK} {result.description}"
    return f"{FAIL_MARK} {result.description} — expected {result.expected}, found {result.found}"


def summary_line(report: CheckReport) -> str:
    """`Exercise 2: Create a Deployment — 4 of 5 checks pass in ws-u0alice`."""
    head = f"Exercise {report.number}: {report.title}"
    if report.namespace_missing or report.error is not None:
        return f"{head} — not checked"
    if report.passed:
        return f"{head} — all {len(report.results)} checks pass in {report.namespace}"
    return (
        f"{head} — {report.passed_count} of {len(report.results)} checks pass in {report.namespace}"
    )


_PODIUM_COMMAND = re.compile(r"`/kubectl ([^`\n]+)`")


def in_own_namespace(text: str, namespace: str) -> str:
    """An exercise's text with each quoted Podium command (`/kubectl describe deploy hello`) made
    to read the participant's namespace: `/kubectl` reads the sandbox unless told otherwise, and
    the exercise is in their own. A command that names a namespace is left as written."""
    return _PODIUM_COMMAND.sub(lambda m: f"`/kubectl {in_namespace(m.group(1), namespace)}`", text)
