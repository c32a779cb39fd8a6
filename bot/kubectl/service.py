"""One kubectl command, from the text someone typed to an Answer:
grammar → policy → gateway → printer. The only I/O is through the gateway."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from bot.kubectl import grammar
from bot.kubectl.coalesce import ReadCoalescer
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


@dataclass(frozen=True)
class _Output:
    """What one request printed: kubectl's stdout (`body`), its stderr lines and remarks (`notes`)."""

    body: str
    notes: tuple[str, ...] = ()
    ok: bool = True


class KubectlService:
    def __init__(self, policy: Policy, gateway: ClusterGateway, clock: Clock = utc_now, *,
                 budgets: Budgets | None = None, observer: Observer | None = None,
                 fresh_for: float = 0.0, max_reads: int = 0) -> None:
        # The same request from many people at once (a room told "now run get pods") is answered
        # once and shared: answers are immutable, and only good ones are served again.
        self._answers = ReadCoalescer(window=fresh_for, copy_results=False, keep=lambda answer: answer.ok)
        self._policy = policy
        self._gateway = gateway
        self._clock = clock
        self._budgets = budgets
        self._max_reads = max_reads  # 0: no cap
        self.observer = observer

    @property
    def policy(self) -> Policy:
        return self._policy

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
            answer = await self._answer(parsed)
        if self.observer is not None:
            record = CommandRecord(user, channel, source, text, verb or "help", answer.command_line,
                                   answer.outcome, time.monotonic() - started)
            try:
                await self.observer(record)
            except Exception:  # recording must never cost anyone their answer
                log.exception("could not record a command")
        return answer

    async def _answer(self, parsed: grammar.Command | grammar.ParseError) -> Answer:
        decision = self._policy.decide(parsed)
        if isinstance(decision, Refusal):
            return refusal_answer(decision)
        if isinstance(decision, HelpRequest):
            return help_answer(self._policy.allowed_namespaces)
        planned = planned_reads(decision)
        if self._max_reads and planned > self._max_reads:
            return Answer(too_many_reads_line(planned, self._max_reads), ok=False, preformatted=False,
                          command_line=decision.command_line, namespace=decision.namespace, outcome="refused",
                          hint="For example one kind with a few names, or a label selector (`-l app=web`).")
        return await self._answers.read(decision, lambda: self._run_request(decision))

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
            result = await fetch_get(self._gateway, request, self._policy.allowed_namespaces)
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
