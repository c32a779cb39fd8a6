"""The errors of a kubectl command, apart from what raises them: `ClusterError` (the API
server's refusal or an unreachable cluster, raised by the gateway) and `LogsError` (what kubectl
decides on its own side). Pure, so the policy, printers and renderers can name them without
loading the Kubernetes client that the gateway needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass  # not frozen: the interpreter sets __traceback__ on exceptions
class ClusterError(Exception):
    """A cluster call that failed. `reason` is the API's (NotFound, Forbidden, …) or one of ours:
    Unreachable, Timeout, BadResponse."""

    reason: str
    message: str
    status: int | None = None

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


@dataclass  # not frozen: the interpreter sets __traceback__ on exceptions
class LogsError(Exception):
    """An error kubectl raises client-side; `line` is what kubectl prints on stderr."""

    message: str
    hint: str | None = None

    @property
    def line(self) -> str:
        return f"error: {self.message}"

    def __str__(self) -> str:
        return self.line
