"""What Podium agrees to run, whatever the cluster's RBAC would allow. Pure: no I/O.

A parsed Command becomes either a typed request for the gateway or a Refusal that says why and
what to do instead. Every refusal is decided here, before any cluster request is made.
"""

from __future__ import annotations

import re
import shlex
import string
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.kubectl.errors import LogsError
from bot.kubectl.flags import parse_int_flag, parse_since, parse_tail
from bot.kubectl.grammar import Command, ParseError
from bot.kubectl.resources import ResourceKind, lookup

_IDENTITY_FLAGS = (
    "kubeconfig",
    "context",
    "cluster",
    "server",
    "token",
    "user",
    "as",
    "as-group",
    "as-uid",
    "username",
    "password",
    "certificate-authority",
    "client-certificate",
    "client-key",
    "tls-server-name",
    "insecure-skip-tls-verify",
)

# kubectl verbs that change the cluster or open a channel into it, with an example to run instead
# when the person typed only the verb (otherwise the hint repeats their own words).
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
    "run": "kubectl run NAME --image=nginx:1.27 -n {ns}",
    "exec": "kubectl exec -it POD -n {ns} -- sh",
    "attach": "kubectl attach -it POD -n {ns}",
    "port-forward": "kubectl port-forward pod/POD 8080:80 -n {ns}",
    "proxy": "kubectl proxy",
    "cp": "kubectl cp {ns}/POD:/path ./path",
    "debug": "kubectl debug -it POD --image=busybox:1.37 -n {ns}",
    "taint": "kubectl taint nodes NODE key=value:NoSchedule",
    "drain": "kubectl drain NODE",
    "cordon": "kubectl cordon NODE",
    "uncordon": "kubectl uncordon NODE",
    "certificate": "kubectl certificate approve NAME",
}
# Write verbs about the cluster, not a namespace: their hint gets no `-n`.
_CLUSTER_VERBS = frozenset({"proxy", "taint", "drain", "cordon", "uncordon", "certificate"})

# Read-only kubectl verbs Podium does not answer in chat, with why.
_NOT_IN_CHAT = {
    "top": "needs the metrics server, which the workshop sandbox does not expose to Podium",
    "explain": "is a schema browser; run `kubectl explain pod.spec` in your own terminal",
    "api-resources": "lists the whole API; `/kubectl help` lists what Podium reads",
    "api-versions": "lists the whole API; `/kubectl help` lists what Podium reads",
    "cluster-info": "shows cluster addresses that stay private in a workshop",
    "version": "is about your local kubectl; run it in your own terminal",
    "config": "edits your local kubeconfig; Podium has none to show",
    "diff": "compares local files with the cluster; run it in your own terminal",
    "wait": "blocks until a condition holds, which a chat answer cannot do",
    "events": "is the newer spelling of `get events`; use `/kubectl get events`",
}

_HELP_WORDS = ("", "help", "--help", "-h")

# RFC 1123 names (what the API server accepts for pods and most objects).
_OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
MAX_SELECTOR_LENGTH = 256

GET_KINDS = (
    "pods",
    "deployments",
    "replicasets",
    "services",
    "endpoints",
    "endpointslices",
    "configmaps",
    "events",
    "jobs",
    "namespaces",
)
DESCRIBE_KINDS = (
    "pods",
    "deployments",
    "replicasets",
    "services",
    "endpoints",
    "endpointslices",
    "configmaps",
    "jobs",
    "namespaces",
)
LOG_TARGETS = ("pods", "deployments", "replicasets", "jobs", "services")
# kubectl's "all" category, restricted to the kinds a workshop sandbox has.
ALL_CATEGORY = ("pods", "services", "deployments", "replicasets", "jobs")
OUTPUTS = ("wide", "yaml", "json", "name")
# What `get -w` can watch: the kinds the shared namespace streams serve for it (bot/watch/).
WATCH_KINDS = ("pods", "deployments", "endpoints")
SORT_PATHS = (
    ".metadata.name",
    ".metadata.creationTimestamp",
    ".status.containerStatuses[0].restartCount",
)

# Flags each verb accepts; anything else recognised by the grammar is refused by name.
_VERB_FLAGS: dict[str, frozenset[str]] = {
    "get": frozenset(
        {
            "namespace",
            "selector",
            "output",
            "show-labels",
            "sort-by",
            "field-selector",
            "all-namespaces",
            "watch",
        }
    ),
    "describe": frozenset({"namespace", "selector", "all-namespaces"}),
    "logs": frozenset(
        {
            "namespace",
            "container",
            "tail",
            "since",
            "previous",
            "timestamps",
            "all-containers",
            "follow",
            "selector",
            "prefix",
            "max-log-requests",
        }
    ),
    "auth": frozenset({"namespace", "all-namespaces"}),
}


# What {user} and {user_id} stand for in PODIUM_PARTICIPANT_NAMESPACE: a Slack user ID (U…/W…),
# lower-cased for {user}.
_PLACEHOLDER_PATTERNS = {"user": "[uw][a-z0-9]+", "user_id": "[UW][A-Z0-9]+"}


@lru_cache(maxsize=32)
def participant_pattern(template: str) -> re.Pattern[str]:
    """Matches the namespace of any participant under `template` (e.g. `ws-{user}`)."""
    parts: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(_PLACEHOLDER_PATTERNS.get(field, "(?!)"))
    return re.compile("".join(parts))


def terminal_command(command: Command, namespace: str) -> str:
    """A write command as the person typed it, for their own kubectl: their words kept as they
    are (`scale deploy web --replicas=0` stays `--replicas=0`, `apply -f x.yaml` keeps `x.yaml`),
    quoted for a shell, with `-n namespace` added unless they named one (or all) or the verb is
    about the cluster. Only the verb typed: an example of the verb instead."""
    if (
        command.verb in _WRITE_VERBS
        and not command.args
        and not command.flags
        and not command.unknown_flags
    ):
        return _WRITE_VERBS[command.verb].format(ns=namespace)
    words = list(command.words)
    named = command.namespace is not None or "all-namespaces" in command.flags
    if not named and command.verb not in _CLUSTER_VERBS:
        # Before `--`: what follows it is the command run in the container (exec, debug).
        at = words.index("--") if "--" in words else len(words)
        words[at:at] = ["-n", namespace]
    return shlex.join(["kubectl", *words])


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
    """`kubectl get`: one or more kinds, each with the names asked for (none: list them all)."""

    targets: tuple[tuple[ResourceKind, tuple[str, ...]], ...]
    namespace: str
    selector: str | None = None
    field_selector: str | None = None
    output: str | None = None  # None, "wide", "yaml", "json" or "name"
    show_labels: bool = False
    sort_by: str | None = None
    typed: str = ""  # the resource words as typed ("pods", "all", "pod/web"), for the header
    # `get ns` without names lists exactly these, each fetched by name: what the asker may read.
    listed_namespaces: tuple[str, ...] = ()
    # Of those, the ones listed only in case they exist (an instructor's view of the participants'
    # namespaces): missing or unreadable ones are left out without an error line.
    optional_namespaces: tuple[str, ...] = ()

    @property
    def kinds(self) -> tuple[ResourceKind, ...]:
        return tuple(kind for kind, _ in self.targets)

    @property
    def command_line(self) -> str:
        """What ran, in kubectl's words, for the answer's header."""
        parts = [
            "kubectl",
            "get",
            *(self.typed.split() or [",".join(k.plural for k in self.kinds)]),
        ]
        if any(kind.namespaced for kind in self.kinds):
            parts += ["-n", self.namespace]
        if self.selector:
            parts += ["-l", self.selector]
        if self.field_selector:
            parts += ["--field-selector", self.field_selector]
        if self.output:
            parts += ["-o", self.output]
        if self.show_labels:
            parts.append("--show-labels")
        if self.sort_by:
            parts += ["--sort-by", self.sort_by]
        return shlex.join(parts)


@dataclass(frozen=True)
class WatchRequest:
    """`kubectl get KIND -w`: one watchable kind in one namespace, shown as a table that updates
    in place for a bounded time (bot/watch/get_watch.py). `names` and `selector` narrow it."""

    kind: ResourceKind
    namespace: str
    names: tuple[str, ...] = ()
    selector: str | None = None
    wide: bool = False
    show_labels: bool = False
    typed: str = ""  # the resource words as typed ("po", "pods web-1"), for the header

    @property
    def command_line(self) -> str:
        parts = ["kubectl", "get", *(self.typed.split() or [self.kind.plural])]
        parts += ["-n", self.namespace]
        if self.selector:
            parts += ["-l", self.selector]
        if self.wide:
            parts += ["-o", "wide"]
        if self.show_labels:
            parts.append("--show-labels")
        parts.append("-w")
        return shlex.join(parts)


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
        parts = ["kubectl", "describe", self.kind.plural, *self.names]
        if self.kind.namespaced:
            parts += ["-n", self.namespace]
        if self.selector:
            parts += ["-l", self.selector]
        return shlex.join(parts)


@dataclass(frozen=True)
class LogsRequest:
    """`kubectl logs TARGET`: TARGET is a pod name or KIND/NAME for deployments, replicasets,
    jobs and services (kubectl picks one of their pods); or `kubectl logs -l SELECTOR`: every
    matching pod (then `target_kind` is pods and `target_name` is empty)."""

    namespace: str
    target_kind: ResourceKind  # pods, deployments, replicasets, jobs or services
    target_name: str
    container: str | None = None
    tail: int | None = None  # as asked; None = not given
    since_seconds: int | None = None
    previous: bool = False
    timestamps: bool = False
    all_containers: bool = False
    selector: str | None = None  # -l: every matching pod instead of one target
    prefix: bool = False  # --prefix: each line starts with [pod/NAME/CONTAINER]
    max_log_requests: int | None = None  # as asked; kubectl uses it only with -f (refused here)

    @property
    def command_line(self) -> str:
        if self.selector is not None:
            parts = ["kubectl", "logs", "-l", self.selector, "-n", self.namespace]
        else:
            target = (
                self.target_name
                if self.target_kind.plural == "pods"
                else f"{self.target_kind.singular}/{self.target_name}"
            )
            parts = ["kubectl", "logs", target, "-n", self.namespace]
        if self.container:
            parts += ["-c", self.container]
        if self.all_containers:
            parts.append("--all-containers")
        if self.prefix:
            parts.append("--prefix")
        if self.max_log_requests is not None:
            parts += ["--max-log-requests", str(self.max_log_requests)]
        if self.tail is not None:
            parts += ["--tail", str(self.tail)]
        if self.since_seconds is not None:
            parts += ["--since", f"{self.since_seconds}s"]
        if self.previous:
            parts.append("--previous")
        if self.timestamps:
            parts.append("--timestamps")
        return shlex.join(parts)


@dataclass(frozen=True)
class AccessReviewRequest:
    """`kubectl auth can-i VERB RESOURCE [NAME]`, asked about Podium's own credentials."""

    verb: str
    resource: str
    group: str
    subresource: str
    name: str
    namespace: str

    @property
    def command_line(self) -> str:
        resource = self.resource + (f".{self.group}" if self.group else "")
        resource += f"/{self.subresource}" if self.subresource else ""
        name = f" {self.name}" if self.name else ""
        return f"kubectl auth can-i {self.verb} {resource}{name} -n {self.namespace}"


def _one_line(word: str) -> str:
    """A word as typed, for a one-line refusal: a quoted or backslash-continued line break or tab
    inside it is shown as a space."""
    return " ".join(word.split())


# What reaches the cluster; help is answered from the policy alone.
ClusterRequest = GetRequest | DescribeRequest | LogsRequest | AccessReviewRequest
Request = ClusterRequest | HelpRequest | WatchRequest


@dataclass(frozen=True)
class Policy:
    """What one person may run. `allowed_namespaces` are the namespaces they may read by name
    (the first one is the default, the sandbox); `any_participant` is the participant namespace
    template when they may also read every participant's namespace (instructors)."""

    allowed_namespaces: tuple[str, ...]
    any_participant: str | None = None
    # Where this person's own work lives (their participant namespace): write hints point there.
    # None (instructors, a policy for everyone): the default namespace, the sandbox.
    own_namespace: str | None = None

    @property
    def default_namespace(self) -> str:
        return self.allowed_namespaces[0]

    @property
    def work_namespace(self) -> str:
        """The namespace a command for the person's own terminal runs in."""
        return self.own_namespace or self.default_namespace

    def may_read(self, namespace: str) -> bool:
        if namespace in self.allowed_namespaces:
            return True
        return (
            self.any_participant is not None
            and participant_pattern(self.any_participant).fullmatch(namespace) is not None
        )

    @property
    def readable(self) -> str:
        """The namespaces this person may read, for refusals and help: `sandbox`, `ws-u0alice`."""
        names = ", ".join(f"`{n}`" for n in self.allowed_namespaces)
        if self.any_participant is not None:
            example = self.any_participant.format(user="u0…", user_id="U0…")
            names += f" and, as an instructor, any participant's (`{example}`)"
        return names

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
            return self._read_only(command)
        if command.unknown_flags:
            return Refusal(
                f"unknown flag: {_one_line(command.unknown_flags[0])}",
                "Try `/kubectl help` for what Podium can run.",
            )
        if command.verb in _NOT_IN_CHAT:
            return Refusal(
                f"`kubectl {command.verb}` {_NOT_IN_CHAT[command.verb]}.",
                "`/kubectl help` lists what Podium runs.",
            )
        if command.verb not in _VERB_FLAGS:
            return Refusal(
                f'unknown command "{_one_line(command.verb)}" for "kubectl"',
                "Try `/kubectl help` for what Podium can run, e.g. `/kubectl get pods`.",
            )
        for flag in command.flags:
            if flag not in _VERB_FLAGS[command.verb] and flag != "help":
                return Refusal(
                    f"`--{flag}` does not apply to `kubectl {command.verb}` in Podium.",
                    "Leave it out and try again; `/kubectl help` shows examples.",
                )
        namespace = self._namespace(command)
        if isinstance(namespace, Refusal):
            return namespace
        selector = command.flag("selector")
        if isinstance(selector, str) and len(selector) > MAX_SELECTOR_LENGTH:
            return Refusal(f"The label selector is longer than {MAX_SELECTOR_LENGTH} characters.")
        if command.verb == "get":
            return self._get(command, namespace)
        if command.verb == "describe":
            return self._describe(command, namespace)
        if command.verb == "logs":
            return self._logs(command, namespace)
        return self._auth(command, namespace)

    def _read_only(self, command: Command) -> Refusal:
        # Slack's inline code cannot hold a backtick (as bot/slack/output.inline_code does).
        instead = terminal_command(command, self.work_namespace).replace("`", "'")
        return Refusal(
            f"Podium is read-only: `kubectl {command.verb}` would change the cluster or open a session into it.",
            f"Run it in your own terminal: `{instead}`",
        )

    def _namespace(self, command: Command) -> str | Refusal:
        if command.flag("all-namespaces"):
            return Refusal(
                f"`-A/--all-namespaces` is refused: you may read {self.readable}.",
                f"Name one with `-n`, e.g. `-n {self.default_namespace}`.",
            )
        namespace = command.namespace or self.default_namespace
        if not _NAMESPACE.match(namespace):
            return Refusal(
                f"{namespace!r} is not a valid namespace name.", f"You may read {self.readable}."
            )
        if not self.may_read(namespace):
            return self._outside(namespace)
        return namespace

    def _outside(self, namespace: str) -> Refusal:
        return Refusal(
            f"Namespace `{namespace}` is outside the workshop namespaces you may read: {self.readable}.",
            f"Use `-n {self.default_namespace}` or leave `-n` out.",
        )

    def _kind(self, word: str, allowed: tuple[str, ...], verb: str) -> ResourceKind | Refusal:
        kind = lookup(word)
        if kind is None:
            return Refusal(
                f'the server doesn\'t have a resource type "{word}"',
                f"Podium can {verb}: {', '.join(allowed)}.",
            )
        if kind.plural == "secrets":
            return Refusal(
                "Podium never reads Secrets: their data must not end up in a chat.",
                "Use `kubectl get secrets` in your own terminal.",
            )
        if kind.plural not in allowed:
            return Refusal(
                f"Podium does not {verb} {kind.plural}.",
                f"Podium can {verb}: {', '.join(allowed)}.",
            )
        return kind

    def _names(self, kind: ResourceKind, names: list[str]) -> Refusal | None:
        for name in names:
            if not _OBJECT_NAME.match(name):
                return Refusal(
                    f"{name!r} is not a valid {kind.singular} name "
                    "(lower-case letters, digits, '-' and '.')."
                )
            if kind.plural == "namespaces" and not self.may_read(name):
                return self._outside(name)
        return None

    def _targets(
        self,
        args: tuple[str, ...],
        allowed: tuple[str, ...],
        verb: str,
    ) -> list[tuple[ResourceKind, list[str]]] | Refusal:
        """kubectl's resource arguments: `KIND [NAME…]`, `KIND/NAME …`, `KIND1,KIND2`, `all`."""
        if not args:
            return Refusal(
                f"You must specify the type of resource to {verb}, e.g. `{verb} pods`.",
                f"Podium can {verb}: {', '.join(allowed)}.",
            )
        groups: dict[str, tuple[ResourceKind, list[str]]] = {}
        if all("/" in arg for arg in args):
            for arg in args:
                word, _, name = arg.partition("/")
                kind = self._kind(word, allowed, verb)
                if isinstance(kind, Refusal):
                    return kind
                if not name:
                    return Refusal(
                        f"arguments in resource/name form must have a single resource and name: {arg!r}"
                    )
                groups.setdefault(kind.plural, (kind, []))[1].append(name)
        elif any("/" in arg for arg in args):
            return Refusal(
                "there is no need to specify a resource type as a separate argument "
                "when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
                "instead of 'kubectl get resource resource/<resource_name>')"
            )
        else:
            words = args[0].split(",")
            names = list(args[1:])
            for word in words:
                plurals = ALL_CATEGORY if word == "all" and verb == "get" else None
                for found in (
                    [lookup(p) for p in plurals] if plurals else [self._kind(word, allowed, verb)]
                ):
                    if isinstance(found, Refusal):
                        return found
                    assert found is not None  # ALL_CATEGORY names known kinds only
                    groups.setdefault(found.plural, (found, []))[1].extend(names)
        for kind, names in groups.values():
            refusal = self._names(kind, names)
            if refusal:
                return refusal
        return list(groups.values())

    def _get(self, command: Command, namespace: str) -> GetRequest | WatchRequest | Refusal:
        if command.flag("watch"):
            return self._watch(command, namespace)
        targets = self._targets(command.args, GET_KINDS, "get")
        if isinstance(targets, Refusal):
            return targets
        output = command.flag("output")
        if output is not None and output not in OUTPUTS:
            return Refusal(
                f"`-o {output}` is not supported; Podium prints tables, "
                "`-o wide`, `-o yaml`, `-o json` and `-o name`.",
                "Leave `-o` out or pick one of those.",
            )
        sort_by = command.flag("sort-by")
        if isinstance(sort_by, str):
            path = sort_by.strip().removeprefix("{").removesuffix("}")
            path = path if path.startswith(".") else "." + path
            if not re.fullmatch(r"(\.[A-Za-z0-9_-]+(\[\d+\])?)+", path):
                return Refusal(
                    f"`--sort-by {sort_by}` is not a field path Podium understands.",
                    f"Try one of: {', '.join(SORT_PATHS)}.",
                )
            sort_by = path
        selector = command.flag("selector")
        field_selector = command.flag("field-selector")
        names_given = any(names for _, names in targets)
        if names_given and (selector or field_selector):
            return Refusal(
                "error: name cannot be provided when a selector is specified",
                "Use either names or `-l`, not both.",
            )
        return GetRequest(
            targets=tuple((kind, tuple(dict.fromkeys(names))) for kind, names in targets),
            namespace=namespace,
            selector=selector if isinstance(selector, str) else None,
            field_selector=field_selector if isinstance(field_selector, str) else None,
            output=output if isinstance(output, str) else None,
            show_labels=command.flag("show-labels") is True,
            sort_by=sort_by if isinstance(sort_by, str) else None,
            typed=" ".join(command.args),
            # Only when it matters, so that everyone's `get pods` stays one shared request.
            listed_namespaces=self.allowed_namespaces
            if any(kind.plural == "namespaces" and not names for kind, names in targets)
            else (),
        )

    def _watch(self, command: Command, namespace: str) -> WatchRequest | Refusal:
        """`get KIND -w`: one of WATCH_KINDS, as a table (`-o wide`, `--show-labels` and `-l`
        apply); flags that make no sense for a table updating in place are refused by name."""
        watchable = ", ".join(f"`get {kind} -w`" for kind in WATCH_KINDS)
        targets = self._targets(command.args, GET_KINDS, "get")
        if isinstance(targets, Refusal):
            return targets
        if len(targets) != 1 or targets[0][0].plural not in WATCH_KINDS:
            shown = ",".join(kind.plural for kind, _ in targets)
            return Refusal(
                f"Podium cannot watch {shown}: it watches one kind at a time, "
                f"pods, deployments or endpoints.",
                f"Try {watchable}; for other kinds run `get` again to see what changed.",
            )
        [(kind, names)] = targets
        output = command.flag("output")
        if output is not None and output != "wide":
            return Refusal(
                f"`-o {output}` cannot be watched in Slack: a watch is a table updating in place.",
                f"Leave `-o` out (or use `-o wide`) with `-w`, e.g. `get {kind.plural} -w`.",
            )
        for flag in ("sort-by", "field-selector"):
            if command.flag(flag) is not None:
                return Refusal(
                    f"`--{flag}` does not apply to `-w` in Podium.",
                    "Leave it out; `-l` narrows a watch by label, e.g. "
                    f"`get {kind.plural} -l app=web -w`.",
                )
        selector = command.flag("selector")
        if names and selector:
            return Refusal(
                "error: name cannot be provided when a selector is specified",
                "Use either names or `-l`, not both.",
            )
        return WatchRequest(
            kind=kind,
            namespace=namespace,
            names=tuple(dict.fromkeys(names)),
            selector=selector if isinstance(selector, str) and selector.strip() else None,
            wide=output == "wide",
            show_labels=command.flag("show-labels") is True,
            typed=" ".join(command.args),
        )

    def _describe(self, command: Command, namespace: str) -> DescribeRequest | Refusal:
        targets = self._targets(command.args, DESCRIBE_KINDS, "describe")
        if isinstance(targets, Refusal):
            return targets
        if len(targets) != 1:
            return Refusal(
                "Describe one kind at a time, e.g. `describe pods` or `describe deploy web`."
            )
        [(kind, names)] = targets
        selector = command.flag("selector")
        if kind.plural == "namespaces":
            # The asker may read only some namespaces: describe exactly those, by name.
            if selector:
                return Refusal(
                    "Podium describes namespaces by name, not by label.",
                    f"For example `describe ns {self.default_namespace}`.",
                )
            names = names or list(self.allowed_namespaces)
        if names and selector:
            return Refusal(
                "error: name cannot be provided when a selector is specified",
                "Use either names or `-l`, not both.",
            )
        return DescribeRequest(
            kind,
            namespace,
            tuple(dict.fromkeys(names)),
            selector if isinstance(selector, str) else None,
        )

    def _logs(self, command: Command, namespace: str) -> LogsRequest | Refusal:
        if command.flag("follow"):
            return Refusal(
                "`-f/--follow` streams forever and cannot be answered in Slack.",
                "Use `--tail 50` for the latest lines, or `--since 5m` for recent ones.",
            )
        selector = command.flag("selector")
        if isinstance(selector, str):
            return self._logs_selected(command, namespace, selector)
        if not command.args:
            return Refusal(
                "error: expected 'logs [-p] (POD | TYPE/NAME) [-c CONTAINER]'.",
                "For example `/kubectl logs deploy/nginx --tail 20`.",
            )
        if len(command.args) > 2:
            return Refusal(
                "error: expected 'logs [-p] (POD | TYPE/NAME) [-c CONTAINER]'.",
                "Name one pod (or TYPE/NAME) and at most one container.",
            )
        target, *rest = command.args
        word, slash, name = target.partition("/")
        kind = self._kind(word, LOG_TARGETS, "show logs of") if slash else lookup("pods")
        if isinstance(kind, Refusal):
            return kind
        assert kind is not None
        name = name if slash else target
        refusal = self._names(kind, [name])
        if refusal:
            return refusal
        container = command.flag("container")
        if rest:  # kubectl still accepts the old `logs POD CONTAINER` form
            if container:
                return Refusal("error: only one of -c or an inline [CONTAINER] arg is allowed")
            container = rest[0]
        return self._logs_request(
            command,
            LogsRequest(
                namespace=namespace,
                target_kind=kind,
                target_name=name,
                container=container if isinstance(container, str) else None,
            ),
        )

    def _logs_selected(
        self, command: Command, namespace: str, selector: str
    ) -> LogsRequest | Refusal:
        """`logs -l SELECTOR`: every matching pod in the namespace, as kubectl reads them."""
        if command.args:  # kubectl's Complete: a selector or a pod, not both
            return Refusal(
                "error: only a selector (-l) or a POD name is allowed",
                "For example `/kubectl logs -l app=nginx`, or name one pod without `-l`.",
            )
        if not selector.strip():
            return Refusal(
                "`-l` needs a label selector.", "For example `/kubectl logs -l app=nginx`."
            )
        if len(selector) > MAX_SELECTOR_LENGTH:
            return Refusal(f"The label selector is longer than {MAX_SELECTOR_LENGTH} characters.")
        pods = lookup("pods")
        assert pods is not None
        container = command.flag("container")
        return self._logs_request(
            command,
            LogsRequest(
                namespace=namespace,
                target_kind=pods,
                target_name="",
                selector=selector,
                container=container if isinstance(container, str) else None,
            ),
        )

    def _logs_request(self, command: Command, request: LogsRequest) -> LogsRequest | Refusal:
        """The options every form of `logs` shares, parsed as kubectl parses them."""
        try:  # kubectl's own flag parsing, so errors read as kubectl's do
            tail = command.flag("tail")
            tail_lines = parse_tail(tail) if isinstance(tail, str) else None
            since = command.flag("since")
            since_seconds = parse_since(since) if isinstance(since, str) else None
            max_requests = command.flag("max-log-requests")
            max_log_requests = (
                parse_int_flag("max-log-requests", max_requests)
                if isinstance(max_requests, str)
                else None
            )
        except LogsError as error:
            return Refusal(
                error.line,
                error.hint or "For example `--tail 50`, `--since 15m` or `--max-log-requests 10`.",
            )
        return replace(
            request,
            tail=tail_lines,
            since_seconds=since_seconds,
            previous=command.flag("previous") is True,
            timestamps=command.flag("timestamps") is True,
            all_containers=command.flag("all-containers") is True,
            prefix=command.flag("prefix") is True,
            max_log_requests=max_log_requests,
        )

    def _auth(self, command: Command, namespace: str) -> AccessReviewRequest | Refusal:
        usage = "For example `/kubectl auth can-i list pods` or `/kubectl auth can-i get pods/log`."
        if not command.args or command.args[0] != "can-i":
            return Refusal("Podium answers `auth can-i VERB RESOURCE` only.", usage)
        words = command.args[1:]
        if len(words) not in (2, 3):
            return Refusal(
                "error: you must specify two or three arguments: verb, resource, and optional resourceName",
                usage,
            )
        verb, resource_word = words[0], words[1]
        name = words[2] if len(words) == 3 else ""
        if not re.fullmatch(r"[a-z*]+", verb):
            return Refusal(
                f"{verb!r} is not a Kubernetes verb (get, list, watch, create, delete, …).", usage
            )
        word, _, subresource = resource_word.partition("/")
        kind = lookup(word)
        if kind is not None:
            resource, group = kind.plural, kind.group
        elif re.fullmatch(r"[a-z0-9.-]+", word):
            resource, _, group = word.partition(".")
        else:
            return Refusal(f"{resource_word!r} is not a resource name.", usage)
        if name and not _OBJECT_NAME.match(name):
            return Refusal(f"{name!r} is not a valid object name.")
        return AccessReviewRequest(
            verb=verb,
            resource=resource,
            group=group,
            subresource=subresource,
            name=name,
            namespace=namespace,
        )
