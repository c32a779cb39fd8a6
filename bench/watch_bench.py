"""Watching vs polling 200 participant namespaces (issue 17, "Performance and scale").

    python bench/watch_bench.py [--namespaces 200] [--minutes 0.75] [--watch-scale 10] [--json PATH]

The built-in cluster (the Kubernetes API emulator, its kubelet at a real cluster's pace) holds
``--namespaces`` participant namespaces ``ws-u0001`` …, each with a Deployment of two nginx pods
and a Service. During a steady window of ``--minutes`` a participant's pod starts failing every
second or so, in turn: a tag that does not exist (ErrImagePull → ImagePullBackOff), a container
that exits (CrashLoopBackOff), a missing ConfigMap (CreateContainerConfigError), a container
over its memory limit (OOMKilled); the kubelet keeps moving the earlier ones along (back-offs,
restarts), so the streams carry steady churn.

Two subjects run against identical clusters, one after the other in the same run, each in a
worker process of its own (so memory and threads are its own) that builds Podium as `serve`
does (PODIUM_PARTICIPANTS: every participant):

  watch  Podium's notifier started: the shared streams (bot/watch/hub.py) list+watch what it
         follows (pods, jobs, events, …) in every participant namespace, and a failing pod becomes Podium's DM
         (bot/notify: diagnosis, previous log lines, buttons), once per pod and reason.
  poll   the baseline, PODIUM_WATCH=off: the same kinds listed with Podium's gateway for every
         namespace every 5 s; a pod newly in trouble becomes a one-line DM.

Figures, printed as a table with watch/poll ratios and saved as JSON:

  requests/min  API requests the subject made in the steady window (by verb; a watch's
                reconnect, every 300-600 s, and 410 re-lists included when they fall in the
                window), from the emulator's request log; beside it the steady state with
                reconnects, projected from the number of streams and the hub's watch timeouts
                (a window shorter than 300 s sees none: run --minutes 10 to measure them);
  memory        tracemalloc (Python allocations) and RSS growth of the worker, and its threads,
                from before the subject started to the end of the window;
  latency       from the store write that put the pod in trouble (the emulator's change hook)
                to the DM's chat.postMessage at the Slack stand-in: p50/p99/max, and how many
                failures got no DM (goal: p99 under 3 s for watching).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from bot.notify.service import KINDS  # noqa: E402
from bot.watch.cache import MIN_WATCH_SECONDS  # noqa: E402
from podium_devkit import kube_api  # noqa: E402
from podium_devkit.kube_api import KubeEmulator  # noqa: E402
from podium_devkit.kube_controllers import KubeletTimings  # noqa: E402
from podium_devkit.slack_api import SlackStandIn, SlackUser  # noqa: E402

POLL_INTERVAL = 5.0
# What both subjects follow in every namespace: what Podium's notifier watches.
NOTIFIER_KINDS: tuple[str, ...] = tuple(KINDS)
# Waiting reasons (and a terminated reason) that make a pod "in trouble" for the bench's DM.
TROUBLE_WAITING = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError",
     "InvalidImageName"}
)  # fmt: skip
GOAL_P99 = 3.0


# ----------------------------------------------------------------------------------------------
# The room: namespaces, users, the failures injected over time
# ----------------------------------------------------------------------------------------------


def user_of(index: int) -> str:
    return f"U{index:04d}"


def namespace_of(user_id: str) -> str:
    return f"ws-{user_id.lower()}"  # Podium's default PODIUM_PARTICIPANT_NAMESPACE: ws-{user}


def room_seed(namespaces: int) -> list[dict[str, Any]]:
    """Every participant's namespace with a working Deployment (two nginx pods) and its Service."""
    labels = {"app": "web"}
    docs: list[dict[str, Any]] = []
    for index in range(1, namespaces + 1):
        ns = namespace_of(user_of(index))
        docs += [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
             "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
                 "metadata": {"labels": labels},
                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
             "spec": {"selector": labels, "ports": [{"port": 80}]}},
        ]  # fmt: skip
    return docs


def failing_pod(name: str, kind: int) -> dict[str, Any]:
    """One of the four ways a participant's pod fails, in turn."""
    container: dict[str, Any] = {"name": "main"}
    match kind % 4:
        case 0:
            container["image"] = "nginx:1.999"  # no such tag
        case 1:
            container.update(image="busybox:1.36", command=["sh", "-c", "echo starting; exit 1"])
        case 2:
            container.update(image="nginx:1.27", envFrom=[{"configMapRef": {"name": "settings"}}])
        case _:
            container.update(image="polinux/stress", command=["stress"],
                             args=["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
                             resources={"limits": {"memory": "100Mi"}})  # fmt: skip
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container]}}  # fmt: skip


def pod_trouble(pod: Mapping[str, Any]) -> str | None:
    """Why a pod is in trouble now (a waiting reason, OOMKilled, Unschedulable), or None."""
    status = pod.get("status") or {}
    for st in status.get("containerStatuses") or ():
        reason = ((st.get("state") or {}).get("waiting") or {}).get("reason")
        if reason in TROUBLE_WAITING:
            return str(reason)
        for state in (st.get("state") or {}, st.get("lastState") or {}):
            if ((state.get("terminated") or {}).get("reason")) == "OOMKilled":
                return "OOMKilled"
    for condition in status.get("conditions") or ():
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable":
            return "Unschedulable"
    return None


@dataclass
class TroubleClock:
    """The emulator's change hook: when each pod was first written in trouble (time.time())."""

    first: dict[tuple[str, str], float] = field(default_factory=dict)

    def __call__(self, change: Any) -> None:
        if change.resource != "pods" or change.event == "DELETED":
            return
        meta = change.obj.get("metadata") or {}
        key = (meta.get("namespace", ""), meta.get("name", ""))
        if key not in self.first and pod_trouble(change.obj) is not None:
            self.first[key] = time.time()


# ----------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def latency_figures(
    injected: Mapping[tuple[str, str], float],
    troubles: Mapping[tuple[str, str], float],
    dms: Iterable[tuple[float, str]],
) -> dict[str, Any]:
    """Store write → DM, per injected pod: the first DM whose text names the pod (pod names are
    unique in the run). ``dms``: (time, the call's JSON)."""
    calls = sorted(dms)
    latencies: list[float] = []
    missed: list[str] = []
    for key in injected:
        start = troubles.get(key)
        name = key[1]
        found = next((at for at, text in calls if name in text and start is not None), None)
        if start is None or found is None:
            missed.append(f"{key[0]}/{name}")
            continue
        latencies.append(max(0.0, found - start))
    figures: dict[str, Any] = {"failures": len(injected), "notified": len(latencies),
                               "missed": len(missed), "missed_pods": missed[:10]}  # fmt: skip
    if latencies:
        figures.update(
            p50_s=statistics.median(latencies),
            p99_s=percentile(latencies, 99),
            max_s=max(latencies),
        )
    return figures


def request_figures(
    requests: Sequence[Any], user: str, seconds: float, streams: int = 0, watch_scale: int = 1
) -> dict[str, Any]:
    """What ``user`` asked the API server during the window, per minute, by verb.

    The steady state with reconnects: with ``watch_scale`` > 1 the watches timed out that many
    times sooner, so the window's watch requests (and re-lists) are measured and scaled back;
    otherwise each of ``streams`` reconnects once per watch timeout (300-600 s, 450 s on
    average), projected unless the window was long enough to see them."""
    mine = [r for r in requests if r.user == user]
    verbs = {"list": 0, "watch": 0, "get": 0}
    for record in mine:
        verbs[record.verb] = verbs.get(record.verb, 0) + 1
    minutes = seconds / 60
    per_minute = len(mine) / minutes if minutes else 0.0
    if watch_scale > 1 and minutes:
        reconnecting = verbs["watch"] + verbs["list"]  # both come watch_scale times too often
        steady = (len(mine) - reconnecting + reconnecting / watch_scale) / minutes
        reconnects = verbs["watch"] / watch_scale / minutes
        how = f"measured with watches {watch_scale}x shorter, scaled back"
    else:
        reconnects = (
            streams * 60 / (MIN_WATCH_SECONDS * 1.5) if seconds < MIN_WATCH_SECONDS else 0.0
        )
        steady = per_minute + reconnects
        how = "projected from the streams and the 300-600 s watch timeouts"
    return {"requests": len(mine), "per_minute": per_minute, "by_verb": verbs,
            "gone_410": sum(1 for r in mine if r.status == 410),
            "steady_per_minute": steady, "reconnects_per_minute": reconnects,
            "reconnects": how}  # fmt: skip


def rss_bytes() -> int:
    """Resident set size of this process now (VmRSS); 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# ----------------------------------------------------------------------------------------------
# The subjects (in the worker process)
# ----------------------------------------------------------------------------------------------


@dataclass
class Dm:
    """The bench's own DM: one line naming the pod and its reason, once per pod and reason."""

    client: Any  # slack_sdk AsyncWebClient
    sent: set[tuple[str, str, str]] = field(default_factory=set)
    channels: dict[str, str] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def pod_changed(self, namespace: str, pod: Mapping[str, Any]) -> None:
        reason = pod_trouble(pod)
        name = str((pod.get("metadata") or {}).get("name", ""))
        if reason is None or (namespace, name, reason) in self.sent:
            return
        self.sent.add((namespace, name, reason))
        task = asyncio.get_running_loop().create_task(self._send(namespace, name, reason))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, namespace: str, name: str, reason: str) -> None:
        user = namespace.removeprefix("ws-").upper()
        channel = self.channels.get(user)
        if channel is None:
            opened = await self.client.conversations_open(users=user)
            channel = self.channels[user] = opened["channel"]["id"]
        await self.client.chat_postMessage(channel=channel, text=f"Pod {name} is in {reason}.")


async def poll_subject(
    gateway: Any, dm: Dm, namespaces: Sequence[str], stop: asyncio.Event
) -> None:
    """The baseline: list every kind in every namespace every POLL_INTERVAL seconds."""

    async def one(namespace: str) -> None:
        for kind in NOTIFIER_KINDS:
            try:
                items = await gateway.list(kind, namespace)
            except Exception:  # a failed poll is retried on the next round, as a poller would
                continue
            if kind == "pods":
                for pod in items:
                    dm.pod_changed(namespace, pod)

    while not stop.is_set():
        started = time.monotonic()
        await asyncio.gather(*(one(ns) for ns in namespaces))
        left = POLL_INTERVAL - (time.monotonic() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, left))


# ----------------------------------------------------------------------------------------------
# A phase: one cluster, one subject in its worker, the failures, the figures
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    namespaces: int = 200
    seconds: float = 60.0  # the steady window
    warmup: float = 5.0  # after the worker is ready (the watch: every stream listed)
    grace: float = 7.0  # after the window: the last failures' DMs (poll: one round and more)
    inject_every: float = 1.0
    # >1: the hub's watches time out this many times sooner (30-60 s for 10), so a short window
    # sees their reconnects; the figures are scaled back to the real timeouts.
    watch_scale: int = 1
    kubelet: KubeletTimings = field(default_factory=KubeletTimings)  # a real cluster's pace


async def admin_post(session: aiohttp.ClientSession, url: str, body: Mapping[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {KubeEmulator.ADMIN_TOKEN}"}
    async with session.post(url, json=body, headers=headers) as response:
        if response.status != 201:
            raise RuntimeError(f"creating {url}: {response.status} {await response.text()}")


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def run_phase(mode: str, scale: Scale, workdir: Path) -> dict[str, Any]:
    progress(f"{mode}: building the room ({scale.namespaces} namespaces)")
    users = [user_of(i) for i in range(1, scale.namespaces + 1)]
    namespaces = [namespace_of(u) for u in users]
    emulator = KubeEmulator(room_seed(scale.namespaces), authorize=False, kubelet=scale.kubelet,
                            history_seconds=kube_api.DEFAULT_HISTORY_SECONDS)  # fmt: skip
    clock = TroubleClock()
    emulator.store.listeners.append(clock)
    async with emulator, SlackStandIn() as standin:
        for user in users:
            standin.add_user(SlackUser(user, user.lower(), f"Participant {user}"))
        kubeconfig = emulator.write_kubeconfig(workdir / f"{mode}.kubeconfig", tls=False)
        worker = await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), "--worker", mode,
            "--kubeconfig", str(kubeconfig), "--slack-url", standin.api_url,
            "--slack-token", standin.bot_token, "--namespaces", str(scale.namespaces),
            "--watch-scale", str(scale.watch_scale),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        assert worker.stdout is not None and worker.stdin is not None
        try:
            ready = json.loads(await asyncio.wait_for(worker.stdout.readline(), 300))
            progress(f"{mode}: Podium ready; the steady window starts")
            await asyncio.sleep(scale.warmup)
            first_request = len(emulator.requests)
            injected: dict[tuple[str, str], float] = {}
            started = time.monotonic()
            async with aiohttp.ClientSession(emulator.url) as session:
                count = 0
                while (due := started + count * scale.inject_every) < started + scale.seconds:
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    ns = namespaces[(count * 7) % len(namespaces)]  # spread over the room
                    name = f"broken-{count:04d}"
                    await admin_post(session, f"/api/v1/namespaces/{ns}/pods",
                                     failing_pod(name, count))  # fmt: skip
                    injected[(ns, name)] = time.time()
                    count += 1
                await asyncio.sleep(max(0.0, started + scale.seconds - time.monotonic()))
            window = time.monotonic() - started
            progress(f"{mode}: {len(injected)} failures injected; waiting for the last DMs")
            in_window = emulator.requests[first_request:]
            await asyncio.sleep(scale.grace)
            worker.stdin.write(b"stop\n")
            await worker.stdin.drain()
            figures = json.loads(await asyncio.wait_for(worker.stdout.readline(), 60))
        finally:
            if worker.returncode is None:
                worker.kill()
            await worker.wait()
        dms = [(call.at, json.dumps(call.args)) for call in standin.calls("chat.postMessage")]
        return {
            "mode": mode,
            "setup_s": ready.get("setup_s"),
            "window_s": window,
            "api": request_figures(
                in_window,
                KubeEmulator.DEFAULT_USER,
                window,
                int(figures.get("streams") or 0),
                scale.watch_scale if mode == "watch" else 1,
            ),
            "memory": figures,
            "latency": latency_figures(injected, clock.first, dms),
        }


# ----------------------------------------------------------------------------------------------
# The worker process
# ----------------------------------------------------------------------------------------------


async def worker_main(
    mode: str, kubeconfig: Path, slack_url: str, token: str, count: int, watch_scale: int = 1
) -> None:
    """One subject in its own process: Podium built as `serve` builds it, then either its
    notifier started (watch) or the 5 s poller beside it (poll, PODIUM_WATCH=off)."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.app import build_podium
    from bot.settings import load_settings
    from bot.watch import hub

    if watch_scale > 1:  # the bench's knob, not a setting: shorter watches, same jitter
        real = hub.watch_seconds
        hub.watch_seconds = lambda rng: max(1, real(rng) // watch_scale)
    tracemalloc.start()
    users = [user_of(i) for i in range(1, count + 1)]
    state = tempfile.mkdtemp(prefix="podium-watch-bench-state-")
    settings = load_settings({
        "KUBECONFIG": str(kubeconfig), "SLACK_BOT_TOKEN": token, "SLACK_API_URL": slack_url,
        "SLACK_SIGNING_SECRET": "bench", "PODIUM_STATE": str(Path(state) / "podium.db"),
        "PODIUM_PARTICIPANTS": ",".join(users), "PODIUM_WATCH": "on" if mode == "watch" else "off",
    })  # fmt: skip
    podium = await build_podium(settings)
    dm = Dm(AsyncWebClient(token=token, base_url=settings.slack_api_url))
    namespaces = [namespace_of(u) for u in users]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    before = (tracemalloc.get_traced_memory()[0], rss_bytes(), threading.active_count())
    tracemalloc.reset_peak()
    started = time.monotonic()
    running: asyncio.Task[None] | None = None
    if mode == "poll":
        running = loop.create_task(poll_subject(podium.gateway, dm, namespaces, stop))
    else:
        await podium.start()
        # Every stream has listed once: what follows is the steady state.
        await asyncio.gather(*(podium.watches.snapshot(ns, kind, timeout=120)
                               for ns in namespaces for kind in NOTIFIER_KINDS))  # fmt: skip
    setup = time.monotonic() - started
    print(json.dumps({"ready": True, "setup_s": setup}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    after = (tracemalloc.get_traced_memory()[0], rss_bytes(), threading.active_count())
    peak = tracemalloc.get_traced_memory()[1]
    stop.set()
    if running is not None:
        await asyncio.wait_for(running, 60)
    figures: dict[str, Any] = {
        "setup_s": setup,
        "traced_bytes": after[0] - before[0],
        "traced_peak_bytes": peak - before[0],
        "rss_bytes": after[1] - before[1],
        "threads": after[2] - before[2],
        "threads_total": after[2],
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if mode == "watch":
        hub, notifier = podium.watches, podium.notifier
        own = sorted(notifier.latencies)
        figures.update(
            dms_sent=notifier.sent,
            streams=hub.streams,
            list_requests=hub.list_requests,
            watch_requests=hub.watch_requests,
            relists=hub.relists,
            events_received=hub.events_received,
            notifier_p50_s=statistics.median(own) if own else None,
            notifier_p99_s=percentile(own, 99) if own else None,
        )
    else:
        figures["dms_sent"] = len(dm.sent)
    print(json.dumps(figures), flush=True)
    os._exit(0)  # hundreds of stream threads and the gateway's pool need no orderly goodbye


# ----------------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def table(results: Mapping[str, Mapping[str, Any]]) -> str:
    watch, poll = results.get("watch", {}), results.get("poll", {})

    def get(phase: Mapping[str, Any], *path: str) -> float | None:
        value: Any = phase
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        return float(value) if isinstance(value, int | float) else None

    rows = [
        ("API requests/min (window)", ("api", "per_minute"), 1, ""),
        ("  with reconnects, steady", ("api", "steady_per_minute"), 1, ""),
        ("  list (window)", ("api", "by_verb", "list"), 1, ""),
        ("  watch (window)", ("api", "by_verb", "watch"), 1, ""),
        ("  get: logs (window)", ("api", "by_verb", "get"), 1, ""),
        ("  410 Gone (window)", ("api", "gone_410"), 1, ""),
        ("ready after", ("setup_s",), 1, " s"),
        ("tracemalloc growth", ("memory", "traced_bytes"), 1 / 2**20, " MiB"),
        ("tracemalloc peak", ("memory", "traced_peak_bytes"), 1 / 2**20, " MiB"),
        ("RSS growth", ("memory", "rss_bytes"), 1 / 2**20, " MiB"),
        ("threads added", ("memory", "threads"), 1, ""),
        ("failures injected", ("latency", "failures"), 1, ""),
        ("DMs (one per failure)", ("latency", "notified"), 1, ""),
        ("latency p50", ("latency", "p50_s"), 1, " s"),
        ("latency p99", ("latency", "p99_s"), 1, " s"),
        ("latency max", ("latency", "max_s"), 1, " s"),
    ]
    lines = [f"{'':26}{'watch':>14}{'poll 5 s':>14}{'watch/poll':>12}"]
    for label, path, scale, unit in rows:
        w, p = get(watch, *path), get(poll, *path)
        shown = [("-" if v is None else f"{v * scale:,.2f}{unit}") for v in (w, p)]
        compared = ratio(w, p) if label != "ready after" else "-"  # polling has no start-up
        lines.append(f"{label:26}{shown[0]:>14}{shown[1]:>14}{compared:>12}")
    how = (watch.get("api") or {}).get("reconnects")
    if how:
        lines.append(f"watch reconnects: {how}")
    p99 = get(watch, "latency", "p99_s")
    if p99 is not None:
        verdict = "PASS" if p99 < GOAL_P99 else "MISS"
        lines.append(f"goal: watch p99 < {GOAL_P99:g} s: {verdict} ({p99:.2f} s)")
    return "\n".join(lines)


async def bench(scale: Scale, modes: Sequence[str] = ("watch", "poll")) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="podium-watch-bench-") as tmp:
        for mode in modes:
            results[mode] = await run_phase(mode, scale, Path(tmp))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument(
        "--minutes", type=float, default=0.75, help="the steady window of each phase"
    )
    parser.add_argument("--modes", default="watch,poll")
    parser.add_argument("--watch-scale", type=int, default=1,
                        help="watches time out N times sooner, to measure reconnects in a short window")  # fmt: skip
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "watch.json")
    parser.add_argument("--worker", choices=("watch", "poll"), help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    parser.add_argument("--slack-token", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        asyncio.run(worker_main(options.worker, options.kubeconfig, options.slack_url,
                                options.slack_token, options.namespaces, options.watch_scale))  # fmt: skip
        return
    scale = Scale(namespaces=options.namespaces, seconds=options.minutes * 60,
                  watch_scale=max(1, options.watch_scale))  # fmt: skip
    results = asyncio.run(bench(scale, [m for m in options.modes.split(",") if m]))
    print(f"{scale.namespaces} namespaces, {scale.seconds:.0f} s steady window per subject, "
          f"a failing pod every {scale.inject_every:g} s, kubelet at a real cluster's pace")  # fmt: skip
    print(table(results))
    save(options.json, scale, results)
    shown = options.json.relative_to(ROOT) if options.json.is_relative_to(ROOT) else options.json
    print(f"saved {shown}")


def save(path: Path, scale: Scale, results: Mapping[str, Any]) -> None:
    """The figures as JSON, beside the other benches' results."""
    path.parent.mkdir(parents=True, exist_ok=True)
    described = {"namespaces": scale.namespaces, "seconds": scale.seconds,
                 "inject_every": scale.inject_every, "kubelet_backoff": scale.kubelet.backoff_base,
                 "watch_scale": scale.watch_scale}  # fmt: skip
    path.write_text(json.dumps({"scale": described, "results": results}, indent=2))


if __name__ == "__main__":
    main()
