"""One kubectl command, from the text someone typed to an Answer:
grammar → policy → gateway → printer. The only I/O is through the gateway."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.budgets import Budgets, Family
from bot.kubectl import grammar
from bot.kubectl.access import NamespaceAccess, participant_namespace
from bot.kubectl.answer import (
    Answer,
    cluster_error_hint,
    cluster_error_line,
    help_answer,
    refusal_answer,
)
from bot.kubectl.coalesce import ReadCoalescer
from bot.kubectl.describe import describe
from bot.kubectl.errors import ClusterError, LogsError
from bot.kubectl.fanout import planned_reads, too_many_reads_line
from bot.kubectl.get import GetResult, fetch_get, render_get
from bot.kubectl.logs import fetch_logs
from bot.kubectl.policy import (
    AccessReviewRequest,
    ClusterRequest,
    DescribeRequest,
    GetRequest,
    HelpRequest,
    LogsRequest,
    Policy,
    Refusal,
    WatchRequest,
    participant_pattern,
)
from bot.kubectl.ports import KubectlGateway, Watcher
from bot.kubectl.redact import (
    MAX_LINE_CHARS,
    REDACTED_MARK,
    cap_lines,
    redact_credentials,
    redact_object,
    redact_text,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Logs are capped for chat unless the person asks for a --tail of their own.
DEFAULT_LOG_TAIL = 200


def utc_now() -> datetime:
    return datetime.now(UTC)


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
    structured: bool = False  # -o yaml|json: redacted in the objects; a text pass could break them


@dataclass(frozen=True)
class Redacted:
    body: str
    hidden: int  # how many `[redacted: …]` the person sees, from the objects or the text
    lines_cut: int


def redact_output(body: str, *, structured: bool = False) -> Redacted:
    """The one redaction policy for printed output (bot/kubectl/redact.py): lines cut at
    MAX_LINE_CHARS, then credential shapes hidden. yaml/json were redacted in the objects (their
    strings capped there), so only their lines are left as printed. Pure and CPU-bound: callers
    on the event loop run it in a worker thread."""
    if structured:
        return Redacted(body, body.count(REDACTED_MARK), 0)
    capped, lines_cut = cap_lines(body)
    text, _ = redact_text(capped)
    return Redacted(text, text.count(REDACTED_MARK), lines_cut)


def redacted_get(request: GetRequest, result: GetResult, now: datetime) -> str:
    """`render_get`, for yaml/json of the objects redacted structurally (env values, secret-named
    keys, the last-applied annotation). CPU-bound: run in a thread."""
    if request.output in ("yaml", "json"):
        # Every field is printed: hide secret-named values in the objects themselves. Tables,
        # `wide` and `name` print a few columns, which the text pass over the output covers.
        for fetched in result.fetched:
            fetched.objects = [redact_object(obj)[0] for obj in fetched.objects]
    return render_get(request, result, now=now)


class RedactingReads:
    """The gateway as `describe` reads it: every object comes back redacted, so describe shows
    what yaml/json show."""

    def __init__(self, gateway: KubectlGateway) -> None:
        self._gateway = gateway

    def __getattr__(self, name: str) -> object:
        return getattr(self._gateway, name)

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, object]:
        obj = await self._gateway.get(plural, namespace, name)
        cleaned: dict[str, object]
        cleaned, _ = await asyncio.to_thread(redact_object, obj)
        return cleaned

    async def list(
        self, plural: str, namespace: str | None, **selectors: str | None
    ) -> list[dict[str, object]]:
        objects = await self._gateway.list(plural, namespace, **selectors)
        cleaned: list[dict[str, object]]
        cleaned, _ = await asyncio.to_thread(redact_object, objects)
        return cleaned


FORBIDDEN_LINE = "Error from server (Forbidden): "  # as cluster_error_line writes it


class KubectlService:
    """`access` decides per person (bot/kubectl/access.py); a bare Policy applies to everyone
    alike (tests and tools that have no people)."""

    def __init__(
        self,
        access: NamespaceAccess | Policy,
        gateway: KubectlGateway,
        clock: Clock = utc_now,
        *,
        budgets: Budgets | None = None,
        observer: Observer | None = None,
        fresh_for: float = 0.0,
        people: People | None = None,
        max_reads: int = 0,
    ) -> None:
        # The same request from many people at once (a room told "now run get pods") is answered
        # once and shared: answers are immutable, and only good ones are served again.
        self._answers = ReadCoalescer(
            window=fresh_for, copy_results=False, keep=lambda answer: answer.ok
        )
        self._access = access
        self._gateway = gateway
        self._clock = clock
        self._budgets = budgets
        self._max_reads = max_reads  # 0: no cap
        self._people = people
        self.observer = observer
        # `get -w` sessions (bot/watch/get_watch.py), set once Slack's side is built; None:
        # watches are answered with a refusal.
        self.watcher: Watcher | None = None

    def policy_for(self, user: str | None) -> Policy:
        """The policy this person's commands are decided by."""
        if isinstance(self._access, Policy):
            return self._access
        return self._access.policy_for(user)

    def own_namespace(self, user: str | None) -> str | None:
        """The person's participant namespace (None without per-person access)."""
        return (
            self._access.own_namespace(user) if isinstance(self._access, NamespaceAccess) else None
        )

    async def run(
        self,
        text: str,
        *,
        user: str | None = None,
        channel: str | None = None,
        source: str = "slash",
        budget: Family | None = "kubectl",
    ) -> Answer:
        """Always returns an Answer: the result, or one line saying why not and what to do.
        Every command, whatever it came through, is rate-limited per person (from `budget`'s
        family; None when the caller has already spent it) and recorded."""
        started = time.monotonic()
        parsed = grammar.parse(text)
        verb = parsed.verb if isinstance(parsed, grammar.Command) else "invalid"
        slow_down = (
            self._budgets.spend(budget, user)
            if self._budgets is not None and budget is not None
            else None
        )
        if slow_down is not None:
            answer = Answer(
                slow_down,
                ok=False,
                preformatted=False,
                outcome="rate_limited",
                hint="Everyone shares one cluster: one command at a time keeps it fast for all.",
            )
        else:
            answer = await self._answer(parsed, self.policy_for(user), user, channel, source)
        if self.observer is not None:
            record = CommandRecord(
                user,
                channel,
                source,
                text,
                verb or "help",
                answer.command_line,
                answer.outcome,
                time.monotonic() - started,
            )
            try:
                await self.observer(record)
            except Exception:  # recording must never cost anyone their answer
                log.exception("could not record a command")
        return answer

    async def _answer(
        self,
        parsed: grammar.Command | grammar.ParseError,
        policy: Policy,
        user: str | None = None,
        channel: str | None = None,
        source: str = "slash",
    ) -> Answer:
        decision = policy.decide(parsed)
        if isinstance(decision, Refusal):
            return refusal_answer(decision)
        if isinstance(decision, HelpRequest):
            return help_answer(policy)
        if isinstance(decision, WatchRequest):
            # Each watch is its own session: never coalesced with anyone else's answer.
            if self.watcher is None:
                return refusal_answer(
                    Refusal(
                        "`-w/--watch` is not available in this Podium.",
                        "Run the command again without `-w` to see what changed.",
                    )
                )
            return await self.watcher.start(decision, user=user, channel=channel, source=source)
        if (
            isinstance(decision, GetRequest)
            and decision.listed_namespaces
            and policy.any_participant
        ):
            decision = await self._with_participants(decision, policy.any_participant)
        planned = planned_reads(decision)
        if self._max_reads and planned > self._max_reads:
            return Answer(
                too_many_reads_line(planned, self._max_reads),
                ok=False,
                preformatted=False,
                command_line=decision.command_line,
                namespace=decision.namespace,
                outcome="refused",
                hint="For example one kind with a few names, or a label selector (`-l app=web`).",
            )
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
        known = [
            ns
            for ns in (participant_namespace(template, user) for user in people)
            if shape.fullmatch(ns)
        ]
        extra = tuple(sorted(set(known) - set(request.listed_namespaces)))
        return replace(
            request, listed_namespaces=request.listed_namespaces + extra, optional_namespaces=extra
        )

    def _unset_namespace_hint(self, forbidden: bool, namespace: str) -> str | None:
        """Podium may not read a participant's namespace: it is not set up yet (an exercise ▶ of
        someone who was never added). The answer is shared by everyone asking the same, so it
        names the namespace, not the asker."""
        if (
            not forbidden
            or not isinstance(self._access, NamespaceAccess)
            or not self._access.is_participant_namespace(namespace)
        ):
            return None
        return (
            f"Namespace `{namespace}` is not set up for the workshop yet: the instructor adds its owner with "
            "`python -m bot participants manifests --users SLACK_ID | kubectl apply -f -`."
        )

    async def _run_request(self, decision: ClusterRequest) -> Answer:
        try:
            output = await self._execute(decision)
        except LogsError as error:
            return Answer(
                error.line,
                ok=False,
                command_line=decision.command_line,
                hint=error.hint,
                namespace=decision.namespace,
                outcome="error",
            )
        except ClusterError as error:
            return Answer(
                # The API server's message can quote what a webhook or the object said.
                redact_credentials(cluster_error_line(error, self._gateway.server))[0],
                ok=False,
                command_line=decision.command_line,
                hint=self._unset_namespace_hint(error.reason == "Forbidden", decision.namespace)
                or cluster_error_hint(error),
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
        # Redaction of a large output is CPU work: off the event loop, so the room keeps answering.
        redacted = await asyncio.to_thread(redact_output, output.body, structured=output.structured)
        notes = output.notes
        if redacted.lines_cut:
            notes = (
                *notes,
                f"Podium cut {redacted.lines_cut} line{'s' if redacted.lines_cut != 1 else ''} "
                f"at {MAX_LINE_CHARS:,} characters.",
            )
        if redacted.hidden:
            notes = (
                *notes,
                f"Podium hid {redacted.hidden} credential-like value{'s' if redacted.hidden != 1 else ''} "
                "(passwords, tokens, keys) in this output.",
            )
        # get and describe print a Forbidden read as kubectl's error line, after the output.
        forbidden = not output.ok and FORBIDDEN_LINE in output.body
        return Answer(
            redacted.body,
            ok=output.ok,
            command_line=decision.command_line,
            notes=notes,
            namespace=decision.namespace,
            outcome="ok" if output.ok else "error",
            hint=self._unset_namespace_hint(forbidden, decision.namespace),
        )

    async def _execute(self, request: ClusterRequest) -> _Output:
        if isinstance(request, GetRequest):
            result = await fetch_get(self._gateway, request)
            body = await asyncio.to_thread(redacted_get, request, result, self._clock())
            return _Output(
                body, ok=not result.errors, structured=request.output in ("yaml", "json")
            )
        if isinstance(request, DescribeRequest):
            reads = RedactingReads(self._gateway)
            described = await describe(reads, request, self._clock())
            # kubectl prints errors after the descriptions; in chat they belong with the output.
            body = "\n".join(
                p
                for p in (described.text.rstrip("\n"), *described.errors, described.notice or "")
                if p
            )
            return _Output(body, ok=not described.errors)
        if isinstance(request, LogsRequest):
            # `-l` reads one log per matching container: those reads count against the same
            # per-command limit as everything else (the pod list is the first read).
            logs = await fetch_logs(
                self._gateway,
                request,
                default_tail=DEFAULT_LOG_TAIL,
                max_streams=max(1, self._max_reads - 1) if self._max_reads else 0,
            )
            body = logs.text.rstrip("\n") or "(no log lines)"
            return _Output(body, tuple(logs.notes))
        assert isinstance(request, AccessReviewRequest)
        allowed, reason = await self._gateway.can_i(
            request.verb,
            request.resource,
            request.namespace,
            group=request.group,
            subresource=request.subresource,
            name=request.name,
        )
        # kubectl prints "yes" or "no", and the authorizer's reason after " - " when it has one.
        return _Output(
            ("yes" if allowed else "no") + (f" - {reason}" if reason and not allowed else "")
        )
