"""The only place that talks to Kubernetes: the official client, run off the event loop.

Objects come back as plain dicts (the API's JSON), which is what the printers read; the client's
own model classes are skipped (`_preload_content=False`) because kubectl prints from JSON too.
Every failure becomes a ClusterError carrying what kubectl would say about it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass  # not frozen: the interpreter sets __traceback__ on exceptions
class ClusterError(Exception):
    """A cluster call that failed. `reason` is the API's (NotFound, Forbidden, …) or one of ours:
    Unreachable, Timeout, BadResponse."""

    reason: str
    message: str
    status: int | None = None

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


def api_client_from_settings(settings: Settings) -> client.ApiClient:
    """Build the client from KUBECONFIG, or the pod's service account when running in-cluster."""
    configuration = client.Configuration()
    try:
        if settings.in_cluster:
            config.load_incluster_config(client_configuration=configuration)
        else:
            config.load_kube_config(config_file=settings.kubeconfig, client_configuration=configuration)
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        where = f"KUBECONFIG={settings.kubeconfig}" if settings.kubeconfig else "~/.kube/config"
        raise SettingsError(
            f"No usable cluster configuration in {where} ({exc}); set KUBECONFIG to a kubeconfig "
            "for Podium's read-only service account."
        ) from None
    # No silent urllib3 retries: a slow or dead API server must answer within our own timeout.
    configuration.retries = False
    return client.ApiClient(configuration)


class ClusterGateway:
    """Read-only cluster calls, each bounded by `timeout` seconds and run in a small thread pool
    (the official client blocks; the event loop must keep acking Slack meanwhile)."""

    def __init__(self, api_client: client.ApiClient, *, timeout: float, max_workers: int = 8) -> None:
        self._api_client = api_client
        self._core = client.CoreV1Api(api_client)
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="kube")

    @property
    def server(self) -> str:
        return str(self._api_client.configuration.host)

    async def list_pods(self, namespace: str, *, label_selector: str | None = None) -> list[dict[str, Any]]:
        body = await self._call(
            lambda: self._core.list_namespaced_pod(
                namespace,
                label_selector=label_selector,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )
        return list(body.get("items") or [])

    async def read_pod(self, namespace: str, name: str) -> dict[str, Any]:
        return await self._call(
            lambda: self._core.read_namespaced_pod(
                name, namespace, _preload_content=False, _request_timeout=self._timeout
            )
        )

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.get_running_loop().run_in_executor(None, self._api_client.close)

    async def _call(self, request: Callable[[], Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        try:
            # A little over the client's own timeout, in case a worker thread hangs elsewhere.
            return await asyncio.wait_for(
                loop.run_in_executor(self._pool, _json_of, request), timeout=self._timeout + 2
            )
        except asyncio.TimeoutError:
            raise _timeout_error(self._timeout) from None


def _json_of(request: Callable[[], Any]) -> dict[str, Any]:
    """Run one blocking client call and translate whatever goes wrong into a ClusterError."""
    try:
        response = request()
        data = response.data
    except ApiException as exc:
        raise _api_error(exc) from None
    except urllib3.exceptions.HTTPError as exc:
        raise _transport_error(exc) from None
    try:
        parsed = json.loads(data)
    except (TypeError, ValueError):
        raise ClusterError("BadResponse", "the API server answered with something that is not JSON") from None
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
        reason = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                  429: "TooManyRequests", 503: "ServiceUnavailable"}.get(status, "InternalError")
    if not message:
        message = (exc.reason or "").strip() or f"HTTP {status}"
    return ClusterError(reason, message, status)


def _transport_error(exc: urllib3.exceptions.HTTPError) -> ClusterError:
    cause = getattr(exc, "reason", None) or exc
    if isinstance(cause, (urllib3.exceptions.TimeoutError,)) or isinstance(exc, urllib3.exceptions.TimeoutError):
        return ClusterError("Timeout", "the API server did not answer in time")
    if isinstance(cause, urllib3.exceptions.NewConnectionError) or "refused" in str(cause).lower():
        return ClusterError("Unreachable", "the connection to the API server was refused")
    return ClusterError("Unreachable", f"the API server cannot be reached ({type(cause).__name__})")


def _timeout_error(timeout: float) -> ClusterError:
    return ClusterError("Timeout", f"the API server did not answer within {timeout:g}s")
