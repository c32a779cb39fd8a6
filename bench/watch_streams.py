"""The shared namespace streams (bot/watch/hub.py): threads and memory for many streams, the time
from a write to the subscriber's callback, and API requests per stream per hour.

    python bench/watch_streams.py [--namespaces 200] [--changes 200] [--scaled-seconds 60]

The Kubernetes API emulator runs as its own process (as an API server would), reached through a
kubeconfig over TLS. Three phases:

1. `--namespaces` namespaces x (pods, events) streams in one WatchHub: threads and resident
   memory of this process before and after, and the time until every stream has listed.
2. With those streams running, `--changes` writes (create, then delete, of a Service in the
   sandbox, one at a time): seconds from sending the write to the subscriber's callback.
3. Steady-state requests: 50 streams whose watches last 3-6 s instead of 300-600 s (1/100 of
   the real timeouts, same jitter) for `--scaled-seconds`; the requests counted, scaled back to
   one stream for one hour, beside polling the same stream every 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.kubectl.gateway import api_client_from_settings  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.watch.hub import WatchHub  # noqa: E402
from bot.watch.ports import Change  # noqa: E402
from podium_devkit.kube_api import KubeEmulator  # noqa: E402

KINDS = ("pods", "events")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_emulator(folder: Path) -> tuple[subprocess.Popen[bytes], Path, str]:
    kubeconfig = folder / "kubeconfig"
    process = subprocess.Popen(
        [sys.executable, "-m", "podium_devkit.kube_api", "--no-authorize",
         "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    url = process.stdout.readline().decode().strip()  # the plain http URL comes first
    deadline = time.monotonic() + 60
    while not kubeconfig.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the emulator did not start")
        time.sleep(0.05)
    return process, kubeconfig, url


def hub_for(kubeconfig: Path, **tuning: object) -> WatchHub:
    settings = load_settings({"KUBECONFIG": str(kubeconfig)})
    return WatchHub(api_client_from_settings(settings), **tuning)  # type: ignore[arg-type]


async def many_streams(kubeconfig: Path, namespaces: int) -> WatchHub:
    threads, rss = threading.active_count(), rss_mib()
    hub = hub_for(kubeconfig)
    started = time.monotonic()
    for i in range(namespaces):
        for kind in KINDS:
            hub.subscribe(f"ws-u{i:04d}", kind, lambda change: None)
    await asyncio.gather(
        *(hub.snapshot(f"ws-u{i:04d}", k, timeout=300) for i in range(namespaces) for k in KINDS)
    )
    listed = time.monotonic() - started
    deadline = time.monotonic() + 120
    while hub.watch_requests < hub.streams:  # every stream has its watch open
        if time.monotonic() > deadline:
            raise RuntimeError("not every stream opened its watch")
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)  # let the allocations settle
    print(f"streams: {hub.streams} ({namespaces} namespaces x {', '.join(KINDS)})")
    print(f"  all listed in {listed:.1f}s; requests so far: {hub.list_requests} lists, "
          f"{hub.watch_requests} watches")  # fmt: skip
    print(f"  threads: {threads} -> {threading.active_count()}")
    print(f"  resident memory: {rss:.0f} MiB -> {rss_mib():.0f} MiB "
          f"({(rss_mib() - rss) * 1024 / hub.streams:.0f} KiB per stream)")  # fmt: skip
    return hub


async def latency(hub: WatchHub, url: str, changes: int) -> None:
    arrived: dict[tuple[str, str], float] = {}
    got = asyncio.Event()

    def on_change(change: Change) -> None:
        arrived[(change.type, change.name)] = time.perf_counter()
        got.set()

    hub.subscribe("sandbox", "services", on_change)
    await hub.snapshot("sandbox", "services", timeout=60)
    await asyncio.sleep(1)  # its watch is open
    seconds: list[float] = []
    admin = {"Authorization": f"Bearer {KubeEmulator.ADMIN_TOKEN}"}
    path = "/api/v1/namespaces/sandbox/services"
    async with aiohttp.ClientSession(url, headers=admin) as http:
        for i in range(changes):
            name = f"bench-{i // 2}"
            kind = "ADDED" if i % 2 == 0 else "DELETED"
            got.clear()
            sent = time.perf_counter()
            if kind == "ADDED":
                body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                        "spec": {"ports": [{"port": 80}]}}  # fmt: skip
                async with http.post(path, json=body) as response:
                    assert response.status == 201, await response.text()
            else:
                async with http.delete(f"{path}/{name}") as response:
                    assert response.status == 200, await response.text()
            while (kind, name) not in arrived:
                await asyncio.wait_for(got.wait(), 30)
                got.clear()
            seconds.append(arrived[(kind, name)] - sent)
    seconds.sort()
    cut = statistics.quantiles(seconds, n=100, method="inclusive")
    print(f"write -> subscriber callback, {changes} changes, {hub.streams} streams running:")
    print(
        f"  p50 {cut[49] * 1000:.1f} ms, p99 {cut[98] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms"
    )


async def steady_requests(kubeconfig: Path, seconds: float) -> None:
    rng = random.Random(17)
    streams = 50
    scale = 100  # the watches last 1/100 of the real 300-600 s
    hub = hub_for(kubeconfig, watch_seconds=lambda: rng.randint(3, 6))
    try:
        for i in range(streams):
            hub.subscribe(f"ws-s{i:03d}", "pods", lambda change: None)
        await asyncio.gather(*(hub.snapshot(f"ws-s{i:03d}", "pods", timeout=120)
                               for i in range(streams)))  # fmt: skip
        lists, watches = hub.list_requests, hub.watch_requests
        await asyncio.sleep(seconds)
        lists, watches = hub.list_requests - lists, hub.watch_requests - watches
    finally:
        await hub.close()
    per_hour = (lists + watches) / streams / seconds * 3600 / scale
    print(f"steady state: {streams} streams for {seconds:.0f}s at 1/{scale} of the timeouts: "
          f"{watches} watches, {lists} lists")  # fmt: skip
    print(f"  = {per_hour:.1f} requests per stream per hour at 300-600 s watches "
          f"(expected 3600/450 = 8.0; polling every 5 s: 720)")  # fmt: skip
    print(f"  = {per_hour * 200 * len(KINDS) / 60:.1f} requests per minute for 200 namespaces x "
          f"{len(KINDS)} kinds (polling every 5 s: {200 * len(KINDS) * 12})")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--scaled-seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, kubeconfig, url = start_emulator(Path(folder))
        try:
            hub = await many_streams(kubeconfig, args.namespaces)
            try:
                await latency(hub, url, args.changes)
            finally:
                started = time.monotonic()
                await hub.close()
                print(f"close(): {time.monotonic() - started:.2f}s for {args.namespaces * 2 + 1} "
                      f"streams; threads left: {threading.active_count()}")  # fmt: skip
            await steady_requests(kubeconfig, args.scaled_seconds)
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
