"""`participants teardown` and `participants revoke` against the API emulator, with the
instructor's admin kubeconfig, as on a real cluster: only the namespaces labelled by
`participants manifests` are touched; a revoked token is refused (401) at once, a new one works.

These need the emulator's write verbs (DELETE of namespaces and ServiceAccounts, POST of
ServiceAccounts, tokens bound to the ServiceAccount's UID), added by the WRITES part of issue 14."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.ops.participants import build_participants, manifests
from podium_devkit.kube_api import EmulatorThread, KubeEmulator, demo_seed_paths, load_documents

ALICE_NS, BOB_NS, CAROL_NS = "ws-u0alice", "ws-u0bob", "ws-u0carol"
UNTOUCHED = ("sandbox", "podium", "kube-system", "default", "team-x", CAROL_NS)


@pytest.fixture
def emulator() -> Iterator[KubeEmulator]:
    """Alice and Bob set up by `participants manifests`; Carol's namespace made by hand (same shape
    of name, no label, its own `participant` account) and a team's namespace: neither is ours."""
    by_hand = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-x"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": CAROL_NS}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "participant", "namespace": CAROL_NS},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "app", "namespace": ALICE_NS},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
        },
    ]
    emulator = KubeEmulator(
        [
            *load_documents(*demo_seed_paths()),
            *manifests(build_participants(["U0ALICE", "U0BOB"], "ws-{user}")),
            *by_hand,
        ]
    )
    with EmulatorThread(emulator):
        yield emulator


@pytest.fixture
def admin(emulator: KubeEmulator, tmp_path: Path) -> Path:
    return emulator.write_kubeconfig(tmp_path / "admin.kubeconfig", token=KubeEmulator.ADMIN_TOKEN)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["participants", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _request(
    emulator: KubeEmulator, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        emulator.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _issue_token(emulator: KubeEmulator, namespace: str) -> str:
    """What Podium does for "Get my kubectl access": a TokenRequest for the participant account."""
    status, body = _request(
        emulator,
        "POST",
        f"/api/v1/namespaces/{namespace}/serviceaccounts/participant/token",
        KubeEmulator.ADMIN_TOKEN,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 3600},
        },
    )
    assert status == 201, body
    return str(body["status"]["token"])


def _authenticated(emulator: KubeEmulator, namespace: str, token: str) -> bool:
    """Whether the API server knows the token (401: it does not). What it may do is RBAC's business
    (the bootstrap ClusterRole `edit`), not revoke's."""
    status, _ = _request(emulator, "GET", f"/api/v1/namespaces/{namespace}/pods", token)
    assert status in (200, 401, 403), status
    return status != 401


def _namespaces(emulator: KubeEmulator) -> dict[str, dict[str, Any]]:
    return {ns["metadata"]["name"]: ns for ns in emulator.objects("namespaces")}


def _gone_or_terminating(emulator: KubeEmulator, name: str) -> bool:
    namespace = _namespaces(emulator).get(name)
    return namespace is None or (namespace.get("status") or {}).get("phase") == "Terminating"


def test_teardown_dry_run_lists_the_labelled_namespaces_and_deletes_nothing(
    emulator: KubeEmulator, admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = set(_namespaces(emulator))
    code, out, err = run(capsys, "teardown", "--dry-run", "--kubeconfig", str(admin))
    assert code == 0, err
    assert out.splitlines()[:2] == [
        f"would delete namespace {ALICE_NS}",
        f"would delete namespace {BOB_NS}",
    ]
    assert not any(name in out for name in UNTOUCHED)
    assert set(_namespaces(emulator)) == before
    assert not [r for r in emulator.requests if r.method != "GET"]


def test_teardown_deletes_the_participant_namespaces_and_nothing_else(
    emulator: KubeEmulator, admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "teardown", "--kubeconfig", str(admin))
    assert code == 0, err
    assert out.splitlines()[:2] == [f"deleted namespace {ALICE_NS}", f"deleted namespace {BOB_NS}"]
    assert _gone_or_terminating(emulator, ALICE_NS) and _gone_or_terminating(emulator, BOB_NS)
    for name in UNTOUCHED:
        assert name in _namespaces(emulator) and not _gone_or_terminating(emulator, name), name
    deletes = [r.path for r in emulator.requests if r.method == "DELETE"]
    assert deletes == [f"/api/v1/namespaces/{ALICE_NS}", f"/api/v1/namespaces/{BOB_NS}"]
    # Again: nothing left to delete, or only namespaces still terminating; never an error.
    code, out, err = run(capsys, "teardown", "--kubeconfig", str(admin))
    assert code == 0 and err == "", err


def test_revoke_ends_every_issued_token_at_once_and_new_ones_work(
    emulator: KubeEmulator, admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alice, bob = _issue_token(emulator, ALICE_NS), _issue_token(emulator, BOB_NS)
    assert _authenticated(emulator, ALICE_NS, alice) and _authenticated(emulator, BOB_NS, bob)
    before = {
        ns: emulator.get_object("serviceaccounts", ns, "participant")
        for ns in (ALICE_NS, BOB_NS, CAROL_NS)
    }
    code, out, err = run(capsys, "revoke", "--kubeconfig", str(admin))
    assert code == 0, err
    assert out.splitlines() == [
        f"revoked {ALICE_NS}: ServiceAccount participant recreated, every token issued before no longer works",
        f"revoked {BOB_NS}: ServiceAccount participant recreated, every token issued before no longer works",
    ]
    # The old tokens are refused as unauthenticated, like a real API server's.
    assert not _authenticated(emulator, ALICE_NS, alice) and not _authenticated(
        emulator, BOB_NS, bob
    )
    for ns in (ALICE_NS, BOB_NS):
        account = emulator.get_object("serviceaccounts", ns, "participant")
        assert account is not None and account["metadata"]["uid"] != before[ns]["metadata"]["uid"]  # type: ignore[index]
        assert (
            account["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "podium-participants"
        )
        # The RoleBindings name the account, so they grant the new one: a fresh token works.
        assert _authenticated(emulator, ns, _issue_token(emulator, ns))
    # Carol's namespace is not ours: her account was not touched.
    assert emulator.get_object("serviceaccounts", CAROL_NS, "participant") == before[CAROL_NS]


def test_revoke_dry_run_changes_nothing(
    emulator: KubeEmulator, admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = _issue_token(emulator, ALICE_NS)
    code, out, err = run(capsys, "revoke", "--dry-run", "--kubeconfig", str(admin))
    assert code == 0, err
    assert out.splitlines() == [
        f"would recreate ServiceAccount {ALICE_NS}/participant",
        f"would recreate ServiceAccount {BOB_NS}/participant",
    ]
    assert _authenticated(emulator, ALICE_NS, token)
    assert not [r for r in emulator.requests if r.method in ("DELETE", "PUT", "PATCH")]


def test_an_unreachable_cluster_or_a_missing_kubeconfig_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = tmp_path / "nowhere.kubeconfig"
    nowhere.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "x",
                "clusters": [{"name": "x", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "x", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "x", "user": "x"}}],
            }
        )
    )
    for action in ("teardown", "revoke"):
        code, out, err = run(capsys, action, "--kubeconfig", str(nowhere))
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
        assert err.startswith("podium participants: cannot reach the cluster (list namespaces): ")
        code, out, err = run(capsys, action, "--kubeconfig", str(tmp_path / "missing"))
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
        assert err.startswith(
            f"podium participants: cannot use the admin kubeconfig {tmp_path / 'missing'}"
        )


def test_without_admin_rights_it_is_one_line(
    emulator: KubeEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    podium = emulator.write_kubeconfig(
        tmp_path / "podium.kubeconfig", token=KubeEmulator.DEFAULT_TOKEN
    )
    for action in ("teardown", "revoke"):
        code, out, err = run(capsys, action, "--kubeconfig", str(podium))
        assert code == 1 and out == ""
        assert err.strip() == (
            "podium participants: cannot list namespaces: Forbidden; run this with an admin "
            "kubeconfig (--kubeconfig, --context)."
        )
    assert _namespaces(emulator).keys() >= {ALICE_NS, BOB_NS}


@pytest.mark.parametrize(
    ("namespace", "account", "allowed"),
    [
        (ALICE_NS, "participant", True),
        (BOB_NS, "participant", True),
        (ALICE_NS, "default", False),  # resourceNames: [participant]
        ("sandbox", "default", False),  # bound only in participant namespaces
        (CAROL_NS, "participant", False),  # made by hand: no podium-issue-token binding
        ("podium", "podium", False),  # never its own
    ],
)
def test_podium_may_issue_tokens_only_for_participant_accounts_in_participant_namespaces(
    emulator: KubeEmulator, namespace: str, account: str, allowed: bool
) -> None:
    """What "Get my kubectl access" relies on, with Podium's own token: ClusterRole
    podium-issue-token through the RoleBinding `participants manifests` writes (no write verbs needed)."""
    status, body = _request(
        emulator,
        "POST",
        f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token",
        KubeEmulator.DEFAULT_TOKEN,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 3600},
        },
    )
    if allowed:
        assert (
            status == 201
            and emulator.tokens[body["status"]["token"]]
            == f"system:serviceaccount:{namespace}:{account}"
        )
    else:
        assert status == 403 and body["reason"] == "Forbidden", body


def test_revoke_says_so_where_participants_use_their_own_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Namespaces made with --no-service-account (EKS access entries): no account, nothing issued."""
    own_identity = manifests(
        build_participants(["U0ALICE"], "ws-{user}"), participant_account=False
    )
    emulator = KubeEmulator([*load_documents(*demo_seed_paths()), *own_identity])
    with EmulatorThread(emulator):
        admin = emulator.write_kubeconfig(
            tmp_path / "admin.kubeconfig", token=KubeEmulator.ADMIN_TOKEN
        )
        code, out, err = run(capsys, "revoke", "--kubeconfig", str(admin))
        assert code == 0, err
        assert out.splitlines() == [
            f"{ALICE_NS}: no ServiceAccount participant (made with --no-service-account?); "
            "nothing to revoke"
        ]
        assert not [r for r in emulator.requests if r.method != "GET"]
