"""bot/slack/socket_health.py: the Socket Mode verdict /healthz answers with (issue 13)."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import SettingsError, load_settings
from bot.slack.socket_health import SocketHealth, watch
from tests.harness.clock import ManualClock


def test_unhealthy_until_first_connected_then_tolerates_a_short_reconnect():
    clock = ManualClock(1000.0)
    health = SocketHealth(window=60, clock=clock)
    verdict = health.verdict()
    assert not verdict.healthy and verdict.reason.startswith("not connected to Slack yet")
    health.observe(True)
    assert health.verdict().healthy and health.verdict().reason == "Socket Mode connected"
    clock.now += 5
    health.observe(False)
    clock.now += 30
    verdict = health.verdict()
    assert verdict.healthy and verdict.reason == "Socket Mode reconnecting (35 s)"
    clock.now += 30
    verdict = health.verdict()
    assert (
        not verdict.healthy
        and verdict.reason == "Socket Mode connection to Slack down for 65 s (more than 60 s)"
    )
    health.observe(True)
    assert health.verdict().healthy


async def test_a_failing_check_counts_as_down():
    clock = ManualClock(1000.0)
    health = SocketHealth(window=1, clock=clock)
    health.observe(True)

    async def broken() -> bool:
        raise RuntimeError("client in a bad state")

    task = asyncio.create_task(watch(health, broken, interval=0.01))
    await asyncio.sleep(0.05)
    task.cancel()
    clock.now += 2
    assert not health.verdict().healthy


@pytest.mark.parametrize("value", ["0", "abc", "4000"])
def test_the_window_is_validated(value):
    with pytest.raises(SettingsError, match="PODIUM_SOCKET_HEALTH_SECONDS"):
        load_settings({"PODIUM_SOCKET_HEALTH_SECONDS": value})
    assert load_settings({}).socket_health_seconds == 60
