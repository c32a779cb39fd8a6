"""The stand-ins (Slack Web API + response_urls, Kubernetes API emulator) in their own process,
for bench/load.py. Under a burst, one event loop that both sends 200 requests and records 200
answers delays its own clock readings (measured: its loop ran up to ~160 ms late), so the load
generator and the stand-ins that time the answers live in separate processes.

    python bench/standin_host.py KUBECONFIG_PATH

Prints one JSON line (URLs, token) when ready; serves a small control API for the benchmark on
`control_url`; stops on SIGTERM. Times are wall-clock (time.time), comparable across processes.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths  # noqa: E402
from podium_devkit.slack_api import SlackStandIn, SlackUser  # noqa: E402
from podium_devkit.slack_limits import RateLimiter, RateLimits  # noqa: E402


def control_app(standin: SlackStandIn, emulator: KubeEmulator) -> web.Application:
    """What the benchmark asks the stand-ins: fresh response_urls, when answers and posts arrived,
    what the API emulator received."""

    async def add_users(request: web.Request) -> web.Response:
        for user_id in await request.json():
            standin.add_user(SlackUser(user_id, user_id.lower(), user_id))
        return web.json_response({"ok": True})

    async def response_urls(request: web.Request) -> web.Response:
        specs: list[dict[str, Any]] = await request.json()
        urls = [
            standin.new_response_url(
                channel_id=s["channel"],
                user_id=s["user"],
                message_ts=s.get("message_ts"),
                kind=s.get("kind", "commands"),
            )
            for s in specs
        ]
        return web.json_response(urls)

    async def answers(request: web.Request) -> web.Response:
        """{url: {"at": first accepted post's time, "has": expected text in it}} for the answered
        ones of {url: expected text}."""
        query: dict[str, str] = await request.json()
        found: dict[str, dict[str, Any]] = {}
        for url, expect in query.items():
            post = next((p for p in standin.responses(url) if p.status == 200), None)
            if post is not None:
                found[url] = {"at": post.at, "has": expect in json.dumps(post.body)}
        return web.json_response(found)

    async def channel_posts(request: web.Request) -> web.Response:
        channel, after = request.query["channel"], float(request.query.get("after", "0"))
        posts = [
            {"at": c.at, "ts": (c.response or {}).get("ts"), "thread_ts": c.args.get("thread_ts")}
            for c in standin.calls("chat.postMessage")
            if c.ok and c.args.get("channel") == channel and c.at > after
        ]
        return web.json_response(posts)

    async def rate_limits(request: web.Request) -> web.Response:
        """POST {"enabled": bool}: Slack's rate limits on (the default) or off, from now on;
        GET: how many calls were answered 429 by them so far."""
        if request.method == "POST":
            enabled = bool((await request.json()).get("enabled", True))
            standin.rate_limiter = RateLimiter(RateLimits() if enabled else RateLimits.off())
        return web.json_response({"rate_limited": len(standin.rate_limited_calls())})

    async def message(request: web.Request) -> web.Response:
        return web.json_response(standin.message(request.query["channel"], request.query["ts"]))

    async def kube_requests(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            emulator.clear_requests()
            return web.json_response([])
        return web.json_response(
            [{"verb": r.verb, "resource": r.resource} for r in emulator.requests]
        )

    async def cpu(_: web.Request) -> web.Response:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return web.json_response({"cpu": usage.ru_utime + usage.ru_stime})

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_post("/users", add_users)
    app.router.add_post("/response_urls", response_urls)
    app.router.add_post("/answers", answers)
    app.router.add_get("/channel_posts", channel_posts)
    app.router.add_get("/message", message)
    app.router.add_route("*", "/kube_requests", kube_requests)
    app.router.add_get("/cpu", cpu)
    app.router.add_route("*", "/rate_limits", rate_limits)
    return app


async def serve(kubeconfig: Path) -> None:
    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator, SlackStandIn() as standin:
        emulator.write_kubeconfig(kubeconfig, namespace="sandbox")
        runner = web.AppRunner(control_app(standin, emulator), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(
            json.dumps(
                {
                    "api_url": standin.api_url,
                    "bot_token": standin.bot_token,
                    "base_url": standin.base_url,
                    "control_url": f"http://127.0.0.1:{port}",
                    "kubeconfig": str(kubeconfig),
                }
            ),
            flush=True,
        )
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
