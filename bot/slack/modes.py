"""Running the Bolt app: HTTP mode on aiohttp (with /healthz) and Socket Mode, each stopping
gracefully: on SIGTERM (a rollout, a node drain) no new work is taken, and answers already
acknowledged are finished before the process exits."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack.socket_health import SocketHealth, Verdict, watch

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"

# How long answers in progress may take to finish after a stop is asked for: the cluster
# timeout plus delivery, within Kubernetes' default 30 s termination grace period.
SHUTDOWN_GRACE = 20.0


class Served(Protocol):
    """What serving needs of a built Podium (bot.app.Podium is one): the Bolt app, its settings,
    its metrics and a way to close it. A Protocol, so this layer does not import the app."""

    @property
    def app(self) -> AsyncApp: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def metrics(self) -> Metrics: ...
    async def stop(self) -> None: ...  # background work ends: what remains are answers
    async def close(self) -> None: ...


def http_application(podium: Served) -> web.Application:
    """Slash commands, interactivity and events all arrive at POST /slack/events."""
    application = podium.app.web_app(path=EVENTS_PATH)
    if podium.settings.slack_signing_secret:
        application.middlewares.append(signed_requests_only(podium.settings.slack_signing_secret))

    # This port is public (Slack must reach it): /metrics only with PODIUM_METRICS_TOKEN.
    add_operational_routes(application, podium, port_is_public=True)
    return application


def signed_requests_only(signing_secret: str) -> Middleware:
    """Refuse (401) every POST to /slack/events that is not signed with the signing secret, before
    Bolt reads it. Bolt verifies too, but only after parsing the body, and a malformed timestamp
    header or a body that is not JSON/form made it answer 500 with a traceback in the log."""
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST" and request.path == EVENTS_PATH:
            body = await request.read()  # aiohttp keeps it for Bolt's own read
            try:
                valid = verifier.is_valid(
                    body,
                    request.headers.get("X-Slack-Request-Timestamp"),
                    request.headers.get("X-Slack-Signature"),
                )
            except (ValueError, TypeError, OverflowError):  # a timestamp that is not an integer
                valid = False
            if not valid:
                log.info("refused a request to %s: no valid Slack signature", EVENTS_PATH)
                return web.json_response({"error": "invalid request"}, status=401)
        return await handler(request)

    return middleware


def metrics_access(token: str | None, authorization: str | None, *, public_port: bool) -> int:
    """The HTTP status GET /metrics gets: 200 to serve it, 401 without the right token, 404 when
    it is not served at all. With PODIUM_METRICS_TOKEN set, only `Authorization: Bearer <token>`
    reads it. Without one it is served only where the port is not public (Socket Mode, whose
    PORT carries just /healthz and /metrics); in HTTP mode the port is Slack's public endpoint."""
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
        return 200 if valid else 401
    return 404 if public_port else 200


def add_operational_routes(
    application: web.Application,
    podium: Served,
    *,
    port_is_public: bool,
    health: Callable[[], Verdict] | None = None,
) -> None:
    """GET /healthz (ready: settings valid, state open, listeners registered; in Socket Mode,
    `health`: the connection to Slack is up, else 503 with why) and GET /metrics (see
    metrics_access). `port_is_public`: the port is reachable from outside (HTTP mode)."""
    token = podium.settings.metrics_token
    if not token and port_is_public:
        log.info(
            "GET /metrics is not served on this public port; set PODIUM_METRICS_TOKEN to scrape it"
        )

    async def healthz(_: web.Request) -> web.Response:
        if health is None:
            return web.json_response({"ok": True})
        verdict = health()
        return web.json_response(
            {"ok": verdict.healthy, "socket": verdict.reason},
            status=200 if verdict.healthy else 503,
        )

    async def metrics(request: web.Request) -> web.Response:
        status = metrics_access(
            token, request.headers.get("Authorization"), public_port=port_is_public
        )
        if status == 401:
            return web.json_response(
                {"error": "GET /metrics needs Authorization: Bearer PODIUM_METRICS_TOKEN"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        if status == 404:
            raise web.HTTPNotFound()
        body, content_type = podium.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    application.router.add_get("/healthz", healthz)
    application.router.add_get("/metrics", metrics)


async def start_http(podium: Served, *, host: str = "0.0.0.0", port: int) -> web.AppRunner:
    runner = web.AppRunner(http_application(podium), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host=host, port=port)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually bound (PORT=0 asks the OS for a free one)."""
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    raise RuntimeError("the HTTP server is not listening")


async def serve_http_forever(
    podium: Served, *, host: str = "0.0.0.0", port: int, stop: asyncio.Event
) -> None:
    runner = await start_http(podium, host=host, port=port)
    log.info("Podium listening on http://%s:%d%s", host, bound_port(runner), EVENTS_PATH)
    try:
        await stop.wait()
        log.info("stopping: no new requests; finishing the answers in progress")
    finally:
        await runner.cleanup()  # stops listening and waits for requests being acked
        await podium.stop()  # watching for failing pods ends; the answers in progress finish
        await finish_work_in_progress(SHUTDOWN_GRACE)
        await podium.close()


async def serve_socket_forever(
    podium: Served, *, host: str = "0.0.0.0", stop: asyncio.Event
) -> None:
    """Socket Mode needs no public URL; /healthz and /metrics are still served on PORT for the
    cluster's probes and for Prometheus."""
    health = SocketHealth(podium.settings.socket_health_seconds)
    operational = web.Application()
    add_operational_routes(operational, podium, port_is_public=False, health=health.verdict)
    runner = web.AppRunner(operational, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host=host, port=podium.settings.port).start()
    handler = AsyncSocketModeHandler(podium.app, podium.settings.slack_app_token)
    watcher = asyncio.create_task(
        watch(health, handler.client.is_connected)
    )  # /healthz follows the socket
    log.info(
        "Podium connecting to Slack in Socket Mode (health and metrics on port %d)",
        bound_port(runner),
    )
    try:
        await handler.connect_async()
        await stop.wait()
        log.info("stopping: disconnecting from Slack; finishing the answers in progress")
    finally:
        watcher.cancel()
        await handler.close_async()
        await podium.stop()  # watching for failing pods ends; the answers in progress finish
        await finish_work_in_progress(SHUTDOWN_GRACE)
        await runner.cleanup()
        await podium.close()


async def finish_work_in_progress(grace: float) -> None:
    """Wait (up to `grace` seconds) for the listeners Bolt runs after acking: once the server has
    stopped, every task left on the loop is an answer on its way to someone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    current = asyncio.current_task()
    while True:
        pending = {task for task in asyncio.all_tasks() if task is not current and not task.done()}
        remaining = deadline - loop.time()
        if not pending:
            return
        if remaining <= 0:
            log.warning(
                "stopped with %d answers still in progress after %.0f s", len(pending), grace
            )
            return
        await asyncio.wait(pending, timeout=remaining)
