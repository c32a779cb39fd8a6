"""Is Podium's Socket Mode connection to Slack alive? `/healthz` in Socket Mode answers from this.

The process being up says nothing: the aiohttp socket client has had states it never recovers
from (python-slack-sdk #1110, #1446), and then no command, button or mention reaches Podium.
A watcher samples the client's own view of its connection (open websocket, not stale, ping/pong
answered) every second; the verdict is healthy while the connection was up within the last
`window` seconds, so a reconnect (Slack asks for one every few hours) does not fail a probe,
but a connection that stays down does, with why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 1.0


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    reason: str  # one line, for the probe's body and the log


class SocketHealth:
    """When the Socket Mode connection was last seen up. Pure state plus a clock."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._started = clock()
        self._last_up: float | None = None
        self._up = False

    def observe(self, connected: bool) -> None:
        now = self._clock()
        if connected:
            self._last_up = now
        if connected != self._up:
            log.log(
                logging.INFO if connected else logging.WARNING,
                "Socket Mode connection to Slack %s",
                "is up" if connected else "is down",
            )
        self._up = connected

    def verdict(self) -> Verdict:
        now = self._clock()
        if self._last_up is None:
            return Verdict(
                False, f"not connected to Slack yet ({now - self._started:.0f} s since start)"
            )
        down_for = now - self._last_up
        if self._up or down_for <= self.window:
            state = "connected" if self._up else f"reconnecting ({down_for:.0f} s)"
            return Verdict(True, f"Socket Mode {state}")
        return Verdict(
            False,
            f"Socket Mode connection to Slack down for {down_for:.0f} s "
            f"(more than {self.window:g} s)",
        )


async def watch(
    health: SocketHealth,
    is_connected: Callable[[], Awaitable[bool]],
    interval: float = SAMPLE_SECONDS,
) -> None:
    """Sample the client until cancelled; a failing check counts as down."""
    while True:
        try:
            connected = bool(await is_connected())
        except Exception as error:  # noqa: BLE001 — a broken client is exactly what this reports
            log.warning("could not check the Socket Mode connection: %s", type(error).__name__)
            connected = False
        health.observe(connected)
        await asyncio.sleep(interval)
