"""Podium builds one WatchHub (`Podium.watches`) from its settings, serves its counters at
/metrics, stops its streams in Podium.close(), and builds none when PODIUM_WATCH=off."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import aiohttp
import pytest

from bot.watch.ports import Change, WatchesOff
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.running import running_podium

TOKEN = "metrics-token-for-watch-tests-0123"


def watch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("watch-") and t.is_alive()]


async def test_podiums_hub_streams_with_its_credentials_counts_and_stops_at_close(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> None:
    seen: list[Change] = []
    async with running_podium(cluster, standin, tmp_path, PODIUM_METRICS_TOKEN=TOKEN) as room:
        hub = room.podium.watches
        hub.subscribe("sandbox", "pods", seen.append, replay=True)
        snapshot = await hub.snapshot("sandbox", "pods", timeout=30)
        assert snapshot.objects and all(o["kind"] == "Pod" for o in snapshot.objects)
        deadline = time.monotonic() + 30
        while hub.watch_requests < 1 or len(seen) < len(snapshot.objects):
            assert time.monotonic() < deadline, "the watch and the replay"
            await asyncio.sleep(0.02)
        assert sorted(c.name for c in seen) == [o["metadata"]["name"] for o in snapshot.objects]
        streamed = [r for r in cluster.requests if r.verb in ("list", "watch")]
        assert {r.user for r in streamed} == {KubeEmulator.DEFAULT_USER}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            async with http.get(f"{room.base_url}/metrics") as response:
                body = await response.text()
        assert "podium_watch_streams 1.0" in body
        assert 'podium_watch_api_requests_total{outcome="ok",verb="list"} 1.0' in body
        assert 'podium_watch_api_requests_total{outcome="ok",verb="watch"} 1.0' in body
        assert watch_threads()
    # Podium.close() stopped the stream and joined its thread.
    assert not watch_threads()


async def test_podium_watch_off_starts_no_stream(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> None:
    async with running_podium(cluster, standin, tmp_path, PODIUM_WATCH="off") as room:
        with pytest.raises(WatchesOff, match="PODIUM_WATCH=off"):
            room.podium.watches.subscribe("sandbox", "pods", lambda change: None)
    assert not [r for r in cluster.requests if r.verb == "watch"]
