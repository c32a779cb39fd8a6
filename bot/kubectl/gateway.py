"""The only place that talks to Kubernetes: the official client, run off the event loop.

Objects come back as plain dicts (the API's JSON), which is what the printers read; the client's
own model classes are skipped (`_preload_content=False`) because kubectl prints from JSON too.
Every failure becomes a ClusterError carrying what kubectl would say about it.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from bot.kubectl.coalesce import ReadCoalescer
from bot.kubectl.errors import ClusterError
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

T = TypeVar("T")


def api_client_from_settings(settings: Settings) -> client.ApiClient:
    """Build the client from KUBECONFIG, or the pod's service account when running in-cluster."""
    configuration = client.Configuration()
    try:
        if settings.in_cluster:
            config.load_incluster_config(client_configuration=configuration)
        elif settings.kubeconfig_data is not None:
            config.load_kube_config_from_dict(
                dict(settings.kubeconfig_data), client_configuration=configuration
            )
        else:
            config.load_kube_config(
                config_file=settings.kubeconfig, client_configuration=configuration
            )
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        where = (
            f"KUBECONFIG={settings.kubeconfig}"
            if settings.kubeconfig
            else "PODIUM_KUBECONFIG_B64"
            if settings.kubeconfig_data is not None
            else "~/.kube/config"
        )
        raise SettingsError(
            f"No usable cluster configuration in {where} ({exc}); set KUBECONFIG to a kubeconfig "
            "for Podium's read-only service account."
        ) from None
    # No silent urllib3 retries: a slow or dead API server must answer within our own timeout.
    configuration.retries = False
    return client.ApiClient(configuration)


@dataclass(frozen=True)
class _Endpoint:
    """How the official client names one kind: which API class, and the method stem."""

    api: str  # "core", "apps", "batch", "discovery"
    stem: str  # "pod" → list_namespaced_pod / read_namespaced_pod
    list_kind: str  # kind of the list document, to fill `kind` on items like kubectl does
    api_version: str


# Every kind Podium reads. Secrets are absent on purpose: the gateway cannot fetch them at all.
_ENDPOINTS: dict[str, _Endpoint] = {
    "pods": _Endpoint("core", "pod", "Pod", "v1"),
    "services": _Endpoint("core", "service", "Service", "v1"),
    "endpoints": _Endpoint("core", "endpoints", "Endpoints", "v1"),
    "configmaps": _Endpoint("core", "config_map", "ConfigMap", "v1"),
    "events": _Endpoint("core", "event", "Event", "v1"),
    "resourcequotas": _Endpoint("core", "resource_quota", "ResourceQuota", "v1"),
    "limitranges": _Endpoint("core", "limit_range", "LimitRange", "v1"),
    "namespaces": _Endpoint("core", "namespace", "Namespace", "v1"),
    "deployments": _Endpoint("apps", "deployment", "Deployment", "apps/v1"),
    "replicasets": _Endpoint("apps", "replica_set", "ReplicaSet", "apps/v1"),
    "jobs": _Endpoint("batch", "job", "Job", "batch/v1"),
    "endpointslices": _Endpoint(
        "discovery", "endpoint_slice", "EndpointSlice", "discovery.k8s.io/v1"
    ),
}
_CLUSTER_SCOPED = {"namespaces"}


class ClusterGateway:
    """Read-only cluster calls, each bounded by `timeout` seconds and run in a small thread pool
    (the official client blocks; the event loop must keep acking Slack meanwhile)."""

    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        timeout: float,
        max_workers: int = 8,
        fresh_for: float = 1.0,
        on_request: Callable[[str, float], None] | None = None,
    ) -> None:
        self._api_client = api_client
        self._apis: dict[str, Any] = {
            "core": client.CoreV1Api(api_client),
            "apps": client.AppsV1Api(api_client),
            "batch": client.BatchV1Api(api_client),
            "discovery": client.DiscoveryV1Api(api_client),
        }
        self._authorization = client.AuthorizationV1Api(api_client)
        self._timeout = timeout
        # Bounded: at most max_workers blocking calls at once, the rest wait their turn.
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="kube")
        self._reads = ReadCoalescer(window=fresh_for)
        self.requests_made = 0  # API requests actually sent, for metrics and benchmarks
        # Told of every request sent: (outcome "ok" or the error's reason, seconds taken).
        self.on_request = on_request

    @property
    def server(self) -> str:
        return str(self._api_client.configuration.host)

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        """Items of one kind in `namespace` (None only for cluster-scoped kinds), each with its
        `kind` and `apiVersion` filled in as kubectl does for list items."""
        key = ("list", plural, namespace, label_selector, field_selector)
        return await self._reads.read(
            key, lambda: self._list(plural, namespace, label_selector, field_selector)
        )

    async def _list(
        self,
        plural: str,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
    ) -> builtins.list[dict[str, Any]]:  # `list` is a method here
        endpoint = _endpoint(plural)
        api = self._apis[endpoint.api]
        options = {
            "label_selector": label_selector,
            "field_selector": field_selector,
            "_preload_content": False,
            "_request_timeout": self._timeout,
        }
        if plural in _CLUSTER_SCOPED:
            body = await self._call(lambda: getattr(api, f"list_{endpoint.stem}")(**options))
        else:
            if not namespace:
                raise ValueError(f"{plural} are namespaced: a namespace is required")
            method = getattr(api, f"list_namespaced_{endpoint.stem}")
            body = await self._call(lambda: method(namespace, **options))
        items = [item for item in body.get("items") or [] if isinstance(item, dict)]
        for item in items:
            item.setdefault("kind", endpoint.list_kind)
            item.setdefault("apiVersion", endpoint.api_version)
        return items

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        return await self._reads.read(
            ("get", plural, namespace, name), lambda: self._get(plural, namespace, name)
        )

    async def _get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        endpoint = _endpoint(plural)
        api = self._apis[endpoint.api]
        options = {"_preload_content": False, "_request_timeout": self._timeout}
        if plural in _CLUSTER_SCOPED:
            method = getattr(api, f"read_{endpoint.stem}")
            return await self._call(lambda: method(name, **options))
        method = getattr(api, f"read_namespaced_{endpoint.stem}")
        return await self._call(lambda: method(name, namespace, **options))

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        previous: bool = False,
        timestamps: bool = False,
        limit_bytes: int | None = None,
    ) -> str:
        """The log text; with `limit_bytes`, the API server sends only the first that many bytes
        of what the other options select (a cut multi-byte character shows as U+FFFD)."""
        core = self._apis["core"]
        request = lambda: core.read_namespaced_pod_log(  # noqa: E731
            pod,
            namespace,
            container=container,
            tail_lines=tail_lines,
            since_seconds=since_seconds,
            previous=previous or None,
            timestamps=timestamps or None,
            limit_bytes=limit_bytes,
            _preload_content=False,
            _request_timeout=self._timeout,
        )
        key = (
            "logs",
            namespace,
            pod,
            container,
            tail_lines,
            since_seconds,
            previous,
            timestamps,
            limit_bytes,
        )
        return await self._reads.read(key, lambda: self._run(_text_of, request))

    async def can_i(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        *,
        group: str = "",
        subresource: str = "",
        name: str = "",
    ) -> tuple[bool, str]:
        """A SelfSubjectAccessReview: may Podium's own credentials do this?"""
        attributes = {"verb": verb, "resource": resource, "group": group}
        if namespace:
            attributes["namespace"] = namespace
        if subresource:
            attributes["subresource"] = subresource
        if name:
            attributes["name"] = name
        # A JSON body: the client sends a plain dict as is (its stub names only the model class).
        review: Any = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes},
        }
        key = ("can-i", verb, resource, namespace, group, subresource, name)
        body = await self._reads.read(
            key,
            lambda: self._call(
                lambda: self._authorization.create_self_subject_access_review(
                    review, _preload_content=False, _request_timeout=self._timeout
                )
            ),
        )
        status = body.get("status") or {}
        return bool(status.get("allowed")), str(
            status.get("reason") or status.get("evaluationError") or ""
        )

    async def request_token(self, namespace: str, account: str, seconds: int) -> dict[str, Any]:
        """A TokenRequest for ServiceAccount `account` (kubectl access for a participant): the one
        call that is not a read. Never coalesced or cached: each asks for a new token. The body
        is not preloaded, so the client never logs the response (the token) at DEBUG."""
        core = self._apis["core"]
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"audiences": [], "expirationSeconds": seconds},
        }
        return await self._call(
            lambda: core.create_namespaced_service_account_token(
                account, namespace, body, _preload_content=False, _request_timeout=self._timeout
            )
        )

    @property
    def configuration(self) -> client.Configuration:
        """How Podium reaches the cluster (server, CA, TLS verification): participants' kubeconfig
        files point at the same cluster."""
        configuration: client.Configuration = self._api_client.configuration
        return configuration

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.get_running_loop().run_in_executor(None, self._api_client.close)

    async def _call(self, request: Callable[[], Any]) -> dict[str, Any]:
        return await self._run(_json_of, request)

    async def _run(self, decode: Callable[[Callable[[], Any]], T], request: Callable[[], Any]) -> T:
        loop = asyncio.get_running_loop()
        self.requests_made += 1
        started, outcome = loop.time(), "ok"
        try:
            # A little over the client's own timeout, in case a worker thread hangs elsewhere.
            return await asyncio.wait_for(
                loop.run_in_executor(self._pool, decode, request), timeout=self._timeout + 2
            )
        except TimeoutError:
            outcome = "Timeout"
            raise _timeout_error(self._timeout) from None
        except ClusterError as error:
            outcome = error.reason
            raise
        finally:
            if self.on_request is not None:
                self.on_request(outcome, loop.time() - started)


def _endpoint(plural: str) -> _Endpoint:
    endpoint = _ENDPOINTS.get(plural)
    if endpoint is None:
        raise ValueError(f"Podium does not read {plural}")
    return endpoint


def _raw(request: Callable[[], Any]) -> bytes:
    """Run one blocking client call; translate whatever goes wrong into a ClusterError."""
    try:
        data: bytes = request().data  # with _preload_content=False: urllib3's response body
        return data
    except ApiException as exc:
        raise _api_error(exc) from None
    except urllib3.exceptions.HTTPError as exc:
        raise _transport_error(exc) from None


def _text_of(request: Callable[[], Any]) -> str:
    return _raw(request).decode("utf-8", errors="replace")


def _json_of(request: Callable[[], Any]) -> dict[str, Any]:
    data = _raw(request)
    try:
        parsed = json.loads(data)
    except (TypeError, ValueError):
        raise ClusterError(
            "BadResponse", "the API server answered with something that is not JSON"
        ) from None
    if not isinstance(parsed, dict):
        raise ClusterError("BadResponse", "the API server answered with an unexpected document")
    return parsed


def _api_error(exc: ApiException) -> ClusterError:
    status = exc.status or 0
    reason, message = "", ""
    try:
        body = json.loads(exc.body or "")
        if isinstance(body, dict) and body.get("kind") == "Status":
            reason, message = str(body.get("reason") or ""), str(body.get("message") or "")
    except ValueError:
        pass
    if not reason:
        reason = {
            400: "BadRequest",
            401: "Unauthorized",
            403: "Forbidden",
            404: "NotFound",
            429: "TooManyRequests",
            503: "ServiceUnavailable",
        }.get(status, "InternalError")
    if not message:
        message = (exc.reason or "").strip() or f"HTTP {status}"
    return ClusterError(reason, message, status)


def _transport_error(exc: urllib3.exceptions.HTTPError) -> ClusterError:
    cause = getattr(exc, "reason", None) or exc
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, so it is checked first.
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        if "refused" in str(cause).lower():
            return ClusterError("Unreachable", "the connection to the API server was refused")
        return ClusterError("Unreachable", "the API server's address cannot be reached")
    if isinstance(cause, urllib3.exceptions.TimeoutError):
        return ClusterError("Timeout", "the API server did not answer in time")
    if isinstance(cause, urllib3.exceptions.SSLError):
        return ClusterError("Unreachable", "the TLS handshake with the API server failed")
    return ClusterError("Unreachable", f"the API server cannot be reached ({type(cause).__name__})")


def _timeout_error(timeout: float) -> ClusterError:
    return ClusterError("Timeout", f"the API server did not answer within {timeout:g}s")
