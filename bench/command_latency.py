"""Ack latency and time-to-answer for one `/kubectl get pods`, sequentially, Podium vs the floor.

    python bench/command_latency.py [--runs 20]

Podium runs as a real process in HTTP mode against the Slack stand-in and the Kubernetes API
emulator (both in this process); the floor is a bare Bolt app answering a constant. Figures are
medians (and p90) over the runs, with Podium's shown as a ratio to the floor measured in the same
run, so the ratio holds on a noisy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths  # noqa: E402
from podium_devkit.slack_api import SlackStandIn  # noqa: E402
from podium_devkit.slack_sender import SlackSender  # noqa: E402

SECRET = "bench-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return process


async def wait_healthy(url: str, timeout: float = 30) -> None:
    import aiohttp

    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.post(url, data=b"") as response:
                    if response.status in (200, 401):  # up, and refusing an unsigned request
                        return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{url} did not come up")
            await asyncio.sleep(0.1)


async def measure(events_url: str, standin: SlackStandIn, runs: int) -> dict[str, list[float]]:
    acks, answers = [], []
    async with SlackSender(events_url, SECRET, standin) as sender:
        for _ in range(2):  # warm-up: auth.test, connection pools, first imports
            sent = await sender.slash_command("/kubectl", "get pods")
            await standin.wait_for_responses(sent.response_url, count=1, timeout=20)
        for _ in range(runs):
            started = asyncio.get_running_loop().time()
            sent = await sender.slash_command("/kubectl", "get pods")
            await standin.wait_for_responses(sent.response_url, count=1, timeout=20)
            acks.append(sent.elapsed_seconds)
            answers.append(asyncio.get_running_loop().time() - started)
    return {"ack": acks, "answer": answers}


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()

    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator, SlackStandIn() as standin:
        workdir = Path(tempfile.mkdtemp(prefix="podium-bench-"))
        kubeconfig = emulator.write_kubeconfig(workdir / "kubeconfig")
        base_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBE"))
        }
        base_env.update(
            SLACK_BOT_TOKEN=standin.bot_token,
            SLACK_API_URL=standin.api_url,
            SLACK_SIGNING_SECRET=SECRET,
            KUBECONFIG=str(kubeconfig),
        )
        results = {}
        for name, argv in (
            ("floor", [sys.executable, "bench/floor_app.py"]),
            (
                "podium",
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "--log-level",
                    "WARNING",
                    "serve",
                    "--host",
                    "127.0.0.1",
                ],
            ),
        ):
            port = free_port()
            process = await start(argv, {**base_env, "PORT": str(port)})
            try:
                url = f"http://127.0.0.1:{port}/slack/events"
                await wait_healthy(url)
                results[name] = await measure(url, standin, options.runs)
            finally:
                process.terminate()
                await process.wait()

    table = {
        name: {metric: summary(values) for metric, values in figures.items()}
        for name, figures in results.items()
    }
    print(f"{options.runs} sequential signed `/kubectl get pods`, HTTP mode, stand-ins on loopback")
    print(f"{'':10}{'ack median':>12}{'ack p90':>10}{'answer median':>15}{'answer p90':>12}")
    for name in ("floor", "podium"):
        row = table[name]
        print(
            f"{name:10}{row['ack']['median_ms']:>10.1f}ms{row['ack']['p90_ms']:>8.1f}ms"
            f"{row['answer']['median_ms']:>13.1f}ms{row['answer']['p90_ms']:>10.1f}ms"
        )
    ratio = {
        m: table["podium"][m]["median_ms"] / table["floor"][m]["median_ms"]
        for m in ("ack", "answer")
    }
    print(f"{'ratio':10}{ratio['ack']:>11.2f}x{'':10}{ratio['answer']:>14.2f}x")
    if options.json:
        options.json.write_text(
            json.dumps({"runs": options.runs, "figures": table, "ratio": ratio}, indent=2)
        )


if __name__ == "__main__":
    asyncio.run(main())
