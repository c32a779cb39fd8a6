from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from kubernetes import client, config


def test_cli_serves_until_terminated(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podium_devkit.kube_api",
            "--kubeconfig-out",
            str(kubeconfig),
            "--namespace",
            "sandbox",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert process.stdout.readline().startswith("https://127.0.0.1:")
        assert process.stdout.readline().startswith("kubeconfig written to")
        assert (
            yaml.safe_load(kubeconfig.read_text())["contexts"][0]["context"]["namespace"]
            == "sandbox"
        )
        api = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
        assert len(api.list_namespaced_pod("sandbox").items) == 3
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    assert process.returncode == 0
