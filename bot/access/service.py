"""The I/O half of "Get my kubectl access": is it on, is the person within their budget, mint a
token for their own ServiceAccount (TokenRequest, through the cluster gateway), send the
kubeconfig file to their DM (files upload v2), and record one audit line. Every outcome is one
line for the person; the token itself goes only into the uploaded file."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.access.render import (
    SWITCH,
    USAGE,
    WorkshopUsageError,
    dm_text,
    expires_at,
    expiry_text,
    kubeconfig_filename,
    kubeconfig_text,
    parse_workshop,
    sent_line,
    token_seconds,
)
from bot.budgets import Budgets
from bot.kubectl.access import NamespaceAccess
from bot.kubectl.errors import ClusterError
from bot.kubectl.gateway import ClusterGateway
from bot.kubectl.service import CommandRecord
from bot.messages.text import Mrkdwn, mrkdwn
from bot.ops.kubeconfig import Cluster
from bot.settings import Settings
from bot.store.switches import SwitchStore

log = logging.getLogger(__name__)

Observer = Callable[[CommandRecord], Awaitable[None]]

TURNED_OFF = "The instructor has turned kubectl access off."
DISABLED = (
    "kubectl access is turned off in Podium's settings (PODIUM_ACCESS=off); "
    "follow along with `/kubectl` in the channel instead."
)
NO_SERVER = (
    "Podium cannot tell your laptop where the cluster is: the instructor must set PODIUM_ACCESS_SERVER "
    "(e.g. the EKS endpoint from `aws eks describe-cluster --query cluster.endpoint`)."
)
ONLY_INSTRUCTORS = (
    "Only the instructors (PODIUM_INSTRUCTORS) can turn kubectl access on or off for everyone."
)


@dataclass(frozen=True)
class AccessResult:
    text: str  # one line (or Podium's mrkdwn) for the person, where they asked
    ok: bool
    outcome: str = (
        ""  # for the audit and metrics: ok, refused, rate_limited, error; "" = ok/refused by `ok`
    )


def participant_cluster(settings: Settings, configuration: Any) -> Cluster | str:
    """Server and CA for participants' kubectl: PODIUM_ACCESS_SERVER / PODIUM_ACCESS_CA_FILE, else
    what Podium itself uses. In a pod Podium talks to KUBERNETES_SERVICE_HOST, an address laptops
    cannot reach: there the server must be configured. A str is the reason there is none."""
    server = settings.access_server
    if server is None:
        if settings.in_cluster:
            return NO_SERVER
        server = str(configuration.host)
        if not server.startswith("https://"):  # kubectl never sends a token over plain http
            return (
                "Podium reaches the cluster over plain http, where kubectl sends no token: the instructor "
                "must set PODIUM_ACCESS_SERVER to the cluster's https address."
            )
    insecure = settings.access_ca_file is None and not configuration.verify_ssl
    if insecure:  # kubectl refuses a CA together with insecure-skip-tls-verify
        return Cluster(server, None, insecure=True)
    ca_path = settings.access_ca_file or (
        Path(configuration.ssl_ca_cert) if configuration.ssl_ca_cert else None
    )
    ca_data = None
    if ca_path is not None:
        try:
            ca_data = base64.b64encode(ca_path.read_bytes()).decode()
        except OSError as error:
            log.warning(
                "cannot read the cluster CA %s for kubectl access: %s", ca_path, error.strerror
            )
            return (
                f"Podium cannot read the cluster's CA ({ca_path}): the instructor must fix it or set "
                "PODIUM_ACCESS_CA_FILE."
            )
    return Cluster(server, ca_data)


def failure_line(error: ClusterError, namespace: str, user_id: str, *, instructor: bool) -> str:
    """What a failed TokenRequest means for the person, and what to do."""
    setup = f"`python -m bot participants manifests --users {user_id} | kubectl apply -f -`"
    missing = error.status == 404 or error.reason == "NotFound"
    forbidden = error.status in (401, 403) or error.reason in ("Forbidden", "Unauthorized")
    if instructor and (missing or forbidden):
        # An instructor's own namespace usually does not exist (then RBAC refuses before anything).
        return (
            f"Podium cannot issue you a token for {namespace}: instructors get kubectl access through Podium "
            f"only to a participant namespace that exists and is set up ({setup}); your own kubeconfig "
            "works meanwhile."
        )
    if missing:
        return f"Your namespace {namespace} is not set up yet: ask the instructor to run {setup}"
    if forbidden:
        return (
            f"Podium is not allowed to issue tokens in {namespace}: the instructor must apply "
            f"`manifests/podium/` and the participant manifests ({setup})."
        )
    if (
        error.reason in ("Timeout", "Unreachable", "TooManyRequests", "BadResponse")
        or (error.status or 0) >= 500
    ):
        return "The workshop cluster is not answering right now: try again in a minute."
    return f"The cluster refused the token request ({error.reason}): tell the instructor."


class DmUploader:
    """Puts a file into a person's DM with Podium, with its message, in one upload: Slack shares
    the file and the comment together (files.completeUploadExternal), so nothing is half-sent."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def send(self, user_id: str, filename: str, content: str, comment: Mrkdwn) -> None:
        opened = await self._client.conversations_open(users=user_id)
        await self._client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=content,
            filename=filename,
            title=filename,
            initial_comment=comment,
        )


class AccessService:
    def __init__(
        self,
        settings: Settings,
        access: NamespaceAccess,
        gateway: ClusterGateway,
        switches: SwitchStore,
        uploader: DmUploader,
        *,
        budgets: Budgets | None = None,
        observer: Observer | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._access = access
        self._gateway = gateway
        self._switches = switches
        self._uploader = uploader
        self._budgets = budgets
        self._observer = observer
        self._now = now

    @property
    def enabled(self) -> bool:
        """PODIUM_ACCESS: whether the feature exists at all (buttons are shown)."""
        return self._settings.access_enabled

    async def workshop(
        self, user_id: str, text: str, *, channel_id: str | None, source: str
    ) -> AccessResult:
        """One `/workshop …` (or `access …` typed to Podium)."""
        parsed = parse_workshop(text)
        if isinstance(parsed, WorkshopUsageError):
            return AccessResult(mrkdwn("{}\n{}", parsed.message, USAGE), ok=False)
        if parsed.action == "help":
            return AccessResult(USAGE, ok=True)
        if parsed.action in ("on", "off"):
            return await self.switch(user_id, parsed.action == "on")
        return await self.request(user_id, channel_id=channel_id, source=source)

    async def switch(self, user_id: str, on: bool) -> AccessResult:
        if not self._access.is_instructor(user_id):
            return AccessResult(ONLY_INSTRUCTORS, ok=False)
        if not self.enabled:
            return AccessResult(
                "kubectl access is off in Podium's settings (PODIUM_ACCESS=off): change it there "
                "and restart Podium.",
                ok=False,
            )
        await self._switches.set(SWITCH, on, user_id)
        log.info("kubectl access turned %s by %s", "on" if on else "off", user_id)
        if on:
            return AccessResult(
                "kubectl access is on: everyone can get a kubeconfig with `/workshop access`.", True
            )
        return AccessResult(
            "kubectl access is off: nobody gets a new kubeconfig until `/workshop access on` "
            "(files already sent keep working until they expire).",
            True,
        )

    async def request(self, user_id: str, *, channel_id: str | None, source: str) -> AccessResult:
        """Mint a token for `user_id`'s own ServiceAccount and send the kubeconfig to their DM."""
        started = time.monotonic()
        result, issued_until = await self._request(user_id)
        if self._observer is not None:
            line = (
                f"issued access to {user_id} until {issued_until:%Y-%m-%dT%H:%M:%SZ}"
                if issued_until
                else None
            )
            await self._observer(
                CommandRecord(
                    user_id=user_id,
                    channel_id=channel_id,
                    source=source,
                    text="access",
                    verb="access",
                    command_line=line,
                    outcome=result.outcome or ("ok" if result.ok else "refused"),
                    seconds=time.monotonic() - started,
                )
            )
        return result

    async def _request(self, user_id: str) -> tuple[AccessResult, datetime | None]:
        if not self.enabled:
            return AccessResult(DISABLED, ok=False), None
        if not await self._switches.is_on(SWITCH):
            return AccessResult(TURNED_OFF, ok=False), None
        if self._budgets is not None and (slow_down := self._budgets.spend("access", user_id)):
            return AccessResult(slow_down, ok=False, outcome="rate_limited"), None
        cluster = participant_cluster(self._settings, self._gateway.configuration)
        if isinstance(cluster, str):
            return AccessResult(cluster, ok=False), None
        namespace = self._access.own_namespace(user_id)
        assert namespace is not None
        account = self._settings.participant_service_account
        now = self._now()
        seconds = token_seconds(now, self._settings.access_ttl_seconds, self._settings.access_until)
        try:
            response = await self._gateway.request_token(namespace, account, seconds)
        except ClusterError as error:
            log.info("kubectl access for %s in %s: %s", user_id, namespace, error.reason)
            refused = error.status in (
                401,
                403,
                404,
            )  # the cluster is not set up for them; else it failed
            return AccessResult(
                failure_line(
                    error, namespace, user_id, instructor=self._access.is_instructor(user_id)
                ),
                ok=False,
                outcome="refused" if refused else "error",
            ), None
        status = response.get("status") or {}
        token = status.get("token")
        if not isinstance(token, str) or not token:
            log.warning("the TokenRequest for %s/%s came back without a token", namespace, account)
            return AccessResult(
                "The cluster answered the token request without a token: tell the instructor.",
                ok=False,
                outcome="error",
            ), None
        until = _timestamp(status.get("expirationTimestamp")) or expires_at(now, seconds)
        expires = expiry_text(until, now)
        earlier = await self._switches.access_expires(user_id)
        again = earlier is not None and earlier > now
        filename = kubeconfig_filename(namespace)
        try:
            await self._uploader.send(
                user_id,
                filename,
                kubeconfig_text(cluster, token, namespace, account),
                dm_text(namespace, filename, expires, again=again),
            )
        except SlackApiError as error:
            code = (
                str(error.response.get("error") or "error")
                if error.response is not None
                else "error"
            )
            log.warning("could not send the kubeconfig to %s's DM: %s", user_id, code)
            return AccessResult(
                f"Slack did not take the kubeconfig file ({code}), so nothing was sent: "
                "try again in a minute.",
                ok=False,
                outcome="error",
            ), None
        except Exception as error:  # noqa: BLE001 — timeouts, connection errors: the person must hear it
            log.warning(
                "could not send the kubeconfig to %s's DM: %s", user_id, type(error).__name__
            )
            return AccessResult(
                "Podium could not send the kubeconfig file to your DM, so nothing was sent: "
                "try again in a minute.",
                ok=False,
                outcome="error",
            ), None
        await self._switches.access_issued(user_id, until)
        return AccessResult(sent_line(expires, again=again), ok=True), until


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)  # 3.11 reads the trailing Z itself
    except ValueError:
        return None
