"""Service-account tokens for the API emulator: the two ways `python -m bot kubeconfig` gets one.

- ``POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`` (TokenRequest): answered at once
  with a token for that ServiceAccount, valid for ``spec.expirationSeconds`` (default 1h).
- A Secret of type ``kubernetes.io/service-account-token`` (created through the emulator's
  ordinary create): filled a moment later (``token``, ``ca.crt``, ``namespace``), the way the
  token controller of a real cluster does (``secret_created``).

Either way the emulator then accepts the token as ``system:serviceaccount:NS:NAME``, so RBAC
applies to it like to any ServiceAccount. Like a real cluster's, the token is bound to the
ServiceAccount's uid (and a Secret token to its Secret): once the ServiceAccount is deleted, even
if one with the same name is created again, the token is refused (401); so is an expired one.
Authorization happened before these handlers run.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

from podium_devkit.kube_protobuf import PROTOBUF_MEDIA_TYPE, decode_object

Obj = dict[str, Any]
Respond = Callable[..., web.Response]

SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name"
DEFAULT_AUDIENCES = ["https://kubernetes.default.svc"]
MIN_EXPIRATION_SECONDS = 600  # the API server refuses shorter TokenRequests
DEFAULT_EXPIRATION_SECONDS = 3600


class Store(Protocol):
    def put(self, obj: Obj) -> Obj: ...
    def get(self, resource: str, namespace: str, name: str) -> Obj | None: ...


@dataclass(frozen=True)
class BoundToken:
    """What a token was issued for: it is valid while these still hold."""

    namespace: str
    account: str
    account_uid: str
    expires: datetime | None  # None: legacy Secret tokens never expire
    secret: str = ""  # the Secret holding a legacy token (deleting it revokes the token)


@dataclass
class TokenIssuer:
    store: Store
    tokens: MutableMapping[str, str]  # the emulator's token → user name table
    now: Callable[[], datetime]
    status: Respond  # kube_api.status_response: Status bodies exactly as elsewhere
    ca_data: str  # base64 PEM of the emulator's CA, for the Secret's ca.crt
    fill_delay: float = 0.2  # the token controller is not instantaneous; clients must wait
    bound: dict[str, BoundToken] = field(default_factory=dict)

    async def handle(
        self, request: web.Request, namespace: str, resource: str, subresource: str, name: str
    ) -> web.Response | None:
        """The response for a token-issuing request, or None for every other request."""
        if request.method != "POST" or not namespace:
            return None
        if (resource, subresource) == ("serviceaccounts", "token") and name:
            return await self._token_request(request, namespace, name)
        return None

    def valid(self, token: str) -> bool:
        """False for an issued token whose ServiceAccount (or Secret) is gone, or that expired.
        Tokens this issuer did not issue are not its business (True)."""
        binding = self.bound.get(token)
        if binding is None:
            return True
        account = self.store.get("serviceaccounts", binding.namespace, binding.account)
        if account is None or account["metadata"].get("uid") != binding.account_uid:
            return False
        if binding.secret and self.store.get("secrets", binding.namespace, binding.secret) is None:
            return False
        return binding.expires is None or self.now() < binding.expires

    async def _body(self, request: web.Request) -> Obj | None:
        raw = await request.read()
        try:
            # `kubectl create token` sends protobuf; the python client JSON.
            body = (
                decode_object(raw)
                if request.content_type == PROTOBUF_MEDIA_TYPE
                else json.loads(raw or b"{}")
            )
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _token_request(self, request: web.Request, namespace: str, name: str) -> web.Response:
        if self.store.get("serviceaccounts", namespace, name) is None:
            return self.status(
                404,
                f'serviceaccounts "{name}" not found',
                details={"name": name, "kind": "serviceaccounts"},
            )
        body = await self._body(request)
        if body is None:
            return self.status(400, "the body of the request was in an unknown format")
        spec = dict(body.get("spec") or {})
        seconds = int(spec.get("expirationSeconds") or DEFAULT_EXPIRATION_SECONDS)
        if seconds < MIN_EXPIRATION_SECONDS:
            return self.status(
                422,
                f'TokenRequest.authentication.k8s.io "{name}" is invalid: '
                f"spec.expirationSeconds: Invalid value: {seconds}: may not specify a "
                "duration less than 10 minutes",
                reason="Invalid",
            )
        now = self.now()
        token = self._issue(namespace, name, expires=now + timedelta(seconds=seconds))
        spec.update(expirationSeconds=seconds, audiences=spec.get("audiences") or DEFAULT_AUDIENCES)
        return web.json_response(
            {
                "kind": "TokenRequest",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "creationTimestamp": _timestamp(now),
                },
                "spec": spec,
                "status": {
                    "token": token,
                    "expirationTimestamp": _timestamp(now + timedelta(seconds=seconds)),
                },
            },
            status=201,
        )

    def secret_created(self, secret: Obj) -> None:
        """After a Secret was stored: a service-account token Secret gets filled in a moment."""
        meta = secret.get("metadata") or {}
        account = (meta.get("annotations") or {}).get(SERVICE_ACCOUNT_ANNOTATION)
        if secret.get("type") == SERVICE_ACCOUNT_TOKEN and account:
            asyncio.get_running_loop().call_later(self.fill_delay, self._fill, meta["namespace"], meta["name"],
                                                  meta.get("uid"), account)  # fmt: skip

    def _fill(self, namespace: str, name: str, uid: str | None, account: str) -> None:
        """The token controller: fill the Secret if it and its ServiceAccount exist (else it never is)."""
        secret = self.store.get("secrets", namespace, name)
        if secret is None or secret["metadata"].get("uid") != uid:
            return
        if self.store.get("serviceaccounts", namespace, account) is None:
            return
        token = self._issue(namespace, account, secret=name)
        secret = copy.deepcopy(secret)
        secret["data"] = {
            "token": _b64(token),
            "ca.crt": self.ca_data,
            "namespace": _b64(namespace),
        }
        self.store.put(secret)  # a new resourceVersion, as after any update

    def _issue(
        self, namespace: str, account: str, *, expires: datetime | None = None, secret: str = ""
    ) -> str:
        token = f"podium-devkit-sa-{secrets.token_urlsafe(24)}"
        sa = self.store.get("serviceaccounts", namespace, account) or {}
        self.bound[token] = BoundToken(
            namespace, account, (sa.get("metadata") or {}).get("uid", ""), expires, secret
        )
        self.tokens[token] = f"system:serviceaccount:{namespace}:{account}"
        return token


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
