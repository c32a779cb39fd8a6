"""What Podium agrees to run, whatever the cluster's RBAC would allow. Pure: no I/O.

A parsed Command becomes either a typed request for the gateway or a Refusal that says why and
what to do instead. Every refusal is decided here, before any cluster request is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kubectl.grammar import Command, ParseError
from bot.kubectl.resources import ResourceKind, lookup

_IDENTITY_FLAGS = (
    "kubeconfig", "context", "cluster", "server", "token", "user", "as", "as-group", "as-uid",
    "username", "password", "certificate-authority", "client-certificate", "client-key",
    "tls-server-name", "insecure-skip-tls-verify",
)

# kubectl verbs that change the cluster or open a channel into it, with what to run instead.
_WRITE_VERBS: dict[str, str] = {
    "apply": "kubectl apply -f manifest.yaml -n {ns}",
    "create": "kubectl create -f manifest.yaml -n {ns}",
    "delete": "kubectl delete pod NAME -n {ns}",
    "edit": "kubectl edit deployment NAME -n {ns}",
    "patch": "kubectl patch deployment NAME -n {ns} -p '…'",
    "replace": "kubectl replace -f manifest.yaml -n {ns}",
    "scale": "kubectl scale deployment NAME --replicas=3 -n {ns}",
    "autoscale": "kubectl autoscale deployment NAME --max=5 -n {ns}",
    "rollout": "kubectl rollout status deployment NAME -n {ns}",
    "set": "kubectl set image deployment/NAME CONTAINER=IMAGE -n {ns}",
    "label": "kubectl label pod NAME key=value -n {ns}",
    "annotate": "kubectl annotate pod NAME key=value -n {ns}",
    "expose": "kubectl expose deployment NAME --port=80 -n {ns}",
    "run": "kubectl run NAME --image=nginx -n {ns}",
    "exec": "kubectl exec -it POD -n {ns} -- sh",
    "attach": "kubectl attach -it POD -n {ns}",
    "port-forward": "kubectl port-forward pod/POD 8080:80 -n {ns}",
    "proxy": "kubectl proxy",
    "cp": "kubectl cp {ns}/POD:/path ./path",
    "debug": "kubectl debug -it POD --image=busybox -n {ns}",
    "taint": "kubectl taint nodes NODE key=value:NoSchedule",
    "drain": "kubectl drain NODE",
    "cordon": "kubectl cordon NODE",
    "uncordon": "kubectl uncordon NODE",
    "certificate": "kubectl certificate approve NAME",
}

# Read-only verbs that a later version of Podium answers; until then, say so plainly.
_NOT_YET = ("describe", "logs", "top", "explain", "api-resources", "api-versions", "version",
            "cluster-info", "auth", "diff", "wait", "events", "config")

_HELP_WORDS = ("", "help", "--help", "-h")

# RFC 1123 names (what the API server accepts for pods and most objects).
_OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
MAX_SELECTOR_LENGTH = 256

SUPPORTED_KINDS = ("pods",)
SUPPORTED_OUTPUTS = ("wide",)


@dataclass(frozen=True)
class Refusal:
    """Podium will not run this. `message` is one line; `hint` says what to do instead."""

    message: str
    hint: str | None = None


@dataclass(frozen=True)
class HelpRequest:
    pass


@dataclass(frozen=True)
class GetRequest:
    kind: ResourceKind
    namespace: str
    names: tuple[str, ...] = ()
    selector: str | None = None
    output: str | None = None  # None or "wide"

    @property
    def command_line(self) -> str:
        """What ran, in kubectl's words, for the answer's header."""
        parts = ["kubectl", "get", self.kind.plural, *self.names, "-n", self.namespace]
        if self.selector:
            parts += ["-l", self.selector]
        if self.output:
            parts += ["-o", self.output]
        return " ".join(parts)


@dataclass(frozen=True)
class DescribeRequest:
    """`kubectl describe KIND [NAME…] [-l SELECTOR]`: no names and no selector means every
    object of the kind in the namespace, as kubectl does."""

    kind: ResourceKind
    namespace: str
    names: tuple[str, ...] = ()
    selector: str | None = None

    @property
    def command_line(self) -> str:
        parts = ["kubectl", "describe", self.kind.plural, *self.names, "-n", self.namespace]
        if self.selector:
            parts += ["-l", self.selector]
        return " ".join(parts)


@dataclass(frozen=True)
class LogsRequest:
    """`kubectl logs TARGET`: TARGET is a pod name or KIND/NAME for deployments, replicasets,
    jobs and services (kubectl picks one of their pods)."""

    namespace: str
    target_kind: ResourceKind  # pods, deployments, replicasets, jobs or services
    target_name: str
    container: str | None = None
    tail: int | None = None  # as asked; None = not given
    since_seconds: int | None = None
    previous: bool = False
    timestamps: bool = False
    all_containers: bool = False

    @property
    def command_line(self) -> str:
        target = (self.target_name if self.target_kind.plural == "pods"
                  else f"{self.target_kind.singular}/{self.target_name}")
        parts = ["kubectl", "logs", target, "-n", self.namespace]
        if self.container:
            parts += ["-c", self.container]
        if self.all_containers:
            parts.append("--all-containers")
        if self.tail is not None:
            parts += ["--tail", str(self.tail)]
        if self.since_seconds is not None:
            parts += ["--since", f"{self.since_seconds}s"]
        if self.previous:
            parts.append("--previous")
        if self.timestamps:
            parts.append("--timestamps")
        return " ".join(parts)


Request = GetRequest | HelpRequest


@dataclass(frozen=True)
class Policy:
    allowed_namespaces: tuple[str, ...]  # the first one is the default (the sandbox)

    @property
    def default_namespace(self) -> str:
        return self.allowed_namespaces[0]

    def decide(self, parsed: Command | ParseError) -> Request | Refusal:
        if isinstance(parsed, ParseError):
            return Refusal(parsed.message, parsed.hint)
        command = parsed
        for name in _IDENTITY_FLAGS:
            if name in command.flags:
                return Refusal(
                    f"`--{name}` is refused: Podium always uses its own read-only sandbox "
                    "credentials and cluster.",
                    "Leave the flag out; to use other credentials, run kubectl in your own terminal.",
                )
        if command.verb in _HELP_WORDS or command.flag("help"):
            return HelpRequest()
        if command.verb in _WRITE_VERBS:
            return self._read_only(command.verb)
        if command.verb in _NOT_YET:
            return Refusal(
                f"`kubectl {command.verb}` is not available in Podium yet; it answers `get pods` for now.",
                f"Run `kubectl {command.verb} …` in your own terminal meanwhile.",
            )
        if command.verb != "get":
            return Refusal(
                f'unknown command "{command.verb}" for "kubectl"',
                "Try `/kubectl help` for what Podium can run, e.g. `/kubectl get pods`.",
            )
        return self._get(command)

    def _read_only(self, verb: str) -> Refusal:
        instead = _WRITE_VERBS[verb].format(ns=self.default_namespace)
        return Refusal(
            f"Podium is read-only: `kubectl {verb}` would change the cluster or open a session into it.",
            f"Run it in your own terminal: `{instead}`" if instead else "Run it in your own terminal.",
        )

    def _namespace(self, command: Command) -> str | Refusal:
        if command.flag("all-namespaces"):
            return Refusal(
                "`-A/--all-namespaces` is refused: Podium reads only the workshop namespaces "
                f"({', '.join(self.allowed_namespaces)}).",
                f"Name one with `-n`, e.g. `-n {self.default_namespace}`.",
            )
        namespace = command.namespace or self.default_namespace
        if not _NAMESPACE.match(namespace):
            return Refusal(f"{namespace!r} is not a valid namespace name.",
                           f"Namespaces Podium reads: {', '.join(self.allowed_namespaces)}.")
        if namespace not in self.allowed_namespaces:
            return Refusal(
                f"Namespace `{namespace}` is outside the workshop: Podium reads only "
                f"{', '.join(f'`{n}`' for n in self.allowed_namespaces)}.",
                f"Use `-n {self.default_namespace}` or leave `-n` out.",
            )
        return namespace

    def _get(self, command: Command) -> GetRequest | Refusal:
        if command.flag("watch"):
            return Refusal("`-w/--watch` streams forever and cannot be answered in Slack.",
                           "Run the command again to see what changed.")
        if not command.args:
            return Refusal("You must specify the type of resource to get, e.g. `get pods`.",
                           "Try `/kubectl get pods`.")
        type_word, *names = command.args
        if "/" in type_word and not names:  # kind/name form
            type_word, _, single = type_word.partition("/")
            names = [single]
        if "," in type_word:
            return Refusal("Several kinds at once (`pods,svc`) are not supported yet.",
                           "Ask for one kind at a time, e.g. `get pods`.")
        kind = lookup(type_word)
        if kind is None:
            return Refusal(
                f'the server doesn\'t have a resource type "{type_word}"',
                "Try `/kubectl get pods`.",
            )
        if kind.plural == "secrets":
            return Refusal("Podium never reads Secrets: their data must not end up in a chat.",
                           "Use `kubectl get secrets` in your own terminal.")
        if kind.plural not in SUPPORTED_KINDS:
            return Refusal(f"`get {kind.plural}` is not available in Podium yet; it answers `get pods` for now.",
                           "Try `/kubectl get pods`.")
        for unsupported in ("field-selector", "show-labels", "sort-by", "container", "tail", "since",
                            "previous", "timestamps", "all-containers", "follow"):
            if unsupported in command.flags:
                return Refusal(f"`--{unsupported}` is not supported for `get` yet.",
                               "Leave it out and try again.")
        namespace = self._namespace(command)
        if isinstance(namespace, Refusal):
            return namespace
        for name in names:
            if not _OBJECT_NAME.match(name):
                return Refusal(f"{name!r} is not a valid {kind.singular} name "
                               "(lower-case letters, digits, '-' and '.').")
        selector = command.flag("selector")
        if isinstance(selector, str) and len(selector) > MAX_SELECTOR_LENGTH:
            return Refusal(f"The label selector is longer than {MAX_SELECTOR_LENGTH} characters.")
        output = command.flag("output")
        if output is not None and output not in SUPPORTED_OUTPUTS:
            return Refusal(f"`-o {output}` is not supported yet; Podium prints tables and `-o wide`.",
                           "Leave `-o` out or use `-o wide`.")
        if names and selector:
            return Refusal("error: name cannot be provided when a selector is specified",
                           "Use either names or `-l`, not both.")
        return GetRequest(
            kind=kind,
            namespace=namespace,
            names=tuple(dict.fromkeys(names)),
            selector=selector if isinstance(selector, str) else None,
            output=output if isinstance(output, str) else None,
        )
