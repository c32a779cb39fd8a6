"""A Kubernetes API server emulator: a stand-in for EKS that speaks the real wire protocol.

The official ``kubernetes`` client and the real ``kubectl`` both accept it: discovery documents,
typed lists with ``kind``/``apiVersion``/``resourceVersion``, label and field selectors, pod logs,
Status error bodies, bearer tokens and RBAC are served the way a real API server serves them.

It is seeded from YAML (applyable manifests plus devkit-only documents: RBAC and ``PodLogs``),
materialised at construction into a running sandbox (see ``kube_materialize``), and then accepts
writes as a real API server does, from kubectl (``create``, ``apply`` and re-``apply``, ``delete``,
``scale``, ``set image``, ``rollout restart``) and the python client: POST, PUT, PATCH (strategic
merge, merge and JSON patch) and DELETE, with the server's bookkeeping (uid, resourceVersion,
generation, generateName, optimistic concurrency), defaulting, validation and refusals
(``kube_writes``), garbage collection through ownerReferences, namespace deletion, and the
``scale`` and ``status`` subresources, Pod admission (ServiceAccount, LimitRange defaults,
ResourceQuota) and quota usage in ``status.used``. Server-side apply is refused with 415. RBAC objects are
ordinary objects: writing them changes what the authorizer decides at once. After every write the
controllers (``kube_controllers.reconcile``) bring the namespace's derived objects up to date.
Service-account tokens (TokenRequest, token Secrets; see ``kube_tokens``) are bound to their
ServiceAccount. Every request is recorded in ``requests`` so tests can prove what Podium asked
for, and faults (5xx, delays) can be injected for resilience tests.

Two listeners serve the same handler: ``url`` (plain http, for raw HTTP and the python client) and
``https_url`` (TLS with a certificate made at start-up, see ``kube_tls``). Kubeconfigs point at
the https one by default because kubectl never sends a bearer token over plain http.

Faults are applied before authentication, so a faulted request is recorded with ``user=None``.

Authorization: with ``authorize=True`` the RBAC objects decide, exactly as on a cluster (the
bootstrap ClusterRoles ``cluster-admin``, ``admin``, ``edit`` and ``view`` exist as on any cluster).
If no RBAC bindings were seeded, nothing but discovery and the self-review APIs is allowed (a
fresh cluster grants no more); a warning is logged. Pass ``authorize=False`` to allow every
authenticated request. Tokens are always checked. Impersonation (kubectl ``--as``) needs the verb
``impersonate``, as on a cluster.

Watches are served as the API server's watch cache serves them: a chunked stream of JSON events
(ADDED/MODIFIED/DELETED, BOOKMARK with ``allowWatchBookmarks`` every ``bookmark_interval`` and
before ``timeoutSeconds`` closes the stream); a ``resourceVersion`` replays every later change
from a bounded history (``history_size``, ``history_seconds``); one older than the window (or
``compact()``-ed away) gets an ERROR event with a 410 Expired Status, and client-go / the python
client re-list. Selectors follow the cacher: an object leaving the selection is DELETED. Lists
honour ``resourceVersionMatch`` (Exact from the history, 410 once compacted). With
``kubelet=KubeletTimings(...)`` a background kubelet moves failing pods along over time
(ImagePullBackOff retries, CrashLoopBackOff restarts; see ``kube_controllers.Kubelet``).

Usage::

    emulator = KubeEmulator.from_paths(*demo_seed_paths())
    url = await emulator.start()
    emulator.write_kubeconfig(tmp_path / "kubeconfig")
    ...
    await emulator.stop()

or ``with EmulatorThread(emulator) as url:`` for blocking clients, or from a shell::

    python -m podium_devkit.kube_api --kubeconfig-out /tmp/kubeconfig [--kubelet-backoff 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import json
import logging
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import yaml
from aiohttp import web

from podium_devkit import kube_controllers, kube_tables
from podium_devkit import kube_writes as writes
from podium_devkit.kube_logs import (
    PODLOGS_API_VERSION,
    PODLOGS_KIND,
    LogStore,
    format_time,
    parse_time,
    render,
)
from podium_devkit.kube_materialize import (
    BUILTIN_NAMESPACES,
    K8S_VERSION,
    Materializer,
    materialize,
)
from podium_devkit.kube_protobuf import (
    PROTOBUF_MEDIA_TYPE,
    ProtobufError,
    decode_object,
    decode_review,
)
from podium_devkit.kube_rbac import (
    RBAC_API_GROUP,
    RBAC_KINDS,
    Attributes,
    Authorizer,
    Decision,
    UserInfo,
    bootstrap_cluster_roles,
    forbidden_message,
)
from podium_devkit.kube_resources import Registry, ResourceType
from podium_devkit.kube_selectors import SelectorError, compile_field_selector, parse_label_selector
from podium_devkit.kube_tls import generate_loopback_tls
from podium_devkit.kube_tokens import TokenIssuer

log = logging.getLogger(__name__)

Obj = dict[str, Any]

# Paths that a real API server answers for anonymous callers (system:public-info-viewer).
PUBLIC_PATHS = frozenset({"/version", "/version/", "/healthz", "/livez", "/readyz"})
REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
FAULT_MESSAGES = {
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected fault",
    502: "Bad Gateway",
    503: "the server is currently unable to handle the request",
    504: "The request timed out",
}


def demo_seed_paths() -> list[Path]:
    """What the console seeds from: the deck's demo manifests, Podium's namespace, identity and
    RBAC exactly as a workshop applies them (``manifests/podium/`` and ``manifests/sandbox/``, so
    tests prove those grants suffice), then the devkit-only seed. All are this package's data
    (copies of the repository's ``manifests/``), so an installed devkit needs no checkout."""
    package = package_root()
    manifests = package / "manifests"
    # Files, not the folders: their kustomization.yaml is for kubectl, not an API object.
    workshop = sorted(
        p
        for folder in ("podium", "sandbox")
        for p in (manifests / folder).glob("*.yaml")
        if p.name != "kustomization.yaml"
    )
    seed = sorted((package / "seed").glob("*.yaml"))
    return [manifests / "demo", *workshop, *seed]


def package_root() -> Path:
    """This package's folder, found the way installed data is found (``importlib.resources``)."""
    root = resources.files(__package__ or "podium_devkit")
    # A wheel installs files; a zipped import would need as_file(), and nothing ships one.
    if not isinstance(root, Path):
        raise TypeError(f"podium_devkit must be installed as files, not {type(root).__name__}")
    return root


def load_documents(*paths: str | Path) -> list[Obj]:
    """YAML documents (multi-doc) from files and directories (``*.yaml``/``*.yml``, sorted, recursive)."""
    docs: list[Obj] = []
    for path in map(Path, paths):
        files = (
            sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
            )
            if path.is_dir()
            else [path]
        )
        for file in files:
            with file.open(encoding="utf-8") as handle:
                docs.extend(d for d in yaml.safe_load_all(handle) if d)
    return docs


# ----------------------------------------------------------------------------------------------
# Records, faults, request parsing
# ----------------------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    verb: str  # Kubernetes verb (get/list/watch/create/...) or the HTTP method for other paths
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    api_group: str = ""
    user: str | None = None  # None when the request did not authenticate
    status: int = 0


@dataclass
class Fault:
    """A 5xx (or any) Status, or a delay, for requests whose path contains ``path_contains``."""

    status: int | None = 503
    delay: float = 0.0
    times: int | None = 1  # None: forever
    path_contains: str | None = None
    method: str | None = None
    message: str | None = None
    hits: int = 0

    def applies(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains in path


@dataclass(frozen=True)
class RequestInfo:
    """The apiserver's ``RequestInfo``: what a URL means to authorization and routing."""

    path: str
    verb: str
    resource_request: bool
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""


def parse_request_info(method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
    parts = [p for p in path.strip("/").split("/") if p]
    http_verb = method.lower()
    if not parts or parts[0] not in ("api", "apis"):
        return RequestInfo(path, http_verb, False)
    prefix, rest = parts[0], parts[1:]
    group = ""
    if prefix == "apis":
        if len(rest) < 2:
            return RequestInfo(path, http_verb, False, prefix)
        group, rest = rest[0], rest[1:]
    if len(rest) < 2:  # /api, /api/v1, /apis/apps/v1: discovery
        return RequestInfo(path, http_verb, False, prefix)
    version, rest = rest[0], rest[1:]
    watch_path = rest[0] == "watch"
    if watch_path:
        rest = rest[1:]
    verb = {"post": "create", "put": "update", "patch": "patch", "delete": "delete"}.get(
        http_verb, "get"
    )
    if watch_path:
        verb = "watch"
    namespace = ""
    if rest and rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in ("status", "finalize"):
            rest = rest[2:]
    resource = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if not name and verb == "get":
        verb = "watch" if query.get("watch", "").lower() in ("1", "true") else "list"
    elif not name and verb == "delete":
        verb = "deletecollection"
    return RequestInfo(
        path, verb, True, prefix, group, version, namespace, resource, subresource, name
    )


def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # The API server answers exactly "application/json" (no charset); keep byte-for-byte habits.
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def status_body(
    code: int, message: str, reason: str | None = None, details: Mapping[str, Any] | None = None
) -> Obj:
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason if reason is not None else REASONS.get(code, ""),
    }
    if details is not None:
        body["details"] = dict(details)
    body["code"] = code  # last, as the API server orders it
    return body


def status_response(
    code: int,
    message: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    return _json(status_body(code, message, reason, details), code, headers)


def _resource_details(rtype: ResourceType | None, resource: str, name: str = "") -> Obj:
    details: Obj = {}
    if name:
        details["name"] = name
    if rtype is not None and rtype.group:
        details["group"] = rtype.group
    details["kind"] = rtype.plural if rtype else resource
    return details


def _accepts_plain_json(accept: str) -> bool:
    """Aggregated discovery and Tables are asked for with a plain-JSON fallback; honour it."""
    if not accept.strip():
        return True
    for media_range in accept.split(","):
        media, *params = (p.strip() for p in media_range.split(";"))
        if media in ("application/json", "application/*", "*/*") and not any(
            p.startswith("as=") for p in params
        ):
            return True
    return False


# ----------------------------------------------------------------------------------------------
# Storage
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One write as the watch cache remembers it: the object after the change (a DELETED one keeps
    its last content, with the deletion's resourceVersion) and before it (None when it was created)."""

    revision: int
    event: str  # ADDED / MODIFIED / DELETED
    resource: str
    obj: Obj
    prev: Obj | None
    at: float  # time.monotonic() of the write: the age window compacts by it


# The API server's watch cache keeps a bounded window of recent changes (and etcd compacts its
# history every 5 minutes): a watch or an exact list older than the window is answered 410 Gone.
DEFAULT_HISTORY_SIZE = 10_000
DEFAULT_HISTORY_SECONDS = 300.0
# The API server's cacher bookmarks a watch that allows it about once a minute.
DEFAULT_BOOKMARK_INTERVAL = 60.0


@dataclass
class ObjectStore:
    """Every object by resource, then (namespace, name); one cluster-wide resourceVersion counter.

    ``add`` is for seeding (keeps a seeded resourceVersion); ``put`` and ``remove`` are what writes
    and the controllers (``kube_controllers.ObjectStore``) use: every change gets a new
    resourceVersion, and ``put`` fills in a uid and creationTimestamp when missing. Each change
    is also kept in ``history`` (bounded by ``history_size`` entries and ``history_seconds``), from
    which a watch replays what happened after a resourceVersion; ``compacted`` is the newest
    revision no longer in the window (a watch from before it gets 410 Gone)."""

    registry: Registry
    by_resource: dict[str, dict[tuple[str, str], Obj]] = field(default_factory=dict)
    # The same objects by (resource, namespace), then name: a namespace's list without a full scan.
    by_namespace: dict[tuple[str, str], dict[str, Obj]] = field(default_factory=dict)
    revision: int = 1000
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Called with each Change after every put/remove: what watches stream.
    listeners: list[Callable[[Change], None]] = field(default_factory=list)
    history: deque[Change] = field(default_factory=deque)
    history_size: int = DEFAULT_HISTORY_SIZE
    history_seconds: float = DEFAULT_HISTORY_SECONDS
    compacted: int = 0
    monotonic: Callable[[], float] = time.monotonic
    # The last change's copy of each object: the next change's ``prev`` shares it (half the memory).
    _latest: dict[tuple[str, str, str], Obj] = field(default_factory=dict)

    def _snapshot(self, resource: str, current: Obj) -> Obj:
        """A copy of ``current`` as it is now: the history's last one when it is the same version."""
        meta = current["metadata"]
        known = self._latest.get((resource, meta.get("namespace", ""), meta["name"]))
        if known is not None and known["metadata"].get("resourceVersion") == meta.get(
            "resourceVersion"
        ):
            return known
        return copy.deepcopy(current)

    def _notify(self, event: str, resource: str, obj: Obj, prev: Obj | None = None) -> None:
        change = Change(self.revision, event, resource, copy.deepcopy(obj), prev, self.monotonic())
        key = (resource, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if event == "DELETED":
            self._latest.pop(key, None)
        else:
            self._latest[key] = change.obj
        self.history.append(change)
        self._trim()
        for listener in list(self.listeners):
            listener(change)

    def _trim(self) -> None:
        oldest = self.monotonic() - self.history_seconds
        while self.history and (
            len(self.history) > self.history_size or self.history[0].at < oldest
        ):
            self.compacted = self.history.popleft().revision

    def compact(self, revision: int | None = None) -> int:
        """Forget the changes up to ``revision`` (default: all of them), as etcd's compaction does;
        returns the compacted revision."""
        upto = self.revision if revision is None else min(revision, self.revision)
        while self.history and self.history[0].revision <= upto:
            self.history.popleft()
        self.compacted = max(self.compacted, upto)
        return self.compacted

    def changes_since(self, revision: int, resource: str, namespace: str | None) -> list[Change]:
        """The changes to ``resource`` after ``revision`` (which must not be older than ``compacted``)."""
        self._trim()
        return [c for c in self.history if c.revision > revision and c.resource == resource
                and (namespace is None or c.obj["metadata"].get("namespace", "") == namespace)]  # fmt: skip

    def list_at(self, resource: str, namespace: str | None, revision: int) -> list[Obj]:
        """The objects of ``resource`` as they were at ``revision``: today's, with every later change
        undone (``revision`` must be within the window)."""
        items = dict(self.by_resource.get(resource, {}))
        for change in reversed(self.history):
            if change.revision <= revision:
                break
            if change.resource != resource:
                continue
            meta = change.obj["metadata"]
            key = (meta.get("namespace", ""), meta["name"])
            if change.prev is None:
                items.pop(key, None)
            else:
                items[key] = change.prev
        return [items[key] for key in sorted(items) if namespace is None or key[0] == namespace]

    def _key(self, obj: Obj) -> tuple[ResourceType, tuple[str, str]]:
        rtype = self.registry.for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if rtype is None:
            raise ValueError(f"not a served kind: {obj.get('apiVersion')}/{obj.get('kind')}")
        meta = obj.setdefault("metadata", {})
        namespace = meta.get("namespace", "") if rtype.namespaced else ""
        if not rtype.namespaced:
            meta.pop("namespace", None)
        return rtype, (namespace, meta["name"])

    def add(self, obj: Obj) -> None:
        rtype, key = self._key(obj)
        self.revision += 1
        obj["metadata"].setdefault("resourceVersion", str(self.revision))
        self.by_resource.setdefault(rtype.plural, {})[key] = obj
        self.by_namespace.setdefault((rtype.plural, key[0]), {})[key[1]] = obj

    def put(self, obj: Obj) -> Obj:
        rtype, key = self._key(obj)
        meta = obj["metadata"]
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", format_time(self.now()))
        self.revision += 1
        meta["resourceVersion"] = str(self.revision)
        items = self.by_resource.setdefault(rtype.plural, {})
        prev = self._snapshot(rtype.plural, items[key]) if key in items else None
        items[key] = obj
        self.by_namespace.setdefault((rtype.plural, key[0]), {})[key[1]] = obj
        self._notify("ADDED" if prev is None else "MODIFIED", rtype.plural, obj, prev)
        return obj

    def remove(self, resource: str, namespace: str, name: str) -> Obj | None:
        removed = self.by_resource.get(resource, {}).pop((namespace, name), None)
        if removed is not None:
            self.by_namespace.get((resource, namespace), {}).pop(name, None)
            self.revision += 1
            gone = copy.deepcopy(removed)
            gone["metadata"]["resourceVersion"] = str(self.revision)
            self._notify("DELETED", resource, gone, self._snapshot(resource, removed))
        return removed

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self.by_resource.get(resource, {}).get((namespace, name))

    def list(self, resource: str, namespace: str | None = None) -> list[Obj]:
        if namespace is not None:
            named = self.by_namespace.get((resource, namespace), {})
            return [named[name] for name in sorted(named)]
        items = self.by_resource.get(resource, {})
        return [items[key] for key in sorted(items)]


def watch_event(change: Change, selected: Callable[[Obj], bool]) -> tuple[str, Obj] | None:
    """What a watch with selectors sees of ``change`` (the cacher's rules): an object entering the
    selection is ADDED, one leaving it is DELETED (its last selected state, at the new version),
    one outside it is not shown."""
    now_in = change.event != "DELETED" and selected(change.obj)
    was_in = change.prev is not None and selected(change.prev)
    if change.event == "DELETED":
        return ("DELETED", change.obj) if was_in or selected(change.obj) else None
    if now_in:
        return ("MODIFIED" if was_in else "ADDED", change.obj)
    if was_in and change.prev is not None:
        gone = copy.deepcopy(change.prev)
        gone["metadata"]["resourceVersion"] = str(change.revision)
        return "DELETED", gone
    return None


# ----------------------------------------------------------------------------------------------
# The emulator
# ----------------------------------------------------------------------------------------------


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KubeEmulator:
    DEFAULT_TOKEN = "podium-devkit-token"
    DEFAULT_USER = "system:serviceaccount:podium:podium"
    # A cluster-admin identity (group system:masters bypasses RBAC, as on a real cluster).
    ADMIN_TOKEN = "podium-devkit-admin-token"
    ADMIN_USER = "kubernetes-admin"

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]] = (),
        *,
        tokens: Mapping[str, str] | None = None,
        authorize: bool = True,
        now: Callable[[], datetime] | None = None,
        superusers: Iterable[str] = (ADMIN_USER,),
        history_size: int = DEFAULT_HISTORY_SIZE,
        history_seconds: float = DEFAULT_HISTORY_SECONDS,
        bookmark_interval: float = DEFAULT_BOOKMARK_INTERVAL,
        kubelet: kube_controllers.KubeletTimings | None = None,
    ) -> None:
        """``history_size``/``history_seconds``: the window of changes a watch can resume from
        (older resourceVersions get 410 Gone); ``bookmark_interval``: seconds between the BOOKMARK
        events of a watch that allows them (the API server sends one about every minute);
        ``kubelet``: move failing containers along over time (back-offs, restarts, pull retries)
        while the emulator runs; None (the default) keeps every pod as the controllers left it."""
        self._now = now or _utcnow
        self.bookmark_interval = bookmark_interval
        self.kubelet = kube_controllers.Kubelet(kubelet) if kubelet is not None else None
        self._kubelet_task: asyncio.Task[None] | None = None
        self.tokens: dict[str, str] = (
            dict(tokens)
            if tokens is not None
            else {self.DEFAULT_TOKEN: self.DEFAULT_USER, self.ADMIN_TOKEN: self.ADMIN_USER}
        )
        self.superusers = frozenset(superusers)
        self.authorize_requests = authorize
        self.registry = Registry()
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.ignored: list[Obj] = []  # seed documents of kinds the emulator does not serve
        self.url = ""  # plain http: the python client, raw HTTP in tests
        self.https_url = (
            ""  # the same server over TLS: what kubeconfigs point at (kubectl needs it)
        )
        self._runner: web.AppRunner | None = None

        api_objects, rbac_docs, log_docs = self._partition(objects)
        if authorize and not any(d.get("kind", "").endswith("Binding") for d in rbac_docs):
            log.warning(
                "KubeEmulator: authorize=True but no RBAC seeded: every resource request is forbidden"
            )
        seeded_roles = {
            d.get("metadata", {}).get("name") for d in rbac_docs if d.get("kind") == "ClusterRole"
        }
        for role in bootstrap_cluster_roles():
            if role["metadata"]["name"] not in seeded_roles:
                role["metadata"]["creationTimestamp"] = format_time(
                    self._now() - timedelta(days=3)
                )  # with the cluster
                rbac_docs.append(role)
        # RBAC objects are stored like any other (and ensure their namespaces), then decide.
        sandbox = materialize(
            api_objects + rbac_docs, log_docs, now=self._now(), registry=self.registry
        )
        self.logs: LogStore = sandbox.logs
        self.store = ObjectStore(
            self.registry, now=self._now, history_size=history_size, history_seconds=history_seconds
        )
        # Seeded objects have no history; any of their resourceVersions is a valid place to watch from.
        self.store.compacted = self.store.revision
        for obj in sandbox.objects:
            self.store.add(obj)
        self.authorizer = Authorizer()
        self._refresh_authorizer()
        # This emulator's own CA and server certificate, made now: no key lives in the source.
        self.tls = generate_loopback_tls()
        self.token_issuer = TokenIssuer(
            self.store, self.tokens, self._now, status_response, self.tls.ca_data()
        )

    @classmethod
    def from_paths(cls, *paths: str | Path, **kwargs: Any) -> KubeEmulator:
        return cls(load_documents(*paths), **kwargs)

    def _partition(
        self, objects: Iterable[Mapping[str, Any]]
    ) -> tuple[list[Obj], list[Obj], list[Obj]]:
        api_objects: list[Obj] = []
        rbac: list[Obj] = []
        logs: list[Obj] = []
        pending = [dict(o) for o in objects]
        while pending:
            doc = pending.pop(0)
            api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            if kind.endswith("List") and isinstance(doc.get("items"), list):
                pending[:0] = [dict(item) for item in doc.get("items") or ()]
            elif (api_version, kind) == (PODLOGS_API_VERSION, PODLOGS_KIND):
                logs.append(doc)
            elif api_version.startswith(RBAC_API_GROUP + "/") and kind in RBAC_KINDS:
                rbac.append(doc)
            elif (rtype := self.registry.for_kind(api_version, kind)) is not None and rtype.stored:
                api_objects.append(doc)
            else:
                log.warning("KubeEmulator: ignoring seed document %s/%s", api_version, kind)
                self.ignored.append(doc)
        return api_objects, rbac, logs

    # Convenience for tests ------------------------------------------------------------------------

    def objects(self, resource: str, namespace: str | None = None) -> list[Obj]:
        """Stored objects of ``resource`` (plural, e.g. ``pods``), optionally in one namespace."""
        return self.store.list(resource, namespace)

    def get_object(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self.store.get(resource, namespace, name)

    def inject_fault(
        self,
        status: int | None = 503,
        delay: float = 0.0,
        times: int | None = 1,
        path_contains: str | None = None,
        *,
        method: str | None = None,
        message: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (None: only delay them)."""
        fault = Fault(status, delay, times, path_contains, method, message)
        self.faults.append(fault)
        return fault

    def compact(self, revision: int | None = None) -> int:
        """Drop the watch history up to ``revision`` (default: everything so far), as etcd's
        compaction does: a watch or an exact list from an older resourceVersion then gets 410 Gone."""
        return self.store.compact(revision)

    def clear_faults(self) -> None:
        self.faults.clear()

    def clear_requests(self) -> None:
        self.requests.clear()

    def kubeconfig(
        self, namespace: str = "sandbox", token: str | None = None, *, tls: bool = True
    ) -> dict[str, Any]:
        """A kubeconfig for this emulator. ``tls=False`` points at the plain http listener, which
        the python client accepts but kubectl does not (it never sends tokens over http)."""
        if not self.url:
            raise RuntimeError("start the emulator before asking for a kubeconfig")
        cluster: dict[str, Any] = {"server": self.url}
        if tls:
            cluster = {"server": self.https_url, "certificate-authority-data": self.tls.ca_data()}
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "podium-devkit", "cluster": cluster}],
            "users": [{"name": "podium", "user": {"token": token or self.DEFAULT_TOKEN}}],
            "contexts": [
                {
                    "name": "podium-devkit",
                    "context": {
                        "cluster": "podium-devkit",
                        "user": "podium",
                        "namespace": namespace,
                    },
                }
            ],
            "current-context": "podium-devkit",
            "preferences": {},
        }

    def write_kubeconfig(
        self,
        path: str | Path,
        namespace: str = "sandbox",
        token: str | None = None,
        *,
        tls: bool = True,
    ) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        config = self.kubeconfig(namespace, token, tls=tls)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)
        return path

    # Lifecycle ------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0, tls_port: int = 0) -> str:
        """Listen on ``port`` (http) and ``tls_port`` (https), 0 = random; return the http URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Short grace period: a handler sleeping in an injected delay must not hold up stop().
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.25)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        await web.TCPSite(
            self._runner, host, tls_port, ssl_context=self.tls.server_ssl_context()
        ).start()
        (http_host, http_port), (tls_host, bound_tls_port) = (a[:2] for a in self._runner.addresses)
        self.url = f"http://{_url_host(http_host)}:{http_port}"
        self.https_url = f"https://{_url_host(tls_host)}:{bound_tls_port}"
        if self.kubelet is not None:
            self._kubelet_task = asyncio.create_task(self._run_kubelet(self.kubelet))
        return self.url

    async def _run_kubelet(self, kubelet: kube_controllers.Kubelet) -> None:
        """In the background, as on a cluster: status changes reach watchers without anyone asking."""
        while True:
            await asyncio.sleep(kubelet.timings.tick)
            self.advance_kubelet(kubelet)

    def advance_kubelet(self, kubelet: kube_controllers.Kubelet) -> None:
        """One look of the kubelet at every pod, then the controllers catch up where it changed one
        (readiness moves Endpoints and Deployment status)."""
        try:
            for namespace in sorted(kubelet.advance(self.store, self.logs, self._now())):
                kube_controllers.reconcile(
                    self.store, self.logs, namespace, self._now(), kubelet.timings
                )
        except Exception:  # the kubelet runs apart from the API server: it tries again next tick
            log.exception("KubeEmulator: the kubelet's pass failed")

    async def stop(self) -> None:
        if self._kubelet_task is not None:
            self._kubelet_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._kubelet_task
            self._kubelet_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # Request handling -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        info = parse_request_info(request.method, request.path, query)
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=query,
            verb=info.verb,
            namespace=info.namespace,
            resource=info.resource,
            subresource=info.subresource,
            name=info.name,
            api_group=info.api_group,
        )
        self.requests.append(record)
        try:
            response = await self._respond(request, info, query, record)
        except Exception as exc:
            log.exception("KubeEmulator: internal error on %s %s", request.method, request.path)
            response = status_response(500, f"Internal error occurred: {exc}")
        record.status = response.status
        return response

    async def _respond(
        self,
        request: web.Request,
        info: RequestInfo,
        query: Mapping[str, str],
        record: RecordedRequest,
    ) -> web.StreamResponse:
        for fault in self.faults:
            if fault.applies(request.method, request.path_qs):
                fault.hits += 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    message = fault.message or FAULT_MESSAGES.get(fault.status, "injected fault")
                    headers = {"Retry-After": "1"} if fault.status in (429, 503) else None
                    return status_response(fault.status, message, headers=headers)
                break

        user = self._authenticate(request)
        if user is None:
            if not info.resource_request and info.path in PUBLIC_PATHS:
                return self._non_resource(request, info)
            return status_response(401, "Unauthorized")
        impersonated = self._impersonate(request, user)
        if isinstance(impersonated, web.Response):
            return impersonated
        user = impersonated
        record.user = user.name

        attributes = Attributes(
            user=user,
            verb=info.verb,
            resource_request=info.resource_request,
            namespace=info.namespace,
            api_group=info.api_group,
            api_version=info.api_version,
            resource=info.resource,
            subresource=info.subresource,
            name=info.name,
            path=info.path,
        )
        decision = self._decide(attributes)
        if not decision.allowed:
            rtype = self.registry.lookup(info.api_group, info.api_version, info.resource)
            qualified = (
                rtype.qualified
                if rtype
                else (f"{info.resource}.{info.api_group}" if info.api_group else info.resource)
            )
            details = (
                _resource_details(rtype, info.resource, info.name)
                if info.resource_request
                else None
            )
            return status_response(403, forbidden_message(attributes, qualified), details=details)

        accept = request.headers.get("Accept", "")
        if (
            info.api_prefix
            and info.subresource != "log"
            and not _accepts_plain_json(accept)
            and not (info.resource_request and kube_tables.wants_table(accept))
        ):  # a Table-only client
            # Only reached by clients that refuse plain JSON (e.g. aggregated discovery without fallback).
            return status_response(
                406,
                "only the following media types are accepted: application/json, application/yaml",
            )
        if not info.resource_request:
            return self._non_resource(request, info)
        response = await self._resource(request, info, query, user)
        if (info.api_group, info.resource) == ("", "endpoints") and not response.prepared:
            # Like the 1.33+ API server; kubectl prints it as "Warning: ...".
            response.headers["Warning"] = (
                '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"'
            )
        return response

    def _authenticate(self, request: web.Request) -> UserInfo | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        name = self.tokens.get(token.strip())
        if name is None or not self.token_issuer.valid(token.strip()):
            return None
        return UserInfo.for_name(name, ("system:masters",) if name in self.superusers else ())

    def _impersonate(self, request: web.Request, user: UserInfo) -> UserInfo | web.Response:
        """``Impersonate-User``/``-Group`` (kubectl ``--as``/``--as-group``): allowed by the verb
        ``impersonate`` on users, groups or serviceaccounts, then the request is the other user's."""
        target = request.headers.get("Impersonate-User", "")
        groups = request.headers.getall("Impersonate-Group", [])
        if not target and not groups:
            return user
        if not target:
            return status_response(
                500, "Internal error occurred: requested impersonation of groups without a user"
            )
        checks: list[Attributes] = []
        parts = target.split(":")
        if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"]:
            checks.append(
                Attributes(
                    user,
                    "impersonate",
                    namespace=parts[2],
                    resource="serviceaccounts",
                    name=parts[3],
                )
            )
        else:
            checks.append(Attributes(user, "impersonate", resource="users", name=target))
        checks += [
            Attributes(user, "impersonate", resource="groups", name=group) for group in groups
        ]
        for attributes in checks:
            if not self._decide(attributes).allowed:
                qualified = attributes.resource
                return status_response(403, forbidden_message(attributes, qualified),
                                       details=_resource_details(None, attributes.resource, attributes.name))  # fmt: skip
        return UserInfo.for_name(target, groups)

    def _decide(self, attributes: Attributes) -> Decision:
        if not self.authorize_requests:
            return Decision(True, "")
        return self.authorizer.authorize(attributes)

    # Discovery and other non-resource paths -------------------------------------------------------

    def _non_resource(self, request: web.Request, info: RequestInfo) -> web.Response:
        path = "/" + info.path.strip("/")
        if request.method not in ("GET", "HEAD"):
            return status_response(
                405, "the server does not allow this method on the requested resource", details={}
            )
        if path == "/version":
            major, minor = K8S_VERSION.lstrip("v").split(".")[:2]
            return _json({
                "major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
                "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1),
                "gitVersion": K8S_VERSION, "gitCommit": "4f0a6f2c1d6a7e8b9c0d1e2f3a4b5c6d7e8f9a0b",
                "gitTreeState": "clean", "buildDate": "2026-01-15T10:00:00Z", "goVersion": "go1.25.5",
                "compiler": "gc", "platform": "linux/amd64",
            })  # fmt: skip
        if path in ("/healthz", "/livez", "/readyz"):
            return web.Response(text="ok", content_type="text/plain")
        if path == "/api":
            return _json(self.registry.api_versions(request.host))
        if path == "/api/v1":
            return _json(self.registry.api_resource_list("", "v1"))
        if path == "/apis":
            return _json(self.registry.api_group_list())
        parts = path.strip("/").split("/")
        if (
            parts[0] == "apis"
            and len(parts) == 2
            and any(g == parts[1] for g, _ in self.registry.group_versions())
        ):
            return _json(self.registry.api_group(parts[1]))
        if (
            parts[0] == "apis"
            and len(parts) == 3
            and self.registry.has_group_version(parts[1], parts[2])
        ):
            return _json(self.registry.api_resource_list(parts[1], parts[2]))
        if path == "/openapi/v3":
            return _json(self._openapi_root())
        if path.startswith("/openapi/v3/"):
            document = self._openapi_group_version(path.removeprefix("/openapi/v3/"))
            if document is not None:
                return _json(document)
        # No OpenAPI v2 and no schemas: kubectl computes patches from its built-in types then.
        return status_response(404, "the server could not find the requested resource", details={})

    # OpenAPI v3: what kubectl's validation needs to know the server validates fields itself -----------

    def _openapi_root(self) -> Obj:
        paths = {
            "api/v1": {
                "serverRelativeURL": f"/openapi/v3/api/v1?hash={self._openapi_hash('', 'v1')}"
            }
        }
        for group, version in self.registry.group_versions():
            paths[f"apis/{group}/{version}"] = {
                "serverRelativeURL": f"/openapi/v3/apis/{group}/{version}?hash={self._openapi_hash(group, version)}"
            }
        return {"paths": paths}

    @staticmethod
    def _openapi_hash(group: str, version: str) -> str:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{K8S_VERSION}/{group}/{version}").hex.upper()

    def _openapi_group_version(self, tail: str) -> Obj | None:
        """Paths only (no schemas): each PATCH names its kind and the ``fieldValidation`` parameter,
        which is how kubectl decides that ``--validate=strict`` is the server's job."""
        parts = tail.strip("/").split("/")
        if parts == ["api", "v1"]:
            group, version = "", "v1"
        elif (
            len(parts) == 3
            and parts[0] == "apis"
            and self.registry.has_group_version(parts[1], parts[2])
        ):
            group, version = parts[1], parts[2]
        else:
            return None
        prefix = f"/apis/{group}/{version}" if group else "/api/v1"
        paths: Obj = {}
        for r in self.registry.resources:
            if (r.group, r.version) != (group, version) or not r.stored:
                continue
            gvk = {"group": group, "version": version, "kind": r.kind}
            parameters = [{"name": p, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                          for p in ("dryRun", "fieldManager", "fieldValidation")]  # fmt: skip
            content = {media: {"schema": {"type": "object"}} for media in (
                "application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json", "application/apply-patch+yaml")}  # fmt: skip
            item = (
                f"{prefix}/namespaces/{{namespace}}/{r.plural}/{{name}}"
                if r.namespaced
                else f"{prefix}/{r.plural}/{{name}}"
            )
            collection = item.rsplit("/", 1)[0]
            paths[item] = {
                "get": {"operationId": f"read{r.kind}", "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk},
                "put": {"operationId": f"replace{r.kind}", "x-kubernetes-action": "put",
                        "x-kubernetes-group-version-kind": gvk, "parameters": parameters},
                "patch": {"operationId": f"patch{r.kind}", "x-kubernetes-action": "patch",
                          "x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                          "requestBody": {"content": content, "required": True}},
                "delete": {"operationId": f"delete{r.kind}", "x-kubernetes-action": "delete",
                           "x-kubernetes-group-version-kind": gvk},
            }  # fmt: skip
            paths[collection] = {
                "post": {"operationId": f"create{r.kind}", "x-kubernetes-action": "post",
                         "x-kubernetes-group-version-kind": gvk, "parameters": parameters},
                "get": {"operationId": f"list{r.kind}", "x-kubernetes-action": "list",
                        "x-kubernetes-group-version-kind": gvk},
            }  # fmt: skip
        return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": K8S_VERSION},
                "paths": paths, "components": {"schemas": {}}}  # fmt: skip

    # Resources ------------------------------------------------------------------------------------

    async def _resource(
        self, request: web.Request, info: RequestInfo, query: Mapping[str, str], user: UserInfo
    ) -> web.StreamResponse:
        rtype = self.registry.lookup(info.api_group, info.api_version, info.resource)
        not_served = status_response(
            404, "the server could not find the requested resource", details={}
        )
        if rtype is None:
            return not_served
        if not info.api_group:  # TokenRequest (kube_tokens)
            issued = await self.token_issuer.handle(
                request, info.namespace, info.resource, info.subresource, info.name
            )
            if issued is not None:
                return issued
        if not rtype.stored:
            if request.method == "POST" and not info.name:
                return await self._review(request, rtype, user)
            return status_response(
                405, "the server does not allow this method on the requested resource", details={}
            )
        # Namespaced kinds by name need a namespace; cluster-scoped kinds must not have one
        # (except namespaces themselves, whose name doubles as the namespace).
        if rtype.namespaced and info.name and not info.namespace:
            return not_served
        if not rtype.namespaced and info.namespace and rtype.plural != "namespaces":
            return not_served
        if info.subresource and rtype.subresource(info.subresource) is None:
            return not_served
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return await self._write(request, rtype, info, query)
        if request.method not in ("GET", "HEAD"):
            return status_response(
                405, "the server does not allow this method on the requested resource", details={}
            )
        namespace = info.namespace if rtype.namespaced else ""
        if not info.name:
            return await self._list(
                request, rtype, info.namespace or None, query, watch=info.verb == "watch"
            )
        obj = self.store.get(rtype.plural, namespace, info.name)
        if obj is None:
            return status_response(
                404,
                f'{rtype.qualified} "{info.name}" not found',
                details=_resource_details(rtype, info.resource, info.name),
            )
        if info.subresource == "log":
            return self._pod_log(obj, query)
        if info.subresource == "scale":
            return _json(self._scale(obj))
        if not info.subresource and kube_tables.wants_table(request.headers.get("Accept", "")):
            return self._table(
                rtype, [obj], query, {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            )
        return _json(obj)

    async def _list(
        self,
        request: web.Request,
        rtype: ResourceType,
        namespace: str | None,
        query: Mapping[str, str],
        *,
        watch: bool,
    ) -> web.StreamResponse:
        try:
            labels = parse_label_selector(query.get("labelSelector"))
            fields = compile_field_selector(rtype.plural, query.get("fieldSelector"))
        except SelectorError as exc:
            return status_response(400, str(exc))

        def selected(obj: Obj) -> bool:
            return bool(labels.matches(obj["metadata"].get("labels"))) and fields(obj)

        if watch:
            return await self._watch(request, rtype, namespace, query, selected)
        at = self._list_revision(query)
        if isinstance(at, web.Response):
            return at
        source = (
            self.store.list(rtype.plural, namespace)
            if at is None
            else self.store.list_at(rtype.plural, namespace, at)
        )
        items = [o for o in source if selected(o)]
        metadata: Obj = {"resourceVersion": str(self.store.revision if at is None else at)}
        try:
            start = (
                int(base64.urlsafe_b64decode(query["continue"]).decode())
                if query.get("continue")
                else 0
            )
            limit = int(query["limit"]) if query.get("limit") else 0
        except ValueError:
            return status_response(400, "invalid continue or limit parameter")
        if limit > 0 and len(items) - start > limit:
            metadata["continue"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
            page = items[start : start + limit]
        else:
            page = items[start:]
        # Real list items carry no kind/apiVersion: only the list does.
        body_items = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in page]
        if kube_tables.wants_table(
            request.headers.get("Accept", "")
        ):  # kubectl get: server-side printing
            return self._table(rtype, body_items, query, metadata)
        return _json(
            {
                "kind": rtype.list_kind,
                "apiVersion": rtype.api_version,
                "metadata": metadata,
                "items": body_items,
            }
        )

    def _list_revision(self, query: Mapping[str, str]) -> int | web.Response | None:
        """Which revision a list serves (None: the latest), after the API server's rules: no or
        "0" resourceVersion, or ``resourceVersionMatch=NotOlderThan``: the latest state; a version
        newer than the store is "Too large"; ``resourceVersionMatch=Exact``: the state at that
        version, 410 Gone once it was compacted away."""
        version, match = query.get("resourceVersion", ""), query.get("resourceVersionMatch", "")
        if match and match not in ("Exact", "NotOlderThan"):
            return status_response(
                400,
                f'resourceVersionMatch: Unsupported value: "{match}": supported values: '
                '"Exact", "NotOlderThan"',
                reason="BadRequest",
            )
        if match and not version:
            return status_response(
                400,
                "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                "resourceVersion is provided",
                reason="BadRequest",
            )
        if version in ("", "0") and match != "Exact":
            return None
        if not version.isdigit():
            return status_response(
                400,
                f'resourceVersion: Invalid value: "{version}": invalid resource version',
                reason="BadRequest",
            )
        wanted = int(version)
        if wanted > self.store.revision:
            return status_response(504, f"Too large resource version: {wanted}, current: {self.store.revision}",
                                   reason="Timeout", details={"causes": [{"reason": "ResourceVersionTooLarge",
                                                                          "message": "Too large resource version"}],
                                                              "retryAfterSeconds": 1})  # fmt: skip
        if match != "Exact":
            return None
        if wanted < self.store.compacted:
            return status_response(
                410, "The resourceVersion for the provided list is too old.", reason="Expired"
            )
        return wanted

    def _table(
        self, rtype: ResourceType, objects: list[Obj], query: Mapping[str, str], metadata: Obj
    ) -> web.Response:
        include = query.get("includeObject") or "Metadata"
        if include not in ("Metadata", "Object", "None"):
            return status_response(400, f'unrecognized includeObject value: "{include}"')
        body = kube_tables.server_table(
            rtype.plural,
            objects,
            self._now(),
            include_object=include,
            kind=rtype.kind,
            api_version=rtype.api_version,
            list_metadata=metadata,
        )
        return _json(body, headers={"Content-Type": kube_tables.TABLE_MEDIA_TYPE})

    async def _watch(
        self,
        request: web.Request,
        rtype: ResourceType,
        namespace: str | None,
        query: Mapping[str, str],
        selected: Callable[[Obj], bool],
    ) -> web.StreamResponse:
        """A watch as the API server's watch cache serves it: with no or "0" ``resourceVersion`` (or
        ``sendInitialEvents``) every selected object as ADDED first; with a version, every change
        after it from the history window (an ERROR event with a 410 Gone Status when it is older
        than the window). Then every change until ``timeoutSeconds`` or the client goes away, with
        BOOKMARK events every ``bookmark_interval`` and before the timeout closes the stream when
        ``allowWatchBookmarks`` is set. An object that stops matching the selectors is DELETED."""
        as_table, include = (
            kube_tables.wants_table(request.headers.get("Accept", "")),
            query.get("includeObject") or "Metadata",
        )
        if as_table and include not in ("Metadata", "Object", "None"):
            return status_response(400, f'unrecognized includeObject value: "{include}"')
        initial = query.get("sendInitialEvents", "").lower() == "true"
        bookmarks = query.get("allowWatchBookmarks", "").lower() in ("1", "true")
        since = query.get("resourceVersion", "")
        if since not in ("", "0") and not since.isdigit():
            return status_response(
                400,
                f'resourceVersion: Invalid value: "{since}": invalid resource version',
                reason="BadRequest",
            )
        try:
            timeout = float(query.get("timeoutSeconds") or 1800)
        except ValueError:
            timeout = 1800.0
        queue: asyncio.Queue[Change] = asyncio.Queue()

        def listen(change: Change) -> None:
            if change.resource == rtype.plural and (
                namespace is None or change.obj["metadata"].get("namespace", "") == namespace
            ):
                queue.put_nowait(change)

        # Listening starts before the current state or the history is read (no await in between),
        # so nothing falls between what is replayed and what streams live.
        self.store.listeners.append(listen)
        expired = False
        initial_items: list[Obj] = []
        if since in ("", "0") or initial:
            initial_items = [
                copy.deepcopy(o) for o in self.store.list(rtype.plural, namespace) if selected(o)
            ]
        elif int(since) < self.store.compacted:
            expired = True
        else:
            for change in self.store.changes_since(int(since), rtype.plural, namespace):
                queue.put_nowait(change)
        deadline = asyncio.get_running_loop().time() + timeout
        headed: list[
            bool
        ] = []  # kubectl get -w: Table events, column definitions on the first only
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        try:
            await response.prepare(request)

            async def send(event: str, obj: Obj) -> None:
                if as_table and event != "ERROR":
                    obj = kube_tables.watch_table(
                        rtype.plural,
                        obj,
                        self._now(),
                        headers=not headed,
                        bookmark=event == "BOOKMARK",
                        include_object=include,
                        kind=rtype.kind,
                        api_version=rtype.api_version,
                    )
                    if event != "BOOKMARK":
                        headed.append(True)
                await response.write(
                    json.dumps({"type": event, "object": obj}, separators=(",", ":")).encode()
                    + b"\n"
                )

            def bookmark(revision: int, annotations: Obj | None = None) -> Obj:
                meta: Obj = {"resourceVersion": str(revision)}
                if annotations:
                    meta["annotations"] = annotations
                return {"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": meta}

            if expired:
                # The watch cache answers in the stream (HTTP 200), as client-go and the python
                # client expect: they re-list on this 410.
                oldest = (
                    self.store.history[0].revision
                    if self.store.history
                    else self.store.revision + 1
                )
                await send(
                    "ERROR",
                    status_body(
                        410, f"too old resource version: {since} ({oldest - 1})", "Expired"
                    ),
                )
                await response.write_eof()
                return response
            for obj in initial_items:
                await send("ADDED", obj)
            if initial:
                # A streaming list (client-go's WatchList, kubectl rollout status/wait): the initial
                # events end with this bookmark, or the client never considers itself synced.
                await send(
                    "BOOKMARK", bookmark(self.store.revision, {"k8s.io/initial-events-end": "true"})
                )
            loop = asyncio.get_running_loop()
            sent_up_to = self.store.revision if not since.isdigit() or initial else int(since)
            next_bookmark = loop.time() + self.bookmark_interval
            while (remaining := deadline - loop.time()) > 0:
                transport = request.transport
                if transport is None or transport.is_closing():
                    break
                wait = min(
                    remaining, 0.5, max(next_bookmark - loop.time(), 0.0) if bookmarks else 0.5
                )
                try:
                    change = await asyncio.wait_for(queue.get(), wait)
                except TimeoutError:
                    if bookmarks and loop.time() >= next_bookmark:
                        # Nothing is queued: every change up to the store's revision has been seen.
                        sent_up_to = self.store.revision
                        await send("BOOKMARK", bookmark(sent_up_to))
                        next_bookmark = loop.time() + self.bookmark_interval
                    continue
                sent_up_to = change.revision
                shown = watch_event(change, selected)
                if shown is not None:
                    await send(*shown)
            if (
                bookmarks
                and (transport := request.transport) is not None
                and not transport.is_closing()
            ):
                # The cacher bookmarks a watch right before its timeout, so the client resumes from there.
                await send(
                    "BOOKMARK", bookmark(self.store.revision if queue.empty() else sent_up_to)
                )
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client went away
        finally:
            self.store.listeners.remove(listen)
        return response

    def _scale(self, obj: Obj) -> Obj:
        meta = obj["metadata"]
        status = obj.get("status") or {}
        selector = ",".join(
            f"{k}={v}"
            for k, v in sorted(
                ((obj["spec"].get("selector") or {}).get("matchLabels") or {}).items()
            )
        )
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in meta
            },
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": status.get("replicas", 0), "selector": selector},
        }

    # Writes ---------------------------------------------------------------------------------------

    async def _write(
        self, request: web.Request, rtype: ResourceType, info: RequestInfo, query: Mapping[str, str]
    ) -> web.Response:
        """POST/PUT/PATCH/DELETE: authorized already; the API server's answers (``kube_writes``)."""
        not_allowed = status_response(
            405, "the server does not allow this method on the requested resource", details={}
        )
        method, sub = request.method, info.subresource
        if (
            sub not in ("", "status", "scale")
            or (method == "POST" and info.name)
            or (method in ("PUT", "PATCH") and not info.name)
        ):
            return not_allowed
        if method == "DELETE" and sub:
            return not_allowed
        if rtype.namespaced and not info.namespace:  # /api/v1/pods: list and watch only
            return not_allowed
        namespace = info.namespace if rtype.namespaced else ""
        dry_run = bool(query.get("dryRun"))
        try:
            if method == "DELETE":
                body = await self._read_body(request, allow_empty=True)
                if not info.name:
                    return self._delete_collection(rtype, namespace, query, dry_run)
                return self._delete(
                    rtype, namespace, info.name, {**body, **self._delete_query(query)}, dry_run
                )
            if method == "POST":
                return self._create(
                    rtype, namespace, await self._read_body(request), query, dry_run
                )
            if method == "PATCH":
                self._check_patch_type(request.content_type)
            existing = self.store.get(rtype.plural, namespace, info.name)
            if existing is None:
                raise writes.ApiError(404, f'{rtype.qualified} "{info.name}" not found', "NotFound",
                                      _resource_details(rtype, info.resource, info.name))  # fmt: skip
            if sub == "scale":
                scale = await self._read_body(request) if method == "PUT" else await self._patched(
                    request, self._scale(existing), "Scale")  # fmt: skip
                return self._write_scale(rtype, existing, scale, dry_run)
            if method == "PUT":
                new = await self._read_body(request)
            else:
                new = await self._patched(request, existing, rtype.kind)
            if sub == "status":
                # Only the status changes through /status; everything else stays as stored.
                new = {**copy.deepcopy(existing), "status": new.get("status"),
                       "metadata": {**existing["metadata"], "resourceVersion": (new.get("metadata") or {}).get(
                           "resourceVersion", existing["metadata"]["resourceVersion"])}}  # fmt: skip
            return self._update(rtype, existing, new, query, dry_run, status_only=sub == "status")
        except writes.ApiError as exc:
            return status_response(exc.code, exc.message, exc.reason, exc.details)

    @staticmethod
    async def _read_body(request: web.Request, *, allow_empty: bool = False) -> Obj:
        raw = await request.read()
        if not raw.strip() and allow_empty:
            return {}
        try:
            if request.content_type == PROTOBUF_MEDIA_TYPE:
                body = decode_object(raw)
            else:
                body = yaml.safe_load(raw) if "yaml" in request.content_type else json.loads(raw)
        except ProtobufError as exc:
            raise writes.ApiError(415, f"the body of the request was in an unknown format - accepted media types "
                                  f"include: application/json, application/yaml ({exc})",
                                  "UnsupportedMediaType") from None  # fmt: skip
        except (ValueError, yaml.YAMLError) as exc:
            raise writes.ApiError(
                400, f"the body of the request was in an unknown format: {exc}", "BadRequest"
            ) from None
        if not isinstance(body, dict):
            raise writes.ApiError(400, "the body of the request was in an unknown format - accepted media types "
                                  "include: application/json, application/yaml", "BadRequest")  # fmt: skip
        return body

    @staticmethod
    def _check_patch_type(media: str) -> None:
        if media == "application/apply-patch+yaml":
            # Server-side apply is not emulated; kubectl's default (client-side apply) is.
            raise writes.ApiError(415, "the emulator does not implement server-side apply "
                                  "(application/apply-patch+yaml): use `kubectl apply` without --server-side",
                                  "UnsupportedMediaType")  # fmt: skip
        if media not in ("application/strategic-merge-patch+json", "application/merge-patch+json",
                         "application/json-patch+json"):  # fmt: skip
            raise writes.ApiError(415, "the body of the request was in an unknown format - accepted media types "
                                  "include: application/json-patch+json, application/merge-patch+json, "
                                  "application/apply-patch+yaml, application/strategic-merge-patch+json",
                                  "UnsupportedMediaType")  # fmt: skip

    async def _patched(self, request: web.Request, current: Obj, kind: str) -> Obj:
        media = request.content_type
        self._check_patch_type(media)
        raw = await request.read()
        try:
            patch = json.loads(raw)
        except ValueError as exc:
            raise writes.ApiError(400, f"error decoding patch: {exc}", "BadRequest") from None
        if media == "application/json-patch+json":
            result = writes.json_patch(current, patch)
        elif media == "application/merge-patch+json":
            result = writes.merge_patch(current, patch)
        else:
            if kind == "Scale" or not isinstance(patch, dict):
                result = writes.merge_patch(current, patch)
            else:
                result = writes.strategic_merge_patch(current, patch, kind)
        if not isinstance(result, dict):
            raise writes.ApiError(400, "the patch did not result in an object", "BadRequest")
        return result

    def _check_fields(
        self, obj: Obj, rtype: ResourceType, query: Mapping[str, str], *, creating: bool
    ) -> tuple[Obj, list[str]]:
        """Unknown fields: dropped with a warning, or refused (``fieldValidation=Strict``)."""
        pruned, unknown = writes.prune_unknown(obj, rtype.kind)
        mode = query.get("fieldValidation", "Warn")
        if mode not in ("Strict", "Warn", "Ignore", ""):
            raise writes.ApiError(
                400, f'fieldValidation parameter unsupported: "{mode}"', "BadRequest"
            )
        if unknown and mode == "Strict":
            message = writes.strict_decoding_error(unknown)
            if creating:
                message = f'{rtype.kind} in version "{rtype.version}" cannot be handled as a {rtype.kind}: {message}'
            raise writes.ApiError(400, message, "BadRequest")
        warnings = [f'unknown field "{u}"' for u in unknown] if mode in ("Warn", "") else []
        return pruned, warnings

    def _check_type(self, obj: Obj, rtype: ResourceType) -> None:
        api_version, kind = obj.get("apiVersion", rtype.api_version), obj.get("kind", rtype.kind)
        if (api_version, kind) != (rtype.api_version, rtype.kind):
            raise writes.ApiError(400, f"the API version in the data ({api_version}) does not match the expected API "
                                  f"version ({rtype.api_version})" if api_version != rtype.api_version else
                                  f"the kind in the data ({kind}) does not match the expected kind ({rtype.kind})",
                                  "BadRequest")  # fmt: skip
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind

    def _check_namespace(self, obj: Obj, rtype: ResourceType, namespace: str) -> None:
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise writes.ApiError(400, "metadata must be an object", "BadRequest")
        if not rtype.namespaced:
            meta.pop("namespace", None)
            return
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise writes.ApiError(400, "the namespace of the provided object does not match the namespace sent on "
                                  "the request", "BadRequest")  # fmt: skip
        meta["namespace"] = namespace

    def _create(
        self,
        rtype: ResourceType,
        namespace: str,
        body: Obj,
        query: Mapping[str, str],
        dry_run: bool,
    ) -> web.Response:
        obj = copy.deepcopy(body)
        self._check_type(obj, rtype)
        self._check_namespace(obj, rtype, namespace)
        if rtype.namespaced:
            ns = self.store.get("namespaces", "", namespace)
            if ns is None:
                raise writes.ApiError(404, f'namespaces "{namespace}" not found', "NotFound",
                                      {"name": namespace, "kind": "namespaces"})  # fmt: skip
            if (ns.get("status") or {}).get("phase") == "Terminating":
                raise writes.ApiError(403, f"{rtype.kind.lower()}s \"{obj['metadata'].get('name', '')}\" is forbidden: "
                                      f"unable to create new content in namespace {namespace} because it is being "
                                      f"terminated", "Forbidden", _resource_details(rtype, rtype.plural))  # fmt: skip
        obj, warnings = self._check_fields(obj, rtype, query, creating=True)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            taken = [
                o["metadata"]["name"]
                for o in self.store.list(rtype.plural, namespace if rtype.namespaced else None)
            ]
            meta["name"] = writes.generated_name(
                meta["generateName"], taken, f"{self.store.revision}"
            )
        for key in ("uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
                    "managedFields"):  # fmt: skip
            meta.pop(key, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = format_time(self._now())
        if rtype.kind in writes.GENERATION_KINDS:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        if rtype.kind in writes.STATUS_KINDS:
            obj.pop("status", None)
        if rtype.kind == "Pod":
            self._admit_pod(obj, namespace)
        writes.apply_defaults(obj, rtype.kind, creating=True, used_cluster_ips=self._cluster_ips())
        if rtype.kind == "Pod":
            obj["status"] = {
                "phase": "Pending",
                "qosClass": Materializer._qos_class(obj.get("spec") or {}),
            }
        elif rtype.kind in ("Deployment", "ReplicaSet", "Job"):
            obj["status"] = {}  # the controllers fill it in
        elif rtype.kind == "Service":
            obj["status"] = {"loadBalancer": {}}
        errors = writes.validate(obj, rtype.kind)
        if errors:
            raise writes.invalid(rtype.kind, rtype.group, meta.get("name", ""), errors)
        if rtype.kind == "Pod":
            self._check_quota(obj, namespace)
        if self.store.get(rtype.plural, namespace, meta["name"]) is not None:
            raise writes.ApiError(409, f'{rtype.qualified} "{meta["name"]}" already exists', "AlreadyExists",
                                  _resource_details(rtype, rtype.plural, meta["name"]))  # fmt: skip
        if not dry_run:
            self.store.put(obj)
            self._after_write(rtype, namespace, obj)
        return self._written(obj, 201, warnings)

    def _admit_pod(self, pod: Obj, namespace: str) -> None:
        """Mutating admission for a new pod: LimitRange defaults (LimitRanger); its ServiceAccount
        must exist (ServiceAccount plugin). ResourceQuota comes after validation (``_check_quota``)."""
        pod.setdefault("spec", {})
        writes.apply_limit_ranges(pod, self.store.list("limitranges", namespace))
        spec = pod.get("spec") or {}
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        if self.store.get("serviceaccounts", namespace, account) is None:
            name = pod["metadata"].get("name") or pod["metadata"].get("generateName", "")
            raise writes.ApiError(403, f'pods "{name}" is forbidden: error looking up service account '
                                  f'{namespace}/{account}: serviceaccount "{account}" not found', "Forbidden",
                                  {"name": name, "kind": "pods"})  # fmt: skip

    def _check_quota(self, pod: Obj, namespace: str) -> None:
        """The ResourceQuota admission plugin (validating: after the pod was found valid)."""
        name = pod["metadata"].get("name", "")
        try:
            refusal = writes.quota_refusal(pod, self.store.list("resourcequotas", namespace),
                                           self.store.list("pods", namespace))  # fmt: skip
        except ValueError as exc:
            raise writes.ApiError(400, str(exc), "BadRequest") from None
        if refusal:
            raise writes.ApiError(
                403,
                f'pods "{name}" is forbidden: {refusal}',
                "Forbidden",
                {"name": name, "kind": "pods"},
            )

    def _cluster_ips(self) -> list[str]:
        return [(s.get("spec") or {}).get("clusterIP", "") for s in self.store.list("services")]

    def _update(self, rtype: ResourceType, existing: Obj, body: Obj, query: Mapping[str, str], dry_run: bool,
                *, status_only: bool = False) -> web.Response:  # fmt: skip
        obj = copy.deepcopy(body)
        self._check_type(obj, rtype)
        old_meta = existing["metadata"]
        namespace = old_meta.get("namespace", "")
        self._check_namespace(obj, rtype, namespace)
        meta = obj["metadata"]
        if meta.get("name", old_meta["name"]) != old_meta["name"]:
            raise writes.ApiError(400, f"the name of the object ({meta.get('name')}) does not match the name on the "
                                  f"URL ({old_meta['name']})", "BadRequest")  # fmt: skip
        meta["name"] = old_meta["name"]
        sent_version = meta.get("resourceVersion")
        if sent_version and sent_version != old_meta.get("resourceVersion"):
            raise writes.ApiError(409, f'Operation cannot be fulfilled on {rtype.qualified} "{old_meta["name"]}": the '
                                  "object has been modified; please apply your changes to the latest version and try "
                                  "again", "Conflict", _resource_details(rtype, rtype.plural, old_meta["name"]))  # fmt: skip
        obj, warnings = self._check_fields(obj, rtype, query, creating=False)
        meta = obj["metadata"]
        for key in (
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "resourceVersion",
        ):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        if rtype.kind in writes.STATUS_KINDS and not status_only:
            if "status" in existing:
                obj["status"] = copy.deepcopy(existing["status"])
            else:
                obj.pop("status", None)
        writes.apply_defaults(obj, rtype.kind, creating=False, used_cluster_ips=self._cluster_ips())
        errors = writes.validate(obj, rtype.kind) + writes.immutable_errors(
            existing, obj, rtype.kind
        )
        if errors:
            raise writes.invalid(rtype.kind, rtype.group, old_meta["name"], errors)
        if obj == existing:
            return self._written(
                existing, 200, warnings
            )  # a no-op update changes nothing, not even resourceVersion
        if rtype.kind in writes.GENERATION_KINDS and writes.spec_of(obj) != writes.spec_of(
            existing
        ):
            meta["generation"] = int(old_meta.get("generation") or 1) + 1
        if not dry_run:
            self.store.put(obj)
            self._after_write(rtype, namespace, obj)
        return self._written(obj, 200, warnings)

    def _write_scale(
        self, rtype: ResourceType, existing: Obj, scale: Obj, dry_run: bool
    ) -> web.Response:
        replicas = (scale.get("spec") or {}).get("replicas")
        name = existing["metadata"]["name"]
        if not isinstance(replicas, int) or replicas < 0:
            raise writes.invalid("Scale", "autoscaling", name, [writes.FieldError(
                "spec.replicas", "Invalid value", replicas, "must be greater than or equal to 0")])  # fmt: skip
        sent = (scale.get("metadata") or {}).get("resourceVersion")
        if sent and sent != existing["metadata"].get("resourceVersion"):
            raise writes.ApiError(409, f'Operation cannot be fulfilled on {rtype.qualified} "{name}": the object has '
                                  "been modified; please apply your changes to the latest version and try again",
                                  "Conflict", _resource_details(rtype, rtype.plural, name))  # fmt: skip
        updated = copy.deepcopy(existing)
        updated["spec"]["replicas"] = replicas
        updated["metadata"].pop("resourceVersion", None)
        self._update(rtype, existing, updated, {}, dry_run)
        current = (
            self.store.get(rtype.plural, existing["metadata"]["namespace"], name)
            if not dry_run
            else updated
        )
        return _json(self._scale(current or updated))

    def _delete_query(self, query: Mapping[str, str]) -> Obj:
        options: Obj = {}
        if query.get("propagationPolicy"):
            options["propagationPolicy"] = query["propagationPolicy"]
        if query.get("orphanDependents"):
            options["orphanDependents"] = query["orphanDependents"].lower() == "true"
        return options

    def _delete(
        self,
        rtype: ResourceType,
        namespace: str,
        name: str,
        options: Mapping[str, Any],
        dry_run: bool,
    ) -> web.Response:
        obj = self.store.get(rtype.plural, namespace, name)
        if obj is None:
            raise writes.ApiError(404, f'{rtype.qualified} "{name}" not found', "NotFound",
                                  _resource_details(rtype, rtype.plural, name))  # fmt: skip
        if rtype.plural == "namespaces" and name in BUILTIN_NAMESPACES[:3]:
            raise writes.ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                  "Forbidden", {"name": name, "kind": "namespaces"})  # fmt: skip
        meta = obj["metadata"]
        preconditions = options.get("preconditions") or {}
        for key, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted = preconditions.get(key)
            if wanted and wanted != meta.get(key):
                raise writes.ApiError(409, f'Operation cannot be fulfilled on {rtype.qualified} "{name}": Precondition '
                                      f"failed: {label} in precondition: {wanted}, {label} in object meta: "
                                      f"{meta.get(key)}", "Conflict", _resource_details(rtype, rtype.plural, name))  # fmt: skip
        orphan = (
            options.get("propagationPolicy") == "Orphan" or options.get("orphanDependents") is True
        )
        gone = copy.deepcopy(obj)
        if not dry_run:
            self._remove(rtype, namespace, name, orphan=orphan)
            self._after_write(rtype, namespace, gone, deleted=True)
        if rtype.plural == "namespaces":
            gone["status"] = {"phase": "Terminating"}
        if rtype.plural in ("pods", "namespaces"):
            # Graceful deletion: the server answers with the object marked for deletion.
            gone["metadata"]["deletionTimestamp"] = format_time(self._now())
            if rtype.plural == "pods":
                gone["metadata"]["deletionGracePeriodSeconds"] = int(
                    options.get(
                        "gracePeriodSeconds",
                        (gone.get("spec") or {}).get("terminationGracePeriodSeconds", 30),
                    )
                )
            return _json(gone)
        details: Obj = {"name": name}
        if rtype.group:
            details["group"] = rtype.group
        details.update(kind=rtype.plural, uid=meta.get("uid", ""))
        return _json(
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "details": details,
            }
        )

    def _delete_collection(
        self, rtype: ResourceType, namespace: str, query: Mapping[str, str], dry_run: bool
    ) -> web.Response:
        try:
            labels = parse_label_selector(query.get("labelSelector"))
            fields = compile_field_selector(rtype.plural, query.get("fieldSelector"))
        except SelectorError as exc:
            raise writes.ApiError(400, str(exc), "BadRequest") from None
        victims = [o for o in self.store.list(rtype.plural, namespace or None)
                   if labels.matches(o["metadata"].get("labels")) and fields(o)]  # fmt: skip
        if not dry_run:
            for obj in victims:
                self._remove(
                    rtype,
                    obj["metadata"].get("namespace", ""),
                    obj["metadata"]["name"],
                    orphan=False,
                )
            for ns in sorted({o["metadata"].get("namespace", "") for o in victims}):
                self._after_write(rtype, ns, {}, deleted=True)
        items = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in victims]
        return _json({"kind": rtype.list_kind, "apiVersion": rtype.api_version,
                      "metadata": {"resourceVersion": str(self.store.revision)}, "items": items})  # fmt: skip

    def _remove(self, rtype: ResourceType, namespace: str, name: str, *, orphan: bool) -> None:
        """Delete one object, then what the garbage collector and namespace controller delete."""
        obj = self.store.remove(rtype.plural, namespace, name)
        if obj is None:
            return
        if rtype.plural == "namespaces":
            for other in self.registry.resources:
                if other.namespaced and other.stored:
                    for item in self.store.list(other.plural, name):
                        self.store.remove(other.plural, name, item["metadata"]["name"])
            return
        uid = obj["metadata"].get("uid", "")
        for other in self.registry.resources:
            if not other.stored:
                continue
            for item in self.store.list(other.plural, namespace if other.namespaced else None):
                if not writes.owned_by(item, uid):
                    continue
                if orphan:
                    orphaned = copy.deepcopy(item)
                    orphaned["metadata"]["ownerReferences"] = [
                        r for r in orphaned["metadata"]["ownerReferences"] if r.get("uid") != uid
                    ]
                    if not orphaned["metadata"]["ownerReferences"]:
                        del orphaned["metadata"]["ownerReferences"]
                    self.store.put(orphaned)
                else:
                    self._remove(
                        other,
                        item["metadata"].get("namespace", ""),
                        item["metadata"]["name"],
                        orphan=False,
                    )

    def _after_write(
        self, rtype: ResourceType, namespace: str, obj: Obj, *, deleted: bool = False
    ) -> None:
        """What follows a successful write: RBAC decides anew, controllers catch up."""
        if rtype.group == RBAC_API_GROUP or rtype.plural == "namespaces":
            self._refresh_authorizer()
        if rtype.plural == "namespaces" and not deleted:
            self._namespace_defaults(obj)
        if rtype.plural == "secrets" and not deleted:
            self.token_issuer.secret_created(obj)
        if rtype.plural == "namespaces":
            namespace = (obj.get("metadata") or {}).get("name", "")
        if namespace:  # also after a namespace delete: its content is gone by now
            try:
                kube_controllers.reconcile(
                    self.store,
                    self.logs,
                    namespace,
                    self._now(),
                    self.kubelet.timings if self.kubelet is not None else None,
                )
            except Exception:
                log.exception("KubeEmulator: reconciling namespace %s failed", namespace)
            self._update_quotas(namespace)

    def _update_quotas(self, namespace: str) -> None:
        """The resource quota controller: every quota's status says what the namespace uses."""
        quotas = self.store.list("resourcequotas", namespace)
        if not quotas:
            return
        counts = {r.plural: len(self.store.list(r.plural, namespace)) for r in self.registry.resources
                  if r.namespaced and r.stored}  # fmt: skip
        pods = self.store.list("pods", namespace)
        for quota in quotas:
            status = writes.quota_status(quota, counts, pods)
            if quota.get("status") != status:
                self.store.put({**copy.deepcopy(quota), "status": status})

    def _namespace_defaults(self, namespace: Obj) -> None:
        """The serviceaccount and root-ca-cert-publisher controllers: every namespace gets these."""
        name = namespace["metadata"]["name"]
        if self.store.get("serviceaccounts", name, "default") is None:
            self.store.put(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": "default", "namespace": name},
                }
            )
        root = self.store.get("configmaps", "default", "kube-root-ca.crt")
        if root is not None and self.store.get("configmaps", name, "kube-root-ca.crt") is None:
            self.store.put({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                                         "annotations": dict(root["metadata"].get("annotations") or {})},
                            "data": dict(root.get("data") or {})})  # fmt: skip

    def _refresh_authorizer(self) -> None:
        documents = [o for plural in ("clusterroles", "roles", "clusterrolebindings", "rolebindings")
                     for o in self.store.list(plural)]  # fmt: skip
        self.authorizer = Authorizer.from_objects(documents)

    @staticmethod
    def _written(obj: Obj, code: int, warnings: list[str]) -> web.Response:
        headers = {"Warning": ", ".join(f'299 - "{w}"' for w in warnings)} if warnings else None
        return _json(obj, code, headers)

    # Pod logs -------------------------------------------------------------------------------------

    def _pod_log(self, pod: Obj, query: Mapping[str, str]) -> web.Response:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        name, namespace = meta["name"], meta["namespace"]
        containers = [c["name"] for c in spec.get("containers", [])]
        init = [c["name"] for c in spec.get("initContainers", [])]
        container = query.get("container", "")
        if not container:
            if len(containers) != 1:
                message = f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
                if init:
                    message += f" or one of the init containers: [{' '.join(init)}]"
                return status_response(400, message)
            container = containers[0]
        if container not in containers + init:
            return status_response(400, f"container {container} is not valid for pod {name}")
        try:
            options = self._log_options(query)
        except ValueError as exc:
            return status_response(400, str(exc))
        previous = query.get("previous", "").lower() in ("1", "true")
        single = len(containers) + len(init) == 1
        lines = self.logs.lookup(namespace, name, container, previous, single_container=single)
        if previous and lines is None:
            return status_response(
                400, f'previous terminated container "{container}" in pod "{name}" not found'
            )
        if lines is None:
            waiting = self._waiting_reason(pod, container)
            if waiting:
                return status_response(
                    400, f'container "{container}" in pod "{name}" is waiting to start: {waiting}'
                )
            lines = []
        return web.Response(
            body=render(lines, now=self._now(), **options),
            content_type="text/plain",
            charset="utf-8",
        )

    def _log_options(self, query: Mapping[str, str]) -> dict[str, Any]:
        def integer(key: str) -> int | None:
            raw = query.get(key)
            if raw in (None, ""):
                return None
            try:
                value = int(raw)
            except ValueError:
                raise ValueError(f'{key}: Invalid value: "{raw}": must be an integer') from None
            if value < 0 or (key in ("sinceSeconds", "limitBytes") and value == 0):
                raise ValueError(f"{key}: Invalid value: {value}: must be greater than 0")
            return value

        since_time = parse_time(query["sinceTime"], self._now()) if query.get("sinceTime") else None
        return {
            "tail_lines": integer("tailLines"),
            "since_seconds": integer("sinceSeconds"),
            "since_time": since_time,
            "timestamps": query.get("timestamps", "").lower() in ("1", "true"),
            "limit_bytes": integer("limitBytes"),
        }

    @staticmethod
    def _waiting_reason(pod: Obj, container: str) -> str | None:
        status = pod.get("status") or {}
        statuses = [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]
        current = next((s for s in statuses if s.get("name") == container), None)
        if current is None:
            return "ContainerCreating" if status.get("phase", "Pending") == "Pending" else None
        waiting = (current.get("state") or {}).get("waiting")
        if not waiting or waiting.get("reason") == "CrashLoopBackOff":
            return None
        reason = waiting.get("reason") or "ContainerCreating"
        return {
            "ImagePullBackOff": "trying and failing to pull image",
            "ErrImagePull": "image can't be pulled",
        }.get(reason, reason)

    # Self reviews ---------------------------------------------------------------------------------

    async def _review(
        self, request: web.Request, rtype: ResourceType, user: UserInfo
    ) -> web.Response:
        if rtype.plural == "selfsubjectreviews":  # `kubectl auth whoami`: the body says nothing
            user_info: Obj = {"username": user.name, "groups": list(user.groups)}
            return _json({"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": {"creationTimestamp": None},
                          "status": {"userInfo": user_info}}, 201)  # fmt: skip
        raw = await request.read()
        try:
            if request.content_type == PROTOBUF_MEDIA_TYPE:
                body = decode_review(raw)
            else:
                body = json.loads(raw)
            spec = body.get("spec") or {}
        except (ValueError, AttributeError):
            return status_response(
                415,
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
                reason="UnsupportedMediaType",
            )
        metadata = {"creationTimestamp": None}
        if rtype.plural == "selfsubjectrulesreviews":
            namespace = spec.get("namespace", "")
            if self.authorize_requests:
                rules = self.authorizer.rules_for(user, namespace)
            else:
                rules = self.authorizer.rules_for(
                    UserInfo(user.name, (*user.groups, "system:masters")), namespace
                )
            status = {
                "resourceRules": [r.to_dict() for r in rules if not r.non_resource_urls],
                "nonResourceRules": [r.to_dict() for r in rules if r.non_resource_urls],
                "incomplete": False,
            }
            return _json({"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": metadata,
                          "spec": spec, "status": status}, 201)  # fmt: skip
        resource_attrs = spec.get("resourceAttributes")
        non_resource = spec.get("nonResourceAttributes")
        if resource_attrs is not None:
            attrs = Attributes(
                user=user,
                verb=resource_attrs.get("verb", ""),
                namespace=resource_attrs.get("namespace", ""),
                api_group=resource_attrs.get("group", ""),
                api_version=resource_attrs.get("version", ""),
                resource=resource_attrs.get("resource", ""),
                subresource=resource_attrs.get("subresource", ""),
                name=resource_attrs.get("name", ""),
            )
        elif non_resource is not None:
            attrs = Attributes(user=user, verb=non_resource.get("verb", ""), resource_request=False,
                               path=non_resource.get("path", ""))  # fmt: skip
        else:
            return status_response(
                422, "SelfSubjectAccessReview.authorization.k8s.io is invalid: spec: Invalid value: "
                "resourceAttributes or nonResourceAttributes must be set", reason="Invalid"
            )  # fmt: skip
        decision = self._decide(attrs)
        status: Obj = {"allowed": decision.allowed}
        if decision.reason:
            status["reason"] = decision.reason
        return _json({"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": metadata,
                      "spec": copy.deepcopy(spec), "status": status}, 201)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Running it outside an event loop you own
# ----------------------------------------------------------------------------------------------


class EmulatorThread:
    """Run an emulator on its own event loop in a daemon thread; ``with ... as url:``."""

    def __init__(self, emulator: KubeEmulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> str:
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.emulator.start(self.host, self.port))
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.emulator.stop())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="kube-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("kube emulator did not start within 30s")
        if failure:
            raise failure[0]
        return self.emulator.url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    seeds = args.seed or demo_seed_paths()
    kubelet = None
    if args.kubelet_backoff:  # the kubelet looks often enough to keep to a short back-off
        kubelet = kube_controllers.KubeletTimings(
            backoff_base=args.kubelet_backoff, tick=min(0.5, args.kubelet_backoff / 2)
        )
    emulator = KubeEmulator.from_paths(*seeds, authorize=not args.no_authorize, kubelet=kubelet)
    url = await emulator.start(args.host, args.port)
    print(url, flush=True)
    print(f"{emulator.https_url} (TLS, for kubectl)", flush=True)
    if args.kubeconfig_out:
        path = emulator.write_kubeconfig(
            args.kubeconfig_out, namespace=args.namespace, token=args.token
        )
        print(f"kubeconfig written to {path}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m podium_devkit.kube_api", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--seed",
        action="append",
        type=Path,
        help="YAML file or directory (repeatable); default: demo seed",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--kubeconfig-out", type=Path, help="write a kubeconfig for this emulator here"
    )
    parser.add_argument(
        "--namespace", default="sandbox", help="namespace of the kubeconfig's context"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="token for the kubeconfig (default: the podium service account)",
    )
    parser.add_argument(
        "--no-authorize", action="store_true", help="allow every authenticated request"
    )
    parser.add_argument("--kubelet-backoff", type=float, default=0.0, metavar="SECONDS",
                        help="move failing pods along over time with this first back-off (the kubelet's is 10); "
                             "default: off, pods stay as first started")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
