"""One kubectl command, from the text someone typed to an Answer:
grammar → policy → gateway → printer. The only I/O is through the gateway."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Callable

from bot.kubectl import grammar
from bot.kubectl.answer import (
    Answer,
    cluster_error_hint,
    cluster_error_line,
    help_answer,
    refusal_answer,
)
from bot.kubectl.gateway import ClusterError, ClusterGateway
from bot.kubectl.policy import GetRequest, HelpRequest, Policy, Refusal
from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.table import render_table

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class KubectlService:
    def __init__(self, policy: Policy, gateway: ClusterGateway, clock: Clock = utc_now) -> None:
        self._policy = policy
        self._gateway = gateway
        self._clock = clock

    async def run(self, text: str) -> Answer:
        """Always returns an Answer: the result, or one line saying why not and what to do."""
        decision = self._policy.decide(grammar.parse(text))
        if isinstance(decision, Refusal):
            return refusal_answer(decision)
        if isinstance(decision, HelpRequest):
            return help_answer(self._policy.allowed_namespaces)
        try:
            return await self._get(decision)
        except ClusterError as error:
            return Answer(
                cluster_error_line(error, self._gateway.server),
                ok=False,
                command_line=decision.command_line,
                hint=cluster_error_hint(error),
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
            )

    async def _get(self, request: GetRequest) -> Answer:
        errors: list[str] = []
        if request.names:
            pods = []
            for name in request.names:  # kubectl prints what it found, then an error per miss
                try:
                    pods.append(await self._gateway.get("pods", request.namespace, name))
                except ClusterError as error:
                    if error.reason != "NotFound":
                        raise
                    errors.append(cluster_error_line(error))
        else:
            pods = await self._gateway.list("pods", request.namespace, label_selector=request.selector)
        lines: list[str] = []
        if pods:
            table = pod_table(pods, now=self._clock(), wide=request.output == "wide")
            lines.append(render_table(table))
        elif not errors:
            lines.append(f"No resources found in {request.namespace} namespace.")
        lines.extend(errors)
        return Answer("\n".join(lines), ok=not errors, command_line=request.command_line)
