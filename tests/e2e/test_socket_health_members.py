"""Issue 13: in Socket Mode, /healthz follows the websocket to Slack. `python -m bot socket` runs as
a real process; the stand-in drops the connection and refuses new ones for a while (an outage),
then lets Podium back in: /healthz goes 503 with why, then 200, and Podium answers again."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import aiohttp

from tests.harness.process import podium_env, start_podium, stop_podium

_HEALTH_PORT = re.compile(r"health and metrics on port (\d+)")


async def health_of(session: aiohttp.ClientSession, url: str) -> tuple[int, dict]:
    async with session.get(url) as response:
        return response.status, await response.json()


async def until(session: aiohttp.ClientSession, url: str, status: int, timeout: float = 30) -> dict:
    """Polls /healthz until it answers `status` (the probe's view); its body then."""
    seen: tuple[int, dict] | None = None
    for _ in range(int(timeout / 0.2)):
        seen = await health_of(session, url)
        if seen[0] == status:
            return seen[1]
        await asyncio.sleep(0.2)
    raise AssertionError(f"/healthz never answered {status}; last {seen}")


@contextlib.asynccontextmanager
async def socket_podium(standin, kubeconfig) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """`python -m bot socket` with a 2 s health window, a session, and its /healthz URL."""
    env = podium_env(
        standin, kubeconfig, SLACK_APP_TOKEN=standin.app_token, PODIUM_SOCKET_HEALTH_SECONDS="2"
    )
    podium = await start_podium(["socket"], env, _HEALTH_PORT)
    assert podium.events_url is not None
    try:
        async with aiohttp.ClientSession() as session:
            yield session, re.sub(r"/slack/events$", "/healthz", podium.events_url)
    finally:
        await stop_podium(podium)


async def test_healthz_follows_the_socket_and_podium_answers_after_reconnecting(
    standin, kubeconfig, emulator
):
    async with socket_podium(standin, kubeconfig) as (session, url):
        await standin.wait_for_socket_client(timeout=30)
        assert (await until(session, url, 200))["ok"] is True
        first = await standin.socket_slash_command("/kubectl", "get deploy nginx", timeout=10)
        [answer] = await standin.wait_for_responses(str(first.response_url), timeout=15)
        assert "nginx" in str(answer)

        opened = standin.socket.connections_opened
        await standin.socket_outage(down=True)  # dropped, and Slack refuses new connections
        down = await until(session, url, 503)
        assert down["ok"] is False and "down for" in down["socket"]

        await standin.socket_outage(down=False)
        await standin.socket.wait_for_new_connection(
            opened, timeout=30
        )  # Podium reconnected by itself
        up = await until(session, url, 200)
        assert up["ok"] is True and up["socket"].startswith("Socket Mode")
        again = await standin.socket_slash_command("/kubectl", "get svc nginx", timeout=10)
        [answer] = await standin.wait_for_responses(str(again.response_url), timeout=15)
        assert "nginx" in str(answer)


async def test_healthz_is_503_until_the_socket_first_connects(standin, kubeconfig, emulator):
    await standin.socket_outage(down=True)
    async with socket_podium(standin, kubeconfig) as (session, url):
        status, body = await health_of(session, url)
        assert status == 503 and body["socket"].startswith("not connected to Slack yet")
        await standin.socket_outage(down=False)
        await standin.wait_for_socket_client(timeout=30)
        await until(session, url, 200)
