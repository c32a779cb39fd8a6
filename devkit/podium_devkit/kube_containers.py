"""What a container does once the emulator's kubelet starts it: pull its image, print, exit.

Images: a reference that does not parse fails as the kubelet's ``InvalidImageName``; a repository
outside ``KNOWN_REPOSITORIES`` / ``KNOWN_REGISTRIES`` fails to pull (``ErrImagePull``, "pull
access denied"), as a typo such as ``ngnix:1.27`` does on a real cluster; so does a tag a known
repository does not have (``nginx:1.999``, ``nginx:lates``: "not found"), judged from the
repository's newest release and the variant words its tags use.

Behaviour, decided from the image and ``command``/``args`` (nothing is executed):

- servers (nginx, httpd, redis, …) run forever with the image's default logs;
- shells run a small interpreter of ``sh -c`` scripts: ``echo``/``printf`` to stdout (not when
  redirected to a file or a pipe), ``$VAR``/``${VAR}``, ``$(date)``/``$(hostname)``, ``sleep``,
  ``exit N``, ``while …; do …; done`` (three rounds are printed, then it runs on forever),
  ``for X in …``, ``curl`` and busybox ``wget``; ``if`` is not modelled (every branch runs) and
  other commands succeed silently;
- memory: ``stress --vm N --vm-bytes B`` (the ``polinux/stress`` image of the Kubernetes docs) and
  ``tail /dev/zero`` allocate memory; past ``resources.limits.memory`` the kernel kills the
  container: ``OOMKilled``, exit code 137, then restarts and ``CrashLoopBackOff`` like any crash;
- ``curl``/``wget`` reach a Service by its cluster DNS name (``web``, ``web.<ns>``,
  ``web.<ns>.svc``, ``web.<ns>.svc.cluster.local``), its cluster IP or a pod IP: the page comes
  from a ready endpoint whose container is nginx or httpd listening on the target port. A name
  that is no Service does not resolve (curl exit 6); no ready endpoint or nothing listening on
  the port is "connection refused" (exit 7). Hosts outside the cluster do not resolve.
"""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from podium_devkit.kube_logs import LogKey, LogLine, LogStore
from podium_devkit.kube_materialize import ContainerRun, normalize_image
from podium_devkit.kube_writes import parse_quantity

Obj = dict[str, Any]


class Reader(Protocol):
    def list(self, resource: str, namespace: str | None = None) -> list[dict]: ...

    def get(self, resource: str, namespace: str, name: str) -> dict | None: ...


# ----------------------------------------------------------------------------------------------
# Images: which ones pull, and what they do
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageInfo:
    kind: (
        str  # "server": runs forever; "shell": its default command exits at once; "curl"; "stress"
    )
    port: int | None = None  # a server's listening port
    http: str | None = None  # "nginx" / "httpd": answers HTTP on `port`
    # The newest release (its leading version numbers): a version tag above it does not exist
    # yet (``nginx:1.999``). None: the repository's tags are not checked.
    newest: tuple[int, ...] | None = None


# Public repositories participants use (Docker Hub names without "docker.io/library/").
KNOWN_REPOSITORIES: Mapping[str, ImageInfo] = {
    "nginx": ImageInfo("server", 80, "nginx", (1, 31)),
    "nginxinc/nginx-unprivileged": ImageInfo("server", 8080, "nginx", (1, 31)),
    "httpd": ImageInfo("server", 80, "httpd", (2, 4)),
    "redis": ImageInfo("server", 6379, newest=(8, 9)),
    "postgres": ImageInfo("server", 5432, newest=(19,)),
    "mysql": ImageInfo("server", 3306, newest=(9, 9)),
    "mariadb": ImageInfo("server", 3306, newest=(12, 9)),
    "mongo": ImageInfo("server", 27017, newest=(8, 9)),
    "memcached": ImageInfo("server", 11211, newest=(1, 6)),
    "rabbitmq": ImageInfo("server", 5672, newest=(4, 9)),
    "traefik": ImageInfo("server", 80, newest=(3, 9)),
    "caddy": ImageInfo("server", 80, newest=(2, 11)),
    "hashicorp/http-echo": ImageInfo("server", 5678, newest=(1, 0)),
    "busybox": ImageInfo("shell", newest=(1, 38)),
    "alpine": ImageInfo("shell", newest=(3, 23)),
    "ubuntu": ImageInfo("shell", newest=(26, 4)),
    "debian": ImageInfo("shell", newest=(13,)),
    "fedora": ImageInfo("shell", newest=(44,)),
    "python": ImageInfo("shell", newest=(3, 15)),
    "node": ImageInfo("shell", newest=(27,)),
    "golang": ImageInfo("shell", newest=(1, 27)),
    "perl": ImageInfo("shell", newest=(5, 43)),
    "hello-world": ImageInfo("shell"),
    "bitnami/kubectl": ImageInfo("shell"),
    "nicolaka/netshoot": ImageInfo("shell"),
    "curlimages/curl": ImageInfo("curl", newest=(8, 18)),
    "polinux/stress": ImageInfo("stress"),  # the Kubernetes docs' memory-limit example
}
# Registries whose every repository is taken to exist (images run with no known behaviour).
KNOWN_REGISTRIES = (
    "registry.k8s.io/",
    "public.ecr.aws/",
    "mcr.microsoft.com/",
    "gcr.io/google-samples/",
    "us-docker.pkg.dev/google-samples/",
)

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?|localhost(?::[0-9]+)?)"
_REFERENCE = re.compile(
    rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)


def repository(image: str) -> str:
    """``nginx:1.27`` → ``nginx``; ``docker.io/curlimages/curl:8`` → ``curlimages/curl``;
    ``registry.k8s.io/pause:3.10`` → ``registry.k8s.io/pause``."""
    ref = normalize_image(image).split("@", 1)[0]
    if ":" in ref.rsplit("/", 1)[-1]:
        ref = ref.rsplit(":", 1)[0]
    return ref.removeprefix("docker.io/").removeprefix("library/")


# Words Docker Hub tags are made of besides versions (``stable-alpine``, ``3.12-slim-bookworm``,
# ``alpine3.20``, ``22-lts``): variants, distributions, release channels.
_TAG_WORDS = frozenset(
    {
        "latest", "stable", "mainline", "alpine", "slim", "perl", "otel", "bookworm", "bullseye",
        "buster", "trixie", "sid", "jammy", "noble", "focal", "oracular", "plucky", "questing",
        "resolute", "rolling", "devel", "testing", "unstable", "experimental", "lts", "current",
        "edge", "rc", "musl", "glibc", "uclibc", "management", "oracle", "oraclelinux",
        "innovation", "debian", "ubuntu", "windowsservercore", "nanoserver", "ltsc", "jod",
        "krypton", "iron", "hydrogen",
    }
)  # fmt: skip
_VERSION = re.compile(r"v?(\d{1,9})((?:\.\d{1,9}){0,3})")
_TAG_WORD = re.compile(r"([a-z]{1,40})[\d.]{0,20}")


def tag_exists(info: ImageInfo, image: str) -> bool:
    """Whether a known repository has this tag: a version no newer than its newest release and/or
    known variant words (``1.27``, ``1.27.3-alpine``, ``stable-alpine-slim``, ``latest``). A digest
    pins the image whatever the tag says. Linear time: fixed patterns over a tag of at most 128."""
    if info.newest is None or "@" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return True  # :latest
    parts = last.rsplit(":", 1)[1].split("-")
    version = _VERSION.fullmatch(parts[0])
    if version is not None:
        numbers = tuple(int(n) for n in (version.group(1) + version.group(2)).split("."))
        if numbers[: len(info.newest)] > info.newest:
            return False
        parts = parts[1:]
    for part in parts:
        word = _TAG_WORD.fullmatch(part)
        if word is None or word.group(1) not in _TAG_WORDS:
            return False
    return True


def image_problem(image: str) -> tuple[str, str] | None:
    """Why the kubelet cannot start this image: (waiting reason, message), or None."""
    if not _REFERENCE.match(image):
        detail = "invalid reference format"
        if _REFERENCE.match(image.lower()):
            path = image.split("@", 1)[0]
            path = path.rsplit(":", 1)[0] if ":" in path.rsplit("/", 1)[-1] else path
            path = path if "/" in path else f"library/{path}"
            detail += f": repository name ({path}) must be lowercase"
        return (
            "InvalidImageName",
            f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": {detail}',
        )
    repo = repository(image)
    ref = normalize_image(image)
    if repo in KNOWN_REPOSITORIES:
        if tag_exists(KNOWN_REPOSITORIES[repo], image):
            return None
        # The registry answers the manifest request with 404: containerd's NotFound.
        return (
            "ErrImagePull",
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
            f'failed to resolve reference "{ref}": {ref}: not found',
        )
    if any(repo.startswith(prefix) for prefix in KNOWN_REGISTRIES):
        return None
    return (
        "ErrImagePull",
        f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": pull access denied, '
        "repository does not exist or may require authorization: server message: insufficient_scope: "
        "authorization failed",
    )


# ----------------------------------------------------------------------------------------------
# The cluster network, as seen from a pod: DNS, Services, endpoints, web servers
# ----------------------------------------------------------------------------------------------

NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_NOT_FOUND = """<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
HTTPD_IT_WORKS = "<html><body><h1>It works!</h1></body></html>\n"
HTTPD_NOT_FOUND = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
"""


@dataclass(frozen=True)
class Unresolved:
    host: str


@dataclass(frozen=True)
class Refused:
    ip: str


@dataclass(frozen=True)
class EmptyReply:
    ip: str


@dataclass(frozen=True)
class Response:
    ip: str
    status: int
    reason: str
    body: str


HttpResult = Unresolved | Refused | EmptyReply | Response


@dataclass
class Network:
    """HTTP from a pod in ``namespace`` to whatever the store says is listening."""

    store: Reader
    namespace: str
    logs: LogStore | None = None  # servers' access logs go here
    client_ip: str = ""

    def resolve(self, host: str) -> tuple[str, Obj | None] | None:
        """(IP, Service or Pod behind it); None when cluster DNS has no such name."""
        host = host.lower().rstrip(".")
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", host):
            for svc in self.store.list("services"):
                if (svc.get("spec") or {}).get("clusterIP") == host:
                    return host, svc
            for pod in self.store.list("pods"):
                if (pod.get("status") or {}).get("podIP") == host:
                    return host, pod
            return host, None
        parts = host.split(".")
        if len(parts) == 1:
            name, namespace = parts[0], self.namespace
        elif (
            len(parts) == 2
            or (len(parts) == 3 and parts[2] == "svc")
            or (len(parts) == 5 and parts[2:] == ["svc", "cluster", "local"])
        ):
            name, namespace = parts[0], parts[1]
        else:
            return None
        svc = self.store.get("services", namespace, name)
        if svc is None or (svc.get("spec") or {}).get("type") == "ExternalName":
            return None
        cluster_ip = (svc.get("spec") or {}).get("clusterIP") or ""
        if cluster_ip in ("", "None"):  # headless: the name resolves to the ready pods' IPs
            pods = self._ready_backends(svc, None)
            if not pods:
                return None
            return pods[0][0]["status"]["podIP"], pods[0][0]
        return cluster_ip, svc

    def get(self, host: str, port: int, path: str, when: datetime, agent: str) -> HttpResult:
        resolved = self.resolve(host)
        if resolved is None:
            return Unresolved(host)
        ip, target = resolved
        if target is None:
            return Refused(ip)
        if target.get("kind") == "Pod":
            return self._serve(target, port, path, ip, when, agent)
        svc_port = next(
            (p for p in (target.get("spec") or {}).get("ports") or () if p.get("port") == port),
            None,
        )
        if svc_port is None:
            return Refused(ip)
        backends = self._ready_backends(target, svc_port)
        if not backends:
            return Refused(ip)
        pod, target_port = backends[0]
        return self._serve(pod, target_port, path, ip, when, agent)

    def _ready_backends(
        self, svc: Mapping[str, Any], svc_port: Mapping[str, Any] | None
    ) -> list[tuple[Obj, int]]:
        """Ready (pod, target port) pairs from the Service's Endpoints, as kube-proxy programs them."""
        meta = svc["metadata"]
        endpoints = self.store.get("endpoints", meta["namespace"], meta["name"]) or {}
        found: list[tuple[Obj, int]] = []
        for subset in endpoints.get("subsets") or ():
            ports = subset.get("ports") or []
            if svc_port is None:
                number = ports[0]["port"] if ports else 0
            else:
                match = [p for p in ports if p.get("name", "") == svc_port.get("name", "")] or (
                    ports if len(ports) == 1 else []
                )
                if not match:
                    continue
                number = int(match[0]["port"])
            for address in subset.get("addresses") or ():
                ref = address.get("targetRef") or {}
                pod = self.store.get(
                    "pods", ref.get("namespace", meta["namespace"]), ref.get("name", "")
                )
                if pod is not None:
                    found.append((pod, number))
        return found

    def _serve(
        self, pod: Obj, port: int, path: str, ip: str, when: datetime, agent: str
    ) -> HttpResult:
        statuses = {
            s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or ()
        }
        for container in (pod.get("spec") or {}).get("containers") or ():
            info = KNOWN_REPOSITORIES.get(repository(container.get("image", "")))
            running = "running" in ((statuses.get(container.get("name")) or {}).get("state") or {})
            if info is None or info.port != port or not running:
                continue
            if info.http is None:
                return EmptyReply(ip)
            found = path in ("", "/", "/index.html")
            if info.http == "nginx":
                body, size = (NGINX_WELCOME, 615) if found else (NGINX_NOT_FOUND, 153)
            else:
                body, size = (HTTPD_IT_WORKS, 45) if found else (HTTPD_NOT_FOUND, 196)
            status = 200 if found else 404
            self._access_log(pod, container["name"], when, path or "/", status, size, agent)
            return Response(ip, status, "OK" if found else "Not Found", body)
        return Refused(ip)

    def _access_log(
        self,
        pod: Obj,
        container: str,
        when: datetime,
        path: str,
        status: int,
        size: int,
        agent: str,
    ) -> None:
        if self.logs is None:
            return
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        line = f'{self.client_ip or "-"} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}" "-"'
        meta = pod["metadata"]
        self.logs.add(LogKey(meta["namespace"], meta["name"], container), [LogLine(when, line)])


# ----------------------------------------------------------------------------------------------
# A very small shell
# ----------------------------------------------------------------------------------------------

LOOP_ROUNDS = 3  # rounds of an endless loop whose output is printed
_FOREVER_SECONDS = 3600.0
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Stop(Exception):
    """`exit`, or a command that never returns (``sleep infinity``, an endless loop)."""


@dataclass
class Shell:
    network: Network
    env: dict[str, str]
    start: datetime
    hostname: str
    clock: float = 0.0  # seconds since the container started
    lines: list[tuple[float, str]] = field(default_factory=list)
    status: int = 0
    forever: bool = False
    files: dict[str, str] = field(default_factory=dict)
    memory_limit: int | None = None  # bytes: resources.limits.memory of the container
    oom_killed: bool = False

    # Entry points ------------------------------------------------------------------------------

    def run_argv(self, argv: Sequence[str]) -> None:
        try:
            if (
                len(argv) >= 3
                and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash")
                and argv[1] == "-c"
            ):
                self._block(_parse(_split(argv[2]))[0])
            else:
                self._print(self._command([str(a) for a in argv]))
        except _Stop:
            pass

    def outcome(self) -> ContainerRun:
        lines = tuple((round(t, 3), text) for t, text in self.lines)
        if self.oom_killed:  # SIGKILL from the kernel: 128 + 9
            return ContainerRun(exit_code=137, timed_lines=lines, duration=max(self.clock, 1.0),
                                reason="OOMKilled")  # fmt: skip
        return ContainerRun(
            exit_code=None if self.forever else self.status,
            timed_lines=lines,
            duration=max(self.clock, 1.0),
        )

    # Execution ---------------------------------------------------------------------------------

    def _block(self, nodes: Sequence[Any]) -> None:
        for node in nodes:
            if node[0] == "cmd":
                self._statement(node[1])
            elif node[0] == "while":
                for _ in range(LOOP_ROUNDS):
                    if node[1].strip() not in ("true", ":", "[ 1 ]") and not node[1].startswith(
                        "sleep"
                    ):
                        self._statement(node[1])
                        if self.status != 0:
                            break
                    self._block(node[2])
                else:
                    self.forever = True
                    raise _Stop
            else:  # for VAR in WORDS
                for word in self._words(node[2]):
                    self.env[node[1]] = word
                    self._block(node[3])

    def _statement(self, text: str) -> None:
        words = self._words(text)
        to_stdout = True
        kept: list[str] = []
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
                continue
            if word in ("|", "|&"):
                to_stdout = False
                break
            if word in (">", ">>", "1>", "1>>"):
                to_stdout, skip_next = False, True
                continue
            if re.fullmatch(r"1?>>?\S+", word):
                to_stdout = False
                continue
            if re.fullmatch(r"2>>?\S*|2>&1|&>\S*|<\S*", word):
                skip_next = word in ("2>", "2>>", "<")
                continue
            kept.append(word)
        while kept and "=" in kept[0] and _NAME.fullmatch(kept[0].split("=", 1)[0]):
            name, value = kept.pop(0).split("=", 1)
            self.env[name] = value
        if kept:
            output = self._command(kept)
            if to_stdout:
                self._print(output)

    def _print(self, output: list[str]) -> None:
        self.lines.extend((self.clock, line) for line in output)

    def _command(self, argv: list[str]) -> list[str]:
        """Run one command; returns what it printed (the caller decides where it goes)."""
        name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        self.status = 0
        if name == "echo":
            newline = True
            while args and args[0] in ("-n", "-e", "-ne", "-en"):
                newline = newline and "n" not in args.pop(0)
            text = " ".join(args)
            return text.split("\n") if newline or text else []
        if name == "printf":
            if not args:
                return []
            text = args[0].replace("\\n", "\n")
            for value in args[1:]:
                text = text.replace("%s", value, 1).replace("%d", value, 1)
            return text.rstrip("\n").split("\n") if text else []
        if name == "sleep":
            seconds = _duration(args[0] if args else "0")
            if seconds >= _FOREVER_SECONDS:
                self.forever = True
                raise _Stop
            self.clock += seconds
            return []
        if name == "exit":
            self.status = int(args[0]) if args and args[0].isdigit() else self.status
            raise _Stop
        if name == "false":
            self.status = 1
            return []
        if name == "date":
            return [_date(self.start + timedelta(seconds=self.clock))]
        if name == "hostname":
            return [self.hostname]
        if name == "printenv" and args:
            return [self.env[args[0]]] if args[0] in self.env else []
        if name == "stress":
            return self._stress(args)
        if name == "tail" and "/dev/zero" in args:
            # tail keeps the "line" it is reading in memory: /dev/zero has no newline, so it
            # grows until the memory limit; with no limit, the node's memory is far away.
            self._memory_hog(None)
            return []
        if (name == "tail" and "-f" in args) or name in (
            "nginx",
            "httpd",
            "httpd-foreground",
            "redis-server",
        ):
            self.forever = True
            raise _Stop
        if name == "curl":
            return self._curl(args)
        if name == "wget":
            return self._wget(args)
        return []  # true, cd, set, export, cat, … and anything else: silent success

    # Memory: stress and the OOM killer --------------------------------------------------------

    def _memory_hog(self, wanted: int | None) -> None:
        """Allocate ``wanted`` bytes (None: without end); past the limit the kernel kills it."""
        if self.memory_limit is not None and (wanted is None or wanted > self.memory_limit):
            self.clock += 1.0  # the allocation takes a moment to reach the limit
            self.oom_killed = True
            raise _Stop
        if wanted is None:
            self.forever = True
            raise _Stop

    def _stress(self, args: list[str]) -> list[str]:
        """``stress --vm N --vm-bytes B [--timeout T]`` (polinux/stress): N workers each keep B
        bytes (default 256M); over the container's memory limit the OOM killer ends it."""
        _, values, _ = _options(args, _STRESS_VALUE_OPTIONS)
        workers = {k: _count(values.get(long) or values.get(short)) for k, long, short in
                   (("cpu", "cpu", "c"), ("io", "io", "i"), ("vm", "vm", "m"), ("hdd", "hdd", "d"))}  # fmt: skip
        self._print([f"stress: info: [1] dispatching hogs: {workers['cpu']} cpu, {workers['io']} io, "
                     f"{workers['vm']} vm, {workers['hdd']} hdd"])  # fmt: skip
        size = _bytes(values.get("vm-bytes", "256M"))
        if workers["vm"] and size is not None:
            self._memory_hog(workers["vm"] * size)
        timeout = _duration(values.get("timeout") or values.get("t") or "inf")
        if timeout >= _FOREVER_SECONDS:
            self.forever = True
            raise _Stop
        self.clock += timeout
        return [f"stress: info: [1] successful run completed in {int(timeout)}s"]

    # Words and expansions ----------------------------------------------------------------------

    def _words(self, text: str) -> list[str]:
        expanded = self._expand(text)
        try:
            return shlex.split(expanded, comments=False)
        except ValueError:
            return expanded.split()

    def _expand(self, text: str) -> str:
        """$VAR, ${VAR}, $?, $(command) outside single quotes; the result keeps its quoting."""
        out: list[str] = []
        i, in_single, in_double = 0, False, False
        while i < len(text):
            ch = text[i]
            if ch == "'" and not in_double:
                in_single = not in_single
            elif ch == '"' and not in_single:
                in_double = not in_double
            elif ch == "\\" and not in_single and i + 1 < len(text):
                out.append(text[i : i + 2])
                i += 2
                continue
            elif ch == "$" and not in_single and i + 1 < len(text):
                rest = text[i + 1 :]
                if rest.startswith("("):
                    end = _closing(text, i + 1)
                    inner = text[i + 2 : end]
                    saved = self.status
                    try:
                        value = (
                            "\n".join(self._command(self._words(inner))) if inner.strip() else ""
                        )
                    except _Stop:
                        value = ""
                    self.status = saved
                    out.append(_quote_value(value, in_double))
                    i = end + 1
                    continue
                braced = re.match(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", rest)
                plain = _NAME.match(rest)
                if braced or plain:
                    match = braced or plain
                    assert match is not None
                    name = match.group(1) if braced else match.group(0)
                    out.append(_quote_value(self.env.get(name, ""), in_double))
                    i += 1 + match.end()
                    continue
                if rest.startswith("?"):
                    out.append(str(self.status))
                    i += 2
                    continue
            out.append(ch)
            i += 1
        return "".join(out)

    # curl and wget -----------------------------------------------------------------------------

    def _curl(self, args: list[str]) -> list[str]:
        flags, values, urls = _options(args, _CURL_VALUE_OPTIONS)
        silent = bool(flags & {"s", "silent"})
        show_error = bool(flags & {"S", "show-error"}) or not silent
        fail = bool(flags & {"f", "fail"})
        output: list[str] = []

        def error(code: int, message: str) -> list[str]:
            self.status = code
            return output + ([f"curl: ({code}) {message}"] if show_error else [])

        if not urls:
            self.status = 2
            return [
                "curl: no URL specified",
                "curl: try 'curl --help' or 'curl --manual' for more information",
            ]
        target = _url(urls[0], 443 if urls[0].startswith("https://") else 80)
        if target is None:
            return error(
                3, "URL rejected: Port number was not a decimal number between 0 and 65535"
            )
        host, port, path = target
        retries = int(values.get("retry", "0") or 0) if values.get("retry", "0").isdigit() else 0
        delay = int(values["retry-delay"]) if values.get("retry-delay", "").isdigit() else 1
        result = self.network.get(
            host, port, path, self.start + timedelta(seconds=self.clock), "curl/8.11.1"
        )
        if isinstance(result, Refused) and "retry-connrefused" in flags:
            for left in range(retries, 0, -1):
                if not silent:
                    output.append(
                        f"Warning: Problem : connection refused. Will retry in {delay} seconds. "
                        f"{left} retries left."
                    )
                self.clock += delay
        if isinstance(result, Unresolved):
            return error(6, f"Could not resolve host: {result.host}")
        if isinstance(result, Refused):
            return error(
                7,
                f"Failed to connect to {host} port {port} after 0 ms: Could not connect to server",
            )
        if isinstance(result, EmptyReply):
            return error(52, "Empty reply from server")
        assert isinstance(result, Response)
        if result.status >= 400 and fail:
            return error(22, f"The requested URL returned error: {result.status}")
        to_file = "o" in values or "output" in values
        return output + ([] if to_file else result.body.rstrip("\n").split("\n"))

    def _wget(self, args: list[str]) -> list[str]:
        flags, values, urls = _options(args, _WGET_VALUE_OPTIONS)
        quiet = bool(flags & {"q", "quiet"})
        target = values.get("O", values.get("output-document", "index.html"))
        output: list[str] = []
        if not urls:
            self.status = 1
            return [
                "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.",
                "",
                "Usage: wget [-cqS] URL",
            ]
        where = _url(urls[0], 80)
        if where is None:
            self.status = 1
            return [f"wget: bad port spec '{urls[0]}'"]
        host, port, path = where
        result = self.network.get(
            host, port, path, self.start + timedelta(seconds=self.clock), "Wget"
        )
        self.status = 1
        if isinstance(result, Unresolved):
            return [f"wget: bad address '{result.host}'"]
        if not quiet:
            output.append(
                f"Connecting to {host}{'' if port == 80 else f':{port}'} ({result.ip}:{port})"
            )
        if isinstance(result, Refused):
            return output + [
                f"wget: can't connect to remote host ({result.ip}): Connection refused"
            ]
        if isinstance(result, EmptyReply):
            return output + ["wget: error getting response: Connection reset by peer"]
        assert isinstance(result, Response)
        if result.status >= 400:
            return output + [
                f"wget: server returned error: HTTP/1.1 {result.status} {result.reason}"
            ]
        self.status = 0
        if target == "-":
            return output + result.body.rstrip("\n").split("\n")
        self.files[target] = result.body
        if not quiet:
            size = len(result.body.encode())
            output += [
                f"saving to '{target}'",
                f"{target:<20} 100% |********************************|   {size}  0:00:00 ETA",
                f"'{target}' saved",
            ]
        return output


_CURL_VALUE_OPTIONS = frozenset(
    {
        "o",
        "output",
        "H",
        "header",
        "X",
        "request",
        "d",
        "data",
        "data-raw",
        "m",
        "max-time",
        "connect-timeout",
        "retry",
        "retry-delay",
        "retry-max-time",
        "w",
        "write-out",
        "u",
        "user",
        "A",
        "user-agent",
        "e",
        "referer",
        "x",
        "proxy",
        "resolve",
        "cacert",
        "cert",
        "key",
        "T",
        "upload-file",
        "F",
        "form",
        "b",
        "cookie",
    }
)
_STRESS_VALUE_OPTIONS = frozenset(
    {"c", "cpu", "i", "io", "m", "vm", "vm-bytes", "vm-stride", "vm-hang", "d", "hdd",
     "hdd-bytes", "t", "timeout", "backoff"}
)  # fmt: skip


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 0


def _bytes(text: str) -> int | None:
    """stress's sizes: ``250M``, ``1G``, ``512K``, ``1000B`` or plain bytes (powers of 1024)."""
    match = re.fullmatch(r"(\d{1,12})([bBkKmMgG]?)", text.strip())
    if match is None:
        return None
    scale = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * scale


_WGET_VALUE_OPTIONS = frozenset(
    {"O", "output-document", "T", "timeout", "U", "user-agent", "header", "Y", "t", "tries"}
)


def _url(text: str, default_port: int) -> tuple[str, int, str] | None:
    """(host, port, path) of a URL as curl and wget read it (no scheme: http); None: bad port."""
    parts = urlsplit(text if "://" in text else f"http://{text}")
    try:
        port = parts.port or default_port
    except ValueError:
        return None
    return parts.hostname or "", port, parts.path


def _options(
    args: Sequence[str], with_value: frozenset[str]
) -> tuple[set[str], dict[str, str], list[str]]:
    """GNU-style options: ``--name value``, ``--name=value``, clustered ``-sSf``, ``-o file``/``-ofile``."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if name in with_value:
                if not eq:
                    i += 1
                    value = args[i] if i < len(args) else ""
                values[name] = value
            else:
                flags.add(name)
        elif arg.startswith("-") and len(arg) > 1:
            for j, letter in enumerate(arg[1:], start=1):
                if letter in with_value:
                    value = arg[j + 1 :]
                    if not value:
                        i += 1
                        value = args[i] if i < len(args) else ""
                    values[letter] = value
                    break
                flags.add(letter)
        else:
            positional.append(arg)
        i += 1
    return flags, values, positional


# ----------------------------------------------------------------------------------------------
# Parsing sh -c scripts into statements and loops
# ----------------------------------------------------------------------------------------------


def _closing(text: str, open_index: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``open_index`` (end of text when unbalanced)."""
    depth = 0
    for i in range(open_index, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _split(script: str) -> list[str]:
    """Statements at newlines, ``;``, ``&&``, ``||`` and ``&``, outside quotes and ``$( )``;
    ``#`` comments dropped."""
    statements: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0

    def flush() -> None:
        text = "".join(current).strip()
        if text:
            statements.append(text)
        current.clear()

    while i < len(script):
        ch = script[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(script):
                current.append(script[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == "$" and script[i + 1 : i + 2] == "(":
            end = _closing(script, i + 1)
            current.append(script[i : end + 1])
            i = end
        elif ch == "#" and (not current or current[-1].isspace()):
            while i < len(script) and script[i] != "\n":
                i += 1
            continue
        elif (
            ch in "\n;"
            or script.startswith(("&&", "||"), i)
            or (ch == "&" and script[i + 1 : i + 2] != ">")
        ):
            flush()
            if script.startswith(("&&", "||"), i):
                i += 1
        else:
            current.append(ch)
        i += 1
    flush()
    # `do echo x` / `then echo x` / `else echo x`: the keyword is a statement of its own.
    result: list[str] = []
    for statement in statements:
        first, _, rest = statement.partition(" ")
        if first in ("do", "then", "else") and rest.strip():
            result += [first, rest.strip()]
        else:
            result.append(statement)
    return result


def _parse(
    statements: Sequence[str], i: int = 0, until: tuple[str, ...] = ()
) -> tuple[list[Any], int]:
    """Nodes: ("cmd", text), ("while", condition, body), ("for", var, words, body). ``if``,
    ``then``, ``else`` and ``fi`` are dropped, so every branch runs."""
    nodes: list[Any] = []
    while i < len(statements):
        statement = statements[i]
        first, _, rest = statement.partition(" ")
        if first in until:
            return nodes, i
        if first in ("while", "until"):
            body, i = _parse(
                statements,
                i + 2 if i + 1 < len(statements) and statements[i + 1] == "do" else i + 1,
                ("done",),
            )
            nodes.append(("while", rest.strip(), body))
        elif first == "for" and " in " in f" {rest} ":
            var, _, words = rest.partition(" in ")
            body, i = _parse(
                statements,
                i + 2 if i + 1 < len(statements) and statements[i + 1] == "do" else i + 1,
                ("done",),
            )
            nodes.append(("for", var.strip(), words.strip(), body))
        elif first in ("then", "else", "fi", "do", "done"):
            pass
        elif first in ("if", "elif"):
            nodes.append(("cmd", rest))
        else:
            nodes.append(("cmd", statement))
        i += 1
    return nodes, i


def _duration(text: str) -> float:
    if text in ("infinity", "inf"):
        return float("inf")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text)
    if not match:
        return 0.0
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def _date(moment: datetime) -> str:
    """``date -u`` of busybox/coreutils: ``Thu Dec  3 17:00:00 UTC 2026``."""
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S} UTC {moment.year}"


def _quote_value(value: str, in_double: bool) -> str:
    return (
        value.replace("\\", "\\\\").replace('"', '\\"')
        if in_double
        else shlex.quote(value)
        if value
        else ""
    )


# ----------------------------------------------------------------------------------------------
# A container, start to end
# ----------------------------------------------------------------------------------------------


def container_env(
    container: Mapping[str, Any], pod: Mapping[str, Any], store: Reader
) -> dict[str, str] | str:
    """The container's environment (envFrom, then env); a missing ConfigMap or Secret (or key)
    that is not optional → the kubelet's CreateContainerConfigError message instead."""
    namespace = pod["metadata"]["namespace"]
    env: dict[str, str] = {
        "HOSTNAME": pod["metadata"]["name"],
        "HOME": "/root",
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    }
    for source in container.get("envFrom") or ():
        kind = "configmap" if source.get("configMapRef") else "secret"
        ref = source.get("configMapRef") or source.get("secretRef")
        if not ref:
            continue
        values = _source_data(store, kind, namespace, ref.get("name", ""))
        if values is None:
            if not ref.get("optional"):
                return f'{kind} "{ref.get("name", "")}" not found'
            continue
        for key, value in values.items():
            env[f"{source.get('prefix', '')}{key}"] = value
    fields: Callable[[str], str] = lambda path: {  # noqa: E731 - the downward API's few fields
        "metadata.name": pod["metadata"]["name"],
        "metadata.namespace": namespace,
        "spec.nodeName": (pod.get("spec") or {}).get("nodeName", ""),
        "status.podIP": (pod.get("status") or {}).get("podIP", ""),
    }.get(path, "")
    for item in container.get("env") or ():
        if "value" in item:
            env[item["name"]] = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                lambda m: env.get(m.group(1), m.group(0)),
                str(item["value"]),
            )
            continue
        value_from = item.get("valueFrom") or {}
        if "configMapKeyRef" in value_from or "secretKeyRef" in value_from:
            kind = "configmap" if "configMapKeyRef" in value_from else "secret"
            ref = value_from.get("configMapKeyRef") or value_from.get("secretKeyRef") or {}
            values = _source_data(store, kind, namespace, ref.get("name", ""))
            if values is None or ref.get("key") not in values:
                if ref.get("optional"):
                    continue
                if values is None:
                    return f'{kind} "{ref.get("name", "")}" not found'
                title = "ConfigMap" if kind == "configmap" else "Secret"
                return (
                    f"couldn't find key {ref.get('key')} in {title} {namespace}/{ref.get('name')}"
                )
            env[item["name"]] = values[ref["key"]]
        elif "fieldRef" in value_from:
            env[item["name"]] = fields(value_from["fieldRef"].get("fieldPath", ""))
    return env


def _source_data(store: Reader, kind: str, namespace: str, name: str) -> dict[str, str] | None:
    """A ConfigMap's data, or a Secret's decoded data (stringData too); None: no such object."""
    found = store.get("configmaps" if kind == "configmap" else "secrets", namespace, name)
    if found is None:
        return None
    if kind == "configmap":
        return {str(k): str(v) for k, v in (found.get("data") or {}).items()}
    values: dict[str, str] = {}
    for key, encoded in (found.get("data") or {}).items():
        try:
            values[str(key)] = base64.b64decode(str(encoded)).decode("utf-8", "replace")
        except ValueError:
            values[str(key)] = ""
    values.update({str(k): str(v) for k, v in (found.get("stringData") or {}).items()})
    return values


def container_run(
    container: Mapping[str, Any],
    pod: Mapping[str, Any],
    store: Reader,
    logs: LogStore | None,
    start: datetime,
) -> ContainerRun:
    """What this container will do: fail to start, run forever, or print and exit."""
    image = container.get("image", "")
    problem = image_problem(image)
    if problem is not None:
        return ContainerRun(pull_error=problem)
    env = container_env(container, pod, store)
    if isinstance(env, str):
        return ContainerRun(pull_error=("CreateContainerConfigError", env))
    info = KNOWN_REPOSITORIES.get(repository(image))
    command = [str(c) for c in container.get("command") or ()]
    args = [str(a) for a in container.get("args") or ()]
    if not command:
        if info is None or info.kind == "server":
            return ContainerRun()  # the image's own entrypoint: a server, or nothing we model
        if info.kind == "curl":
            command = ["curl"]
        elif info.kind == "stress":
            command = ["stress"]
        elif not args:
            return ContainerRun(
                exit_code=0, timed_lines=(), duration=0.1
            )  # a shell with no terminal exits
    argv = [_substitute(word, env) for word in command + args]
    network = Network(
        store, pod["metadata"]["namespace"], logs, (pod.get("status") or {}).get("podIP", "")
    )
    shell = Shell(
        network, env, start, pod["metadata"]["name"], memory_limit=memory_limit(container)
    )
    shell.run_argv(argv)
    return shell.outcome()


def memory_limit(container: Mapping[str, Any]) -> int | None:
    """``resources.limits.memory`` in bytes (None: no limit, or one that does not parse)."""
    limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if limit is None:
        return None
    try:
        return int(parse_quantity(limit))
    except ValueError:
        return None


def _substitute(word: str, env: Mapping[str, str]) -> str:
    """Kubernetes expands ``$(VAR)`` in command and args from the container's environment."""
    return re.sub(
        r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), word
    )
