"""One kubectl command, from the text someone typed to an Answer:
grammar → policy → gateway → printer. The only I/O is through the gateway."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable

from bot.kubectl import grammar
from bot.kubectl.coalesce import ReadCoalescer
from bot.kubectl.access import NamespaceAccess, participant_namespace
from bot.kubectl.answer import (
    Answer,
    cluster_error_hint,
    cluster_error_line,
    help_answer,
    refusal_answer,
)
from bot.budgets import Budgets, Family
from bot.kubectl.describe import describe
from bot.kubectl.gateway import ClusterError, ClusterGateway
from bot.kubectl.get import fetch_get, render_get
from bot.kubectl.logs import LogsError, fetch_logs
from bot.kubectl.policy import (
    AccessReviewRequest,
    DescribeRequest,
    GetRequest,
    HelpRequest,
    LogsRequest,
    Policy,
    Refusal,
    Request,
    participant_pattern,
)
from bot.kubectl.fanout import planned_reads, too_many_reads_line
from bot.kubectl.redact import redact_credentials

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Logs are capped for chat unless the person asks for a --tail of their own.
DEFAULT_LOG_TAIL = 200


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CommandRecord:
    """One command as it happened: who, where, what ran, how it ended. For metrics and the audit."""

    user_id: str | None
    channel_id: str | None
    source: str  # slash, mention, dm, button, share
    text: str
    verb: str
    command_line: str | None
    outcome: str
    seconds: float


Observer = Callable[[CommandRecord], Awaitable[None]]
# Everyone Podium has answered (Slack user IDs): whose participant namespaces an instructor's
# `get ns` lists, since Podium may not list the cluster's namespaces.
People = Callable[[], Awaitable[Iterable[str]]]


@dataclass(frozen=True)
class _Output:
    """What one request printed: kubectl's stdout (`body`), its stderr lines and remarks (`notes`)."""

    body: str
    notes: tuple[str, ...] = ()
    ok: bool = True


class KubectlService:
    """`access` decides per person (bot/kubectl/access.py); a bare Policy applies to everyone
    alike (tests and tools that have no people)."""

    def __init__(self, access: NamespaceAccess | Policy, gateway: ClusterGateway, clock: Clock = utc_now, *,
                 budgets: Budgets | None = None, observer: Observer | None = None,
                 fresh_for: float = 0.0, people: People | None = None, max_reads: int = 0) -> None:
        # The same request from many people at once (a room told "now run get pods") is answered
        # once and shared: answers are immutable, and only good ones are served again.
        self._answers = ReadCoalescer(window=fresh_for, copy_results=False, keep=lambda answer: answer.ok)
        self._access = access
        self._gateway = gateway
        self._clock = clock
        self._budgets = budgets
        self._max_reads = max_reads  # 0: no cap
        self._people = people
        self.observer = observer

    def policy_for(self, user: str | None) -> Policy:
        """The policy this person's commands are decided by."""
        if isinstance(self._access, Policy):
            return self._access
        return self._access.policy_for(user)

    async def run(self, text: str, *, user: str | None = None, channel: str | None = None,
                  source: str = "slash", budget: Family | None = "kubectl") -> Answer:
        """Always returns an Answer: the result, or one line saying why not and what to do.
        Every command, whatever it came through, is rate-limited per person (from `budget`'s
        family; None when the caller has already spent it) and recorded."""
        started = time.monotonic()
        parsed = grammar.parse(text)
        verb = parsed.verb if isinstance(parsed, grammar.Command) else "invalid"
        slow_down = (self._budgets.spend(budget, user)
                     if self._budgets is not None and budget is not None else None)
        if slow_down is not None:
            answer = Answer(slow_down, ok=False, preformatted=False, outcome="rate_limited",
                            hint="Everyone shares one cluster: one command at a time keeps it fast for all.")
        else:
            answer = await self._answer(parsed, self.policy_for(user))
        if self.observer is not None:
            record = CommandRecord(user, channel, source, text, verb or "help", answer.command_line,
                                   answer.outcome, time.monotonic() - started)
            try:
                await self.observer(record)
            except Exception:  # recording must never cost anyone their answer
                log.exception("could not record a command")
        return answer

    async def _answer(self, parsed: grammar.Command | grammar.ParseError, policy: Policy) -> Answer:
        decision = policy.decide(parsed)
        if isinstance(decision, Refusal):
            return refusal_answer(decision)
        if isinstance(decision, HelpRequest):
            return help_answer(policy)
        if isinstance(decision, GetRequest) and decision.listed_namespaces and policy.any_participant:
            decision = await self._with_participants(decision, policy.any_participant)
        planned = planned_reads(decision)
        if self._max_reads and planned > self._max_reads:
            return Answer(too_many_reads_line(planned, self._max_reads), ok=False, preformatted=False,
                          command_line=decision.command_line, namespace=decision.namespace, outcome="refused",
                          hint="For example one kind with a few names, or a label selector (`-l app=web`).")
        request = decision
        return await self._answers.read(request, lambda: self._run_request(request))

    async def _with_participants(self, request: GetRequest, template: str) -> GetRequest:
        """An instructor's `get ns` also lists the namespaces of the participants Podium knows."""
        if self._people is None:
            return request
        try:
            people = list(await self._people())
        except Exception:  # the rest of the list is still worth showing
            log.exception("could not read who has used Podium")
            return request
        shape = participant_pattern(template)
        known = [ns for ns in (participant_namespace(template, user) for user in people) if shape.fullmatch(ns)]
        extra = tuple(sorted(set(known) - set(request.listed_namespaces)))
        return replace(request, listed_namespaces=request.listed_namespaces + extra, optional_namespaces=extra)

    async def _run_request(self, decision: Request) -> Answer:
        try:
            output = await self._execute(decision)
        except LogsError as error:
            return Answer(error.line, ok=False, command_line=decision.command_line, hint=error.hint,
                          namespace=decision.namespace, outcome="error")
        except ClusterError as error:
            return Answer(
                cluster_error_line(error, self._gateway.server),
                ok=False,
                command_line=decision.command_line,
                hint=cluster_error_hint(error),
                namespace=decision.namespace,
                outcome="error",
            )
        except Exception:  # never a stack trace in Slack: log it, answer with a reference
            reference = uuid.uuid4().hex[:8]
            log.exception("kubectl command failed unexpectedly (ref %s)", reference)
            return Answer(
                f"Podium hit an internal error running this command (ref {reference}).",
                ok=False,
                command_line=decision.command_line,
                preformatted=False,
                hint="Try again; if it keeps failing, tell the instructor the ref.",
                outcome="internal",
            )
        body, redacted = redact_credentials(output.body)
        notes = output.notes
        if redacted:
            notes = (*notes, f"Podium hid {redacted} credential-like string{'s' if redacted != 1 else ''} "
                             "(tokens, keys, passwords) in this output.")
        return Answer(body, ok=output.ok, command_line=decision.command_line, notes=notes,
                      namespace=decision.namespace, outcome="ok" if output.ok else "error")

    async def _execute(self, request: Request) -> _Output:
        if isinstance(request, GetRequest):
            result = await fetch_get(self._gateway, request)
            return _Output(render_get(request, result, now=self._clock()), ok=not result.errors)
        if isinstance(request, DescribeRequest):
            described = await describe(self._gateway, request, self._clock())
            # kubectl prints errors after the descriptions; in chat they belong with the output.
            body = "\n".join(p for p in (described.text.rstrip("\n"), *described.errors,
                                         described.notice or "") if p)
            return _Output(body, ok=not described.errors)
        if isinstance(request, LogsRequest):
            logs = await fetch_logs(self._gateway, request, default_tail=DEFAULT_LOG_TAIL)
            body = logs.text.rstrip("\n") or "(no log lines)"
            return _Output(body, tuple(logs.notes))
        assert isinstance(request, AccessReviewRequest)
        allowed, reason = await self._gateway.can_i(
            request.verb, request.resource, request.namespace,
            group=request.group, subresource=request.subresource, name=request.name,
        )
        # kubectl prints "yes" or "no", and the authorizer's reason after " - " when it has one.
        return _Output(("yes" if allowed else "no") + (f" - {reason}" if reason and not allowed else ""))
