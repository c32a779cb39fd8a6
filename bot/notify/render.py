"""The DM a participant gets about a failing Pod or Job: what happened in kubectl's words, the
previous container's last log lines (redacted, escaped once, in a code block), the likely cause,
the next command to run, the hint of the exercise the object belongs to, and buttons (Show
logs, Describe, Check my exercise). Pure: findings in, a message (text + blocks) out.

Whatever comes from the cluster (names, messages, log lines) is someone else's text: it is
escaped once, here, through `mrkdwn()`/`code_block()`; Podium's own words are `Mrkdwn`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.exercises.checks import JOB_NAME_LABEL
from bot.exercises.render import in_own_namespace
from bot.exercises.spec import Exercise
from bot.exercises.workshop import check_button
from bot.kubectl.redact import cap_lines, redact_text
from bot.messages.blocks import button, context, section
from bot.messages.limits import MAX_HEADER_TEXT, MAX_SECTION_TEXT, fit_text
from bot.messages.text import Mrkdwn, code_block, inline_code, join, mrkdwn, trusted
from bot.notify.diagnose import (
    CONFIG,
    CRASH,
    IMAGE,
    JOB_FAILED,
    OOM,
    SELECTS_NOTHING,
    UNSCHEDULABLE,
    Finding,
    is_known,
    repository,
    suggest_image,
    tag_of,
)

LOGS_ACTION = "notify_logs"
DESCRIBE_ACTION = "notify_describe"
LOG_LINES = 10  # the previous container's last lines in the DM
LOG_LINE_CHARS = 300
LOG_BYTES = 8_192  # asked of the API server: the tail of 10 lines is rarely more
LOG_CHARS = 2_000  # shown, at most
MAX_PODS_NAMED = 5

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class Notice:
    """One DM: the findings sharing one key (the Pods of one owner failing for one reason)."""

    findings: tuple[Finding, ...]
    logs: str | None = None  # the previous container's log tail, as read (redacted here)
    logs_from: str | None = None  # whose log it is: "web-7d4-x (container writer, previous)"
    exercise: Exercise | None = None
    events: tuple[str, ...] = ()  # the Pod's latest Warning events, "Reason: message"

    @property
    def first(self) -> Finding:
        return self.findings[0]


# -- which exercise an object belongs to --------------------------------------------------------


def exercise_for(finding: Finding, exercises: Iterable[Exercise]) -> Exercise | None:
    """The first exercise one of whose checks reads this object: the Pod by name or label
    selector, its Deployment or ReplicaSet by name, its Job by name."""
    labels = finding.labels or {}
    owner_kind, _, owner_name = finding.owner.partition("/")
    job = owner_name if owner_kind == "Job" else labels.get(JOB_NAME_LABEL)
    for exercise in exercises:
        for check in exercise.checks:
            for query in check.queries():
                if finding.kind == "services":
                    if query.plural == "services" and query.name == finding.name:
                        return exercise
                elif query.plural == "pods" and finding.kind == "pods":
                    if query.name == finding.name:
                        return exercise
                    if query.selector and _selects(query.selector, labels):
                        return exercise
                elif (
                    (
                        query.plural == "deployments"
                        and query.name
                        and query.name == finding.deployment
                    )
                    or (
                        query.plural == "replicasets"
                        and owner_kind == "ReplicaSet"
                        and query.name == owner_name
                    )
                    or (
                        query.plural == "jobs"
                        and query.name
                        and query.name == (finding.name if finding.kind == "jobs" else job)
                    )
                ):
                    return exercise
    return None


def _selects(selector: str, labels: Mapping[str, str]) -> bool:
    pairs = [part.partition("=") for part in selector.split(",")]
    return bool(pairs) and all(labels.get(k.strip()) == v.strip() for k, _, v in pairs)


def exercise_hint(exercise: Exercise, finding: Finding) -> str | None:
    """The hint that speaks of this reason (e.g. mentions `CrashLoopBackOff` or `ErrImagePull`),
    else the exercise's first hint."""
    if not exercise.hints:
        return None
    words = {
        IMAGE: ("ErrImagePull", "ImagePullBackOff", "image"),
        CRASH: ("CrashLoopBackOff", "restarted", "exits"),
        OOM: ("OOMKilled", "memory"),
        CONFIG: ("ConfigMap", "CreateContainerConfigError"),
        UNSCHEDULABLE: ("Pending", "requests"),
        JOB_FAILED: ("Job", "backoffLimit"),
        SELECTS_NOTHING: ("selector", "Endpoints"),
    }[finding.family]
    for word in words:
        for hint in exercise.hints:
            if word in hint:
                return hint
    return exercise.hints[0]


# -- the likely cause and the next command -----------------------------------------------------


def _workload(finding: Finding) -> str:
    """What to change: `deployment/web`, `job/pi`, `pod/side`."""
    if finding.deployment:
        return f"deployment/{finding.deployment}"
    kind, _, name = finding.owner.partition("/")
    return f"{kind.lower()}/{name}"


def likely_cause(finding: Finding, known: Iterable[str]) -> Mrkdwn | None:
    """The cause in plain words, where it can be told."""
    if finding.family == IMAGE:
        image = finding.image or ""
        if finding.reason == "InvalidImageName":
            return mrkdwn(
                "The image name {} is not a valid reference: lower-case letters, digits, "
                "`/`, `:` and a tag, no spaces.",
                inline_code(image),
            )
        suggestion = suggest_image(image, known)
        if suggestion:
            return mrkdwn(
                "The image {} does not exist: did you mean {}?",
                inline_code(image),
                inline_code(suggestion),
            )
        if is_known(image, known) and tag_of(image):
            return mrkdwn(
                "{} exists, but not with the tag {}: check the tags on the image's registry "
                "page, or leave the tag out to get `latest`.",
                inline_code(repository(image)),
                inline_code(tag_of(image) or ""),
            )
        return mrkdwn(
            "The image {} could not be pulled: check its name and tag (a private image needs "
            "pull credentials).",
            inline_code(image),
        )
    if finding.family == CRASH:
        code = finding.exit_code
        if code == 0:
            return mrkdwn(
                "The container {} finishes its work and exits (exit code 0), and Kubernetes "
                "restarts it again and again: a Pod's containers must keep running (e.g. a "
                "`while true; do …; sleep 10; done` loop).",
                inline_code(finding.container or ""),
            )
        return mrkdwn(
            "The container {} exits{} and Kubernetes restarts it again and again: its last "
            "log lines say why.",
            inline_code(finding.container or ""),
            trusted(f" with exit code {code}") if code is not None else trusted(""),
        )
    if finding.family == OOM:
        limit = finding.memory_limit
        if limit:
            return mrkdwn(
                "The container {} used more memory than its limit ({}) and was killed: raise "
                "`resources.limits.memory` or make it use less.",
                inline_code(finding.container or ""),
                inline_code(limit),
            )
        return mrkdwn(
            "The container {} ran out of memory and was killed: give it a memory limit and "
            "request that fit what it uses.",
            inline_code(finding.container or ""),
        )
    if finding.family == CONFIG and finding.missing:
        kind, name = finding.missing
        if finding.missing_key:
            return mrkdwn(
                "The {} {} has no key {}, which the container {} reads.",
                kind,
                inline_code(name),
                inline_code(finding.missing_key),
                inline_code(finding.container or ""),
            )
        return mrkdwn(
            "The {} {} does not exist in your namespace {}: the container {} needs it. Create "
            "it, or fix the name in the manifest.",
            kind,
            inline_code(name),
            inline_code(finding.namespace),
            inline_code(finding.container or ""),
        )
    if finding.family == UNSCHEDULABLE:
        short = [r for r in finding.insufficient if r in (finding.requests or {})]
        if short:
            asked = join(
                ", ", (mrkdwn("{} {}", r, inline_code((finding.requests or {})[r])) for r in short)
            )
            return mrkdwn(
                "The Pod requests more than any node can give ({}): lower `resources.requests`.",
                asked,
            )
        return trusted(
            "No node can take the Pod: `kubectl describe` shows which requirement fails."
        )
    if finding.family == JOB_FAILED:
        return trusted(
            "The Job's Pods failed as often as its `backoffLimit` allows: their logs say why."
        )
    if finding.family == SELECTS_NOTHING:
        wanted = _pairs(finding.selector)
        if finding.close_labels:
            return mrkdwn(
                "The Service selects {}, but no Pod in your namespace has that label: did you "
                "mean {}?",
                inline_code(wanted),
                inline_code(_pairs(finding.close_labels)),
            )
        return mrkdwn(
            "The Service selects {}, but no Pod in your namespace has these labels: its "
            "selector must match the labels of the Pod template.",
            inline_code(wanted),
        )
    return None


def _pairs(labels: Mapping[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in (labels or {}).items())


def next_command(finding: Finding, known: Iterable[str]) -> str:
    """The command the participant runs next with their own kubectl."""
    ns = finding.namespace
    if finding.family == IMAGE and finding.container:
        suggestion = suggest_image(finding.image or "", known)
        if suggestion:
            return (
                f"kubectl set image {_workload(finding)} {finding.container}={suggestion} -n {ns}"
            )
        return f"kubectl describe pod {finding.name} -n {ns}"
    if finding.family in (CRASH, OOM) and finding.container:
        return f"kubectl logs {finding.name} -c {finding.container} --previous -n {ns}"
    if finding.family == CONFIG and finding.missing and not finding.missing_key:
        kind, name = finding.missing
        if kind == "ConfigMap":
            return f"kubectl create configmap {name} --from-literal=KEY=VALUE -n {ns}"
        return f"kubectl create secret generic {name} --from-literal=KEY=VALUE -n {ns}"
    if finding.family == SELECTS_NOTHING:
        if finding.close_labels and finding.selector:
            fixed = {**finding.selector}
            for key in [k for k in fixed if finding.selector.get(k) != finding.close_labels.get(k)]:
                del fixed[key]
            fixed.update(finding.close_labels)
            return f"kubectl set selector service/{finding.name} '{_pairs(fixed)}' -n {ns}"
        return f"kubectl get pods --show-labels -n {ns}"
    if finding.kind == "jobs":
        return f"kubectl describe job {finding.name} -n {ns}"
    return f"kubectl describe pod {finding.name} -n {ns}"


# -- buttons --------------------------------------------------------------------------------


def logs_command(finding: Finding) -> str | None:
    """What "Show logs" runs (`/kubectl …`); None where there is no log to show."""
    if finding.family in (CRASH, OOM) and finding.container:
        return f"logs {finding.name} -c {finding.container} --previous -n {finding.namespace}"
    if finding.family == JOB_FAILED:
        return f"logs job/{finding.name} -n {finding.namespace}"
    return None


def describe_command(finding: Finding) -> str:
    kind = {"jobs": "job", "services": "svc"}.get(finding.kind, "pod")
    return f"describe {kind} {finding.name} -n {finding.namespace}"


def button_command(action_id: str, value: str) -> str | None:
    """The `/kubectl` text a Show logs / Describe button carries, if it has exactly the shape
    this module writes (anything else was not written by Podium and is not run)."""
    words = value.split()[:10] if len(value) <= 600 else []
    if action_id == DESCRIBE_ACTION:
        if (
            len(words) == 5
            and words[0] == "describe"
            and words[1] in ("pod", "job", "svc")
            and words[3] == "-n"
            and _NAME.match(words[2])
            and _NAME.match(words[4])
        ):
            return " ".join(words)
        return None
    if action_id == LOGS_ACTION:
        if len(words) == 4 and words[0] == "logs" and words[2] == "-n":
            target = words[1].removeprefix("job/")
            return " ".join(words) if _NAME.match(target) and _NAME.match(words[3]) else None
        if (
            len(words) == 7
            and words[0] == "logs"
            and words[2] == "-c"
            and words[4] == "--previous"
            and words[5] == "-n"
            and all(_NAME.match(w) for w in (words[1], words[3], words[6]))
        ):
            return " ".join(words)
    return None


def _buttons(notice: Notice) -> list[dict[str, Any]]:
    finding = notice.first
    elements = []
    logs = logs_command(finding)
    if logs:
        elements.append(button("Show logs", LOGS_ACTION, logs))
    elements.append(button("Describe", DESCRIBE_ACTION, describe_command(finding)))
    if notice.exercise is not None:
        check = check_button(notice.exercise.number)
        elements.append({**check, "text": {"type": "plain_text", "text": "Check my exercise"}})
    return elements


# -- the message ------------------------------------------------------------------------------


def log_tail(text: str, lines: int = LOG_LINES) -> str:
    """The last `lines` lines of a log, each cut, credentials redacted, at most LOG_CHARS."""
    capped, _ = cap_lines(text[-(LOG_BYTES * 2) :])
    tail = [
        line if len(line) <= LOG_LINE_CHARS else line[: LOG_LINE_CHARS - 1] + "…"
        for line in capped.rstrip("\n").split("\n")[-lines:]
    ]
    redacted, _ = redact_text("\n".join(tail))
    return redacted[-LOG_CHARS:]


def _what(finding: Finding) -> str:
    if finding.kind == "jobs":
        return f"Job {finding.name}"
    if finding.kind == "services":
        return f"Service {finding.name}"
    return f"Pod {finding.name}"


def headline(notice: Notice) -> str:
    """The header: which object, which reason (plain text: escaped at the boundary)."""
    finding = notice.first
    if len(notice.findings) > 1 and finding.deployment:
        text = f"Deployment {finding.deployment}: {len(notice.findings)} Pods in {finding.reason}"
    elif len(notice.findings) > 1:
        text = f"{finding.owner}: {len(notice.findings)} Pods in {finding.reason}"
    elif finding.family == SELECTS_NOTHING:
        text = f"Service {finding.name} selects no Pod"
    else:
        text = f"{_what(finding)}: {finding.reason}"
    return text if len(text) <= MAX_HEADER_TEXT else text[: MAX_HEADER_TEXT - 1] + "…"


def new_events(events: tuple[str, ...], message: str, reason: str) -> tuple[str, ...]:
    """The Warning events ("Reason: message") that say more than the DM already does: an event
    repeating *What happened* or only naming the reason (`Failed: Error: ErrImagePull`) is left
    out, so the participant reads each fact once."""
    said = message.strip()
    only_the_reason = {reason, f"Error: {reason}"}
    return tuple(
        event
        for event in events
        if not (said and said in event) and event.partition(": ")[2].strip() not in only_the_reason
    )


def render_notice(notice: Notice, known: Iterable[str]) -> dict[str, Any]:
    """The DM: `text` (the notification's fallback) and `blocks`, within Block Kit's limits."""
    known = tuple(known)
    finding = notice.first
    names = [f.name for f in notice.findings]
    shown = names[:MAX_PODS_NAMED]
    more = f" and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    where = mrkdwn(
        "{} in your namespace {}{}{}",
        join(", ", (inline_code(n) for n in shown)),
        inline_code(finding.namespace),
        more,
        mrkdwn(" (container {})", inline_code(finding.container))
        if finding.container
        else trusted(""),
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(notice)}},
        section(
            fit_text(
                mrkdwn("{}\n*What happened:* {}", where, code_block(finding.message)),
                MAX_SECTION_TEXT,
            )
        ),
    ]
    events = new_events(notice.events, finding.message, finding.reason)
    if events:
        blocks.append(context(fit_text(mrkdwn("Events: {}", code_block("\n".join(events))), 2000)))
    if notice.logs is not None:
        tail = log_tail(notice.logs)
        label = mrkdwn("*Last log lines* of {}:", notice.logs_from or finding.name)
        body = code_block(tail) if tail.strip() else trusted("_(the log is empty)_")
        blocks.append(section(fit_text(mrkdwn("{}\n{}", label, body), MAX_SECTION_TEXT)))
    cause = likely_cause(finding, known)
    if cause is not None:
        blocks.append(section(fit_text(mrkdwn("*Likely cause:* {}", cause), MAX_SECTION_TEXT)))
    blocks.append(
        section(
            fit_text(
                mrkdwn("*Next:* run {}", code_block(next_command(finding, known))),
                MAX_SECTION_TEXT,
            )
        )
    )
    if notice.exercise is not None:
        hint = exercise_hint(notice.exercise, finding)
        if hint:
            blocks.append(
                section(
                    fit_text(
                        mrkdwn(
                            "*Exercise {}: {}*, hint: {}",
                            notice.exercise.number,
                            notice.exercise.title,
                            in_own_namespace(hint, finding.namespace),
                        ),
                        MAX_SECTION_TEXT,
                    )
                )
            )
    blocks.append({"type": "actions", "elements": _buttons(notice)})
    blocks.append(
        context(trusted("Once per Pod and reason. `/workshop notify off` stops these messages."))
    )
    text = f"{headline(notice)}: {finding.message}"
    return {"text": text[:1000], "blocks": blocks}


def overflow_message() -> dict[str, Any]:
    """The one DM per budget window past a person's notification budget."""
    text = trusted(
        "More of your pods are failing: `/kubectl get pods` shows them all "
        "(Podium holds back further messages for a while)."
    )
    return {"text": text, "blocks": [section(text)]}


def troubles_summary(findings: Sequence[Finding]) -> str:
    """One line per finding, for the room board's `Trouble.summary` (unescaped)."""
    return "; ".join(f"{f.name}: {f.reason}" for f in findings)
