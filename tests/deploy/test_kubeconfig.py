"""`python -m bot kubeconfig`: run with an admin kubeconfig against the API emulator, it hands back
a kubeconfig that holds only a token of Podium's ServiceAccount, which the emulator then treats
exactly like that ServiceAccount (the manifests' RBAC applies)."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import main
from bot.kubectl.access import NamespaceAccess
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.kubectl.service import KubectlService
from bot.settings import load_settings
from podium_devkit.kube_api import EmulatorThread, KubeEmulator, demo_seed_paths, load_documents
from tests.harness.kubectl_binary import kubectl_binary

PODIUM = "system:serviceaccount:podium:podium"


@pytest.fixture
def emulator() -> Iterator[KubeEmulator]:
    # A Secret that is no token, beside Podium's ServiceAccount: --secret-name must not hand it out.
    db = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "db-credentials", "namespace": "podium"},
        "stringData": {"password": "x"},
    }
    emulator = KubeEmulator([*load_documents(*demo_seed_paths()), db])
    with EmulatorThread(emulator):
        yield emulator


@pytest.fixture
def admin_kubeconfig(emulator: KubeEmulator, tmp_path: Path) -> Path:
    return emulator.write_kubeconfig(tmp_path / "admin.kubeconfig", token=KubeEmulator.ADMIN_TOKEN)


def run(capsys: pytest.CaptureFixture[str], admin: Path, *args: str) -> tuple[int, str, str]:
    code = main(["kubeconfig", "--kubeconfig", str(admin), *args])
    out, err = capsys.readouterr()
    return code, out, err


def only_token(config: dict[str, Any]) -> str:
    [user] = config["users"]
    assert list(user["user"]) == ["token"], "the kubeconfig must carry nothing but the token"
    return str(user["user"]["token"])


def test_creates_a_token_secret_waits_for_it_and_prints_a_token_only_kubeconfig(
    emulator: KubeEmulator, admin_kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, admin_kubeconfig)
    assert code == 0, err
    config = yaml.safe_load(out)
    token = only_token(config)
    assert token != KubeEmulator.ADMIN_TOKEN and emulator.tokens[token] == PODIUM
    admin = yaml.safe_load(admin_kubeconfig.read_text())["clusters"][0]["cluster"]
    cluster = config["clusters"][0]["cluster"]
    assert cluster == {
        "server": admin["server"],
        "certificate-authority-data": admin["certificate-authority-data"],
    }
    [context] = config["contexts"]
    assert (
        config["current-context"] == context["name"]
        and context["context"]["namespace"] == "sandbox"
    )
    secret = emulator.get_object("secrets", "podium", "podium-token")
    assert secret is not None and secret["type"] == "kubernetes.io/service-account-token"
    assert secret["metadata"]["annotations"] == {"kubernetes.io/service-account.name": "podium"}
    assert "created Secret podium/podium-token" in err
    # Run again: the same Secret, the same token.
    code, out, err = run(capsys, admin_kubeconfig)
    assert code == 0 and only_token(yaml.safe_load(out)) == token and "created" not in err


def test_duration_uses_the_token_request_api_and_stores_nothing(
    emulator: KubeEmulator, admin_kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, admin_kubeconfig, "--duration", "12h")
    assert code == 0, err
    token = only_token(yaml.safe_load(out))
    assert emulator.tokens[token] == PODIUM
    assert emulator.get_object("secrets", "podium", "podium-token") is None
    [request] = [r for r in emulator.requests if r.subresource == "token"]
    assert (request.method, request.path, request.user) == (
        "POST",
        "/api/v1/namespaces/podium/serviceaccounts/podium/token",
        KubeEmulator.ADMIN_USER,
    )


def test_the_issued_kubeconfig_is_podiums_read_only_identity_for_real_kubectl(
    admin_kubeconfig: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "podium.kubeconfig"
    code, out, err = run(capsys, admin_kubeconfig, "--output", str(target))
    assert code == 0 and out == "" and f"written to {target}" in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        # HOME in tmp: kubectl's discovery cache stays out of the real home directory.
        env = {**os.environ, "HOME": str(tmp_path), "KUBECONFIG": str(target)}
        return subprocess.run(
            [kubectl_binary(), *args], capture_output=True, text=True, timeout=60, env=env
        )

    pods = kubectl("get", "pods")
    assert pods.returncode == 0 and "nginx-" in pods.stdout, pods.stderr
    secrets = kubectl("get", "secrets")
    assert secrets.returncode != 0
    assert f'User "{PODIUM}" cannot list resource "secrets"' in secrets.stderr
    elsewhere = kubectl("get", "pods", "-n", "kube-system")
    assert elsewhere.returncode != 0 and "Forbidden" in elsewhere.stderr
    # Podium's own namespace (its pod, its environment) is not readable with its own token.
    own = kubectl("get", "pods", "-n", "podium")
    assert own.returncode != 0 and f'User "{PODIUM}" cannot list resource "pods"' in own.stderr


async def test_base64_output_is_what_podium_kubeconfig_b64_accepts(
    emulator: KubeEmulator, admin_kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, admin_kubeconfig, "--base64")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    token = only_token(yaml.safe_load(base64.b64decode(out)))
    settings = load_settings({"PODIUM_KUBECONFIG_B64": out.strip()})
    gateway = ClusterGateway(api_client_from_settings(settings), timeout=5)
    try:
        answer = await KubectlService(NamespaceAccess.from_settings(settings), gateway).run(
            "get pods"
        )
    finally:
        await gateway.close()
    assert answer.ok and "nginx-" in answer.body, answer.body
    assert {r.user for r in emulator.requests if r.resource == "pods"} == {PODIUM}
    assert emulator.tokens[token] == PODIUM


def test_server_can_be_overridden(
    admin_kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # e.g. the API server's public endpoint when the admin kubeconfig uses a private one.
    code, out, _ = run(capsys, admin_kubeconfig, "--server", "https://api.workshop.example.com")
    assert code == 0
    assert (
        yaml.safe_load(out)["clusters"][0]["cluster"]["server"]
        == "https://api.workshop.example.com"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--service-account", "nobody"],
            1,
            "ServiceAccount podium/nobody does not exist; apply the manifests first",
        ),
        (["--duration", "5m"], 2, "--duration: '5m' must be at least 10m"),
        (["--duration", "soon"], 2, "--duration: 'soon' must be at least 10m"),
        (
            ["--service-account", "Podium!"],
            2,
            "--service-account: 'Podium!' is not a valid Kubernetes name",
        ),
        (
            ["--secret-name", "db-credentials"],
            1,
            "Secret podium/db-credentials exists but is not a token of ServiceAccount podium",
        ),
    ],
)
def test_failures_are_one_line(
    admin_kubeconfig: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    exit_code, out, err = run(capsys, admin_kubeconfig, *args)
    assert (exit_code, out) == (code, "")
    assert (
        len(err.strip().splitlines()) == 1
        and err.startswith("podium kubeconfig: ")
        and message in err
    )


def test_a_non_admin_kubeconfig_is_told_it_lacks_the_right(
    emulator: KubeEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Podium's own token cannot read ServiceAccounts, let alone create token Secrets.
    weak = emulator.write_kubeconfig(tmp_path / "weak.kubeconfig")
    code, out, err = run(capsys, weak)
    assert code == 1 and out == ""
    assert "cannot read ServiceAccount podium/podium: 403" in err


def test_a_missing_admin_kubeconfig_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, tmp_path / "nope")
    assert code == 2 and "cannot use the admin kubeconfig" in err
