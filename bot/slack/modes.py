"""Running the Bolt app: HTTP mode on aiohttp (with /healthz) and Socket Mode."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import Podium

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def http_application(podium: Podium) -> web.Application:
    """Slash commands, interactivity and events all arrive at POST /slack/events."""
    application = podium.app.web_app(path=EVENTS_PATH)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application.router.add_get("/healthz", healthz)

    async def close_podium(_: web.Application) -> None:
        await podium.close()

    application.on_cleanup.append(close_podium)
    return application


async def start_http(podium: Podium, *, host: str = "0.0.0.0", port: int) -> web.AppRunner:
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


async def serve_http_forever(podium: Podium, *, host: str = "0.0.0.0", port: int) -> None:
    runner = await start_http(podium, host=host, port=port)
    log.info("Podium listening on http://%s:%d%s", host, bound_port(runner), EVENTS_PATH)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def serve_socket_forever(podium: Podium) -> None:
    handler = AsyncSocketModeHandler(podium.app, podium.settings.slack_app_token)
    log.info("Podium connecting to Slack in Socket Mode")
    try:
        await handler.start_async()
    finally:
        await handler.close_async()
        await podium.close()
