"""What a kubectl command produces for the person who asked, before any Slack formatting.
Pure: builds answers from requests, refusals, printed output and cluster errors."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kubectl.errors import ClusterError
from bot.kubectl.policy import Policy, Refusal


@dataclass(frozen=True)
class Answer:
    """`body` is plain text (unescaped). `preformatted` bodies are shown as a code block."""

    body: str
    ok: bool
    command_line: str | None = None  # what ran, e.g. "kubectl get pods -n sandbox"
    preformatted: bool = True
    hint: str | None = None
    notes: tuple[str, ...] = ()  # what kubectl prints on stderr, and Podium's own remarks
    namespace: str | None = None
    outcome: str = (
        "ok"  # ok | refused | error | rate_limited | internal (for metrics and the audit)
    )

    @property
    def shareable(self) -> bool:
        """Cluster output (and cluster errors) can be shared in the channel; refusals cannot."""
        return self.command_line is not None and self.preformatted

    @property
    def filename(self) -> str:
        """A name for the snippet when the output is too long for a message."""
        words = (self.command_line or "podium output").split()
        stem = "-".join(w for w in words[:4] if not w.startswith("-"))
        return "".join(c if c.isalnum() or c in "-._" else "-" for c in stem) + ".txt"


HELP_TEXT = """\
Podium runs read-only kubectl commands in the namespaces you may read: {namespaces}

  /kubectl get pods                      the pods in {default}
  /kubectl get po -o wide                … with IP and node
  /kubectl get pods -l app=nginx         … selected by label
  /kubectl get pods -w                   a table updating in place for a while (also deploy, ep)
  /kubectl get deploy,svc                several kinds at once; `get all` for the usual ones
  /kubectl get pod/NAME -o yaml          one object as YAML (or -o json, -o name)
  /kubectl get pods --sort-by=.metadata.creationTimestamp --show-labels
  /kubectl describe deploy nginx         details and recent events
  /kubectl describe pods -l app=nginx
  /kubectl logs deploy/nginx --tail 20   logs of one of its pods (-c, --since 5m, -p, --timestamps)
  /kubectl auth can-i list pods          what Podium's sandbox credentials may do
  /kubectl get pods -n NAMESPACE         another of your namespaces (`get ns` lists them)

Kinds: pods (po), deployments (deploy), replicasets (rs), services (svc), endpoints (ep), endpointslices,
configmaps (cm), events (ev), jobs, namespaces (ns).
Podium never changes the cluster (apply, delete, exec, port-forward… run in your own terminal),
never reads Secrets, and uses only its own read-only credentials."""


def help_answer(policy: Policy) -> Answer:
    text = HELP_TEXT.format(
        namespaces=policy.readable.replace("`", ""), default=policy.default_namespace
    )
    return Answer(text, ok=True, command_line="kubectl help")


def refusal_answer(refusal: Refusal) -> Answer:
    return Answer(
        refusal.message, ok=False, preformatted=False, hint=refusal.hint, outcome="refused"
    )


def cluster_error_line(error: ClusterError, server: str | None = None) -> str:
    """One line, in kubectl's words where kubectl has words for it."""
    if error.reason == "Unauthorized":
        return "error: You must be logged in to the server (Unauthorized)"
    if error.reason == "Unreachable":
        target = f" {_host_of(server)}" if server else ""
        if "refused" in error.message:
            return (
                f"The connection to the server{target} was refused - "
                "did you specify the right host or port?"
            )
        return f"Unable to connect to the server{target}: {error.message}"
    if error.reason == "Timeout":
        return f"Unable to connect to the server: {error.message}"
    if error.reason == "BadResponse":
        return f"error: {error.message}"
    return f"Error from server ({error.reason}): {error.message}"


def cluster_error_hint(error: ClusterError) -> str | None:
    if error.reason == "Forbidden":
        return (
            "It is Podium's read-only sandbox credentials, not you, that lack this right; "
            "`/kubectl get pods` shows what they can read."
        )
    if error.reason == "Unauthorized":
        return "Podium's cluster credentials were rejected: tell the instructor (they may have expired)."
    if error.reason in ("Unreachable", "Timeout") or (error.status or 0) >= 500:
        return (
            "The cluster is not answering right now; try again in a minute, or tell the instructor."
        )
    if error.reason == "BadRequest":
        return "Check the selector syntax, e.g. `-l app=nginx` or `-l 'tier in (web,api)'`."
    return None


def _host_of(server: str) -> str:
    return server.split("://", 1)[-1].rstrip("/")
