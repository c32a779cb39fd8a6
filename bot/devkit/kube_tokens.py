"""Service-account tokens for the API emulator: the two ways `python -m bot kubeconfig` gets one.

- ``POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`` (TokenRequest): answered at once
  with a token for that ServiceAccount.
- ``POST /api/v1/namespaces/NS/secrets`` of type ``kubernetes.io/service-account-token``: stored
  empty, then filled a moment later (``token``, ``ca.crt``, ``namespace``), the way the token
  controller of a real cluster does. Other Secrets are stored as sent.

Either way the emulator then accepts the token as ``system:serviceaccount:NS:NAME``, so RBAC
applies to it like to any ServiceAccount. Authorization happened before these handlers run (only
an identity allowed to create Secrets or tokens gets here). Nothing else in the emulator writes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import uuid
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

Obj = dict[str, Any]
Respond = Callable[..., web.Response]

SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name"
DEFAULT_AUDIENCES = ["https://kubernetes.default.svc"]
MIN_EXPIRATION_SECONDS = 600  # the API server refuses shorter TokenRequests
DEFAULT_EXPIRATION_SECONDS = 3600


class Store(Protocol):
    def add(self, obj: Obj) -> None: ...
    def get(self, resource: str, namespace: str, name: str) -> Obj | None: ...


@dataclass
class TokenIssuer:
    store: Store
    tokens: MutableMapping[str, str]  # the emulator's token → user name table
    now: Callable[[], datetime]
    status: Respond  # kube_api.status_response: Status bodies exactly as elsewhere
    ca_data: str  # base64 PEM of the emulator's CA, for the Secret's ca.crt
    fill_delay: float = 0.2  # the token controller is not instantaneous; clients must wait

    async def handle(self, request: web.Request, namespace: str, resource: str, subresource: str,
                     name: str) -> web.Response | None:
        """The response for a token-issuing request, or None for every other request."""
        if request.method != "POST" or not namespace:
            return None
        if (resource, subresource) == ("serviceaccounts", "token") and name:
            return await self._token_request(request, namespace, name)
        if (resource, subresource, name) == ("secrets", "", ""):
            return await self._create_secret(request, namespace)
        return None

    async def _body(self, request: web.Request) -> Obj | None:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _token_request(self, request: web.Request, namespace: str, name: str) -> web.Response:
        if self.store.get("serviceaccounts", namespace, name) is None:
            return self.status(404, f'serviceaccounts "{name}" not found',
                               details={"name": name, "kind": "serviceaccounts"})
        body = await self._body(request)
        if body is None:
            return self.status(400, "the body of the request was in an unknown format")
        spec = dict(body.get("spec") or {})
        seconds = int(spec.get("expirationSeconds") or DEFAULT_EXPIRATION_SECONDS)
        if seconds < MIN_EXPIRATION_SECONDS:
            return self.status(422, f'TokenRequest.authentication.k8s.io "{name}" is invalid: '
                               f"spec.expirationSeconds: Invalid value: {seconds}: may not specify a "
                               "duration less than 10 minutes", reason="Invalid")
        token = self._issue(namespace, name)
        now = self.now()
        spec.update(expirationSeconds=seconds, audiences=spec.get("audiences") or DEFAULT_AUDIENCES)
        return web.json_response({
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": _timestamp(now)},
            "spec": spec,
            "status": {"token": token, "expirationTimestamp": _timestamp(now + timedelta(seconds=seconds))},
        }, status=201)

    async def _create_secret(self, request: web.Request, namespace: str) -> web.Response:
        secret = await self._body(request)
        meta = (secret or {}).get("metadata") or {}
        name = meta.get("name")
        if secret is None or secret.get("kind", "Secret") != "Secret" or not name:
            return self.status(422, 'Secret "" is invalid: metadata.name: Required value: name or '
                               "generateName is required", reason="Invalid")
        if self.store.get("secrets", namespace, name) is not None:
            return self.status(409, f'secrets "{name}" already exists', reason="AlreadyExists",
                               details={"name": name, "kind": "secrets"})
        meta.update(namespace=namespace, uid=str(uuid.uuid4()), creationTimestamp=_timestamp(self.now()))
        secret.update(apiVersion="v1", kind="Secret", metadata=meta)
        secret.setdefault("type", "Opaque")
        self.store.add(secret)
        account = (meta.get("annotations") or {}).get(SERVICE_ACCOUNT_ANNOTATION)
        if secret["type"] == SERVICE_ACCOUNT_TOKEN and account:
            asyncio.get_running_loop().call_later(self.fill_delay, self._fill, secret, namespace, account)
        return web.json_response(secret, status=201)

    def _fill(self, secret: Obj, namespace: str, account: str) -> None:
        """The token controller: fill the Secret if its ServiceAccount exists (else it never is)."""
        if self.store.get("serviceaccounts", namespace, account) is None:
            return
        token = self._issue(namespace, account)
        secret["data"] = {
            "token": _b64(token),
            "ca.crt": self.ca_data,
            "namespace": _b64(namespace),
        }
        self.store.add(secret)  # a new resourceVersion, as after any update

    def _issue(self, namespace: str, account: str) -> str:
        token = f"podium-devkit-sa-{secrets.token_urlsafe(24)}"
        self.tokens[token] = f"system:serviceaccount:{namespace}:{account}"
        return token


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
