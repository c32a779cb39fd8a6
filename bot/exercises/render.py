"""A check report as the lines a participant reads: one per check, ✅ or ❌, and for each ❌ what
was expected and what was found. Pure; escaping for Slack is the Slack output layer's job."""

from __future__ import annotations

from bot.exercises.runner import CheckReport, CheckResult

PASS_MARK = "✅"
FAIL_MARK = "❌"
WARN_MARK = "⚠️"


def report_lines(report: CheckReport) -> list[str]:
    if report.namespace_missing:
        return [f"{FAIL_MARK} Your namespace {report.namespace} was not found — "
                "nothing to check yet; ask the instructor to set it up"]
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
    return f"{head} — {report.passed_count} of {len(report.results)} checks pass in {report.namespace}"
