"""bench/watch_bench.py at a tiny scale: three namespaces, a few seconds of failures, both
subjects as worker processes running Podium. Checks that it produces every figure and that they
say what watching and polling do (who lists, who watches, one DM per failing pod), not how fast
this machine is."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.harness.paths import REPO


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("watch_bench", REPO / "bench" / "watch_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["watch_bench"] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench()


def test_a_pod_in_trouble_is_told_from_its_status(bench: ModuleType) -> None:
    waiting = {
        "status": {"containerStatuses": [{"state": {"waiting": {"reason": "ImagePullBackOff"}}}]}
    }
    oom = {"status": {"containerStatuses": [{"state": {"running": {}},
                                             "lastState": {"terminated": {"reason": "OOMKilled"}}}]}}  # fmt: skip
    pending = {"status": {"conditions": [{"type": "PodScheduled", "reason": "Unschedulable"}]}}
    fine = {"status": {"containerStatuses": [{"state": {"running": {}}}]}}
    assert [bench.pod_trouble(p) for p in (waiting, oom, pending, fine)] == [
        "ImagePullBackOff",
        "OOMKilled",
        "Unschedulable",
        None,
    ]
    kinds = {bench.failing_pod(f"p{i}", i)["spec"]["containers"][0].get("image") for i in range(4)}
    assert kinds == {"nginx:1.999", "busybox:1.36", "nginx:1.27", "polinux/stress"}


def test_latency_is_from_the_store_write_to_the_first_dm_naming_the_pod(bench: ModuleType) -> None:
    injected = {("ws-u0001", "broken-0000"): 0.0, ("ws-u0002", "broken-0001"): 0.0,
                ("ws-u0003", "broken-0002"): 0.0}  # fmt: skip
    troubles = {("ws-u0001", "broken-0000"): 10.0, ("ws-u0002", "broken-0001"): 20.0}
    dms = [(12.5, '{"text": "broken-0000 ImagePullBackOff"}'), (11.0, '{"text": "web-1"}'),
           (21.0, '{"text": "broken-0001"}'), (30.0, '{"text": "broken-0000 again"}')]  # fmt: skip
    figures = bench.latency_figures(injected, troubles, dms)
    assert (figures["failures"], figures["notified"], figures["missed"]) == (3, 2, 1)
    assert figures["missed_pods"] == ["ws-u0003/broken-0002"]
    assert (figures["p50_s"], figures["max_s"]) == (1.75, 2.5)
    assert bench.percentile([float(i) for i in range(1, 101)], 99) == 99.0


async def test_the_bench_measures_watching_beside_polling(
    bench: ModuleType, tmp_path: Path
) -> None:
    scale = bench.Scale(namespaces=3, seconds=6.0, warmup=1.0, grace=7.0, inject_every=1.0)
    results: dict[str, Any] = await bench.bench(scale)
    watch, poll = results["watch"], results["poll"]
    for phase in (watch, poll):
        latency = phase["latency"]
        assert latency["failures"] >= 4, latency
        assert latency["notified"] == latency["failures"] and latency["missed"] == 0, latency
        assert 0 <= latency["p50_s"] <= latency["p99_s"] <= latency["max_s"]
        memory = phase["memory"]
        assert {"traced_bytes", "traced_peak_bytes", "rss_bytes", "threads"} <= set(memory)
        assert memory["traced_peak_bytes"] >= memory["traced_bytes"]
    # Watching: every stream listed before the window, then nothing is listed again; the only
    # requests are the previous logs the DMs quote. Polling lists every kind every round.
    assert watch["memory"]["streams"] == 3 * len(bench.NOTIFIER_KINDS)
    assert watch["memory"]["threads"] >= watch["memory"]["streams"]  # one reader per stream
    assert watch["api"]["by_verb"]["list"] == 0 and watch["api"]["by_verb"]["watch"] == 0
    assert watch["api"]["steady_per_minute"] > watch["api"]["per_minute"]  # reconnects projected
    assert poll["api"]["by_verb"]["list"] >= 3 * len(bench.NOTIFIER_KINDS)
    assert poll["api"]["by_verb"]["watch"] == 0
    assert watch["memory"]["dms_sent"] == watch["latency"]["failures"]

    printed = bench.table(results)
    assert printed.splitlines()[0].split() == ["watch", "poll", "5", "s", "watch/poll"]
    assert "latency p99" in printed and "API requests/min (window)" in printed
    assert printed.splitlines()[-1].startswith("goal: watch p99 < 3 s: ")
    saved = tmp_path / "watch.json"
    bench.save(saved, scale, results)
    assert json.loads(saved.read_text())["results"]["poll"]["api"] == poll["api"]
