"""`python -m bot participants manifests`: per-participant namespaces and bindings, or one clear
error line and exit status 2."""

from __future__ import annotations

from typing import Any

import pytest

from bot.__main__ import main
from tests.deploy.conftest import by_kind, load_all, validate

TWO = "U012AB3CD,W0XYZ9"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["participants", "manifests", *args])
    out, err = capsys.readouterr()
    return code, out, err


def namespaced(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["namespace"]: d for d in by_kind(docs, kind)}


def test_two_participants_get_a_namespace_and_a_read_binding_each(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PODIUM_PARTICIPANT_NAMESPACE", raising=False)
    code, out, err = run(capsys, "--users", TWO)
    assert code == 0, err
    docs = load_all(out)
    for doc in docs:
        validate(doc, "participants manifests")
    assert [d["metadata"]["name"] for d in by_kind(docs, "Namespace")] == ["ws-u012ab3cd", "ws-w0xyz9"]
    assert [d["metadata"]["labels"]["podium.dev/participant"] for d in by_kind(docs, "Namespace")] == ["U012AB3CD", "W0XYZ9"]
    bindings = namespaced(docs, "RoleBinding")
    assert set(bindings) == {"ws-u012ab3cd", "ws-w0xyz9"}  # no edit binding unless asked for
    for binding in bindings.values():
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                      "name": "podium-read"}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}]
    # Everything lives in the participants' own namespaces: nothing cluster-wide that a later run
    # for other users could overwrite.
    assert not by_kind(docs, "ClusterRole") and not by_kind(docs, "ClusterRoleBinding")
    assert {d["metadata"].get("namespace", d["metadata"]["name"]) for d in docs} == {"ws-u012ab3cd", "ws-w0xyz9"}
    # Namespaces come before what lives in them, so `kubectl apply -f -` works in one go.
    kinds = [d["kind"] for d in docs]
    assert kinds.index("Namespace") < kinds.index("RoleBinding")
    # Participants' namespaces never go into PODIUM_NAMESPACES, which everyone shares.
    assert "PODIUM_NAMESPACES" not in err and "reads their own namespace (ws-{user})" in err


def test_users_may_be_repeated_and_duplicates_collapse(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--users", "U012AB3CD", "--users", "U012AB3CD, W0XYZ9")
    assert code == 0
    assert len(by_kind(load_all(out), "Namespace")) == 2


def test_the_namespace_template_comes_from_the_option_or_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODIUM_PARTICIPANT_NAMESPACE", "kube101-{user}")
    _, out, _ = run(capsys, "--users", TWO)
    assert [d["metadata"]["name"] for d in by_kind(load_all(out), "Namespace")] == ["kube101-u012ab3cd", "kube101-w0xyz9"]
    _, out, _ = run(capsys, "--users", TWO, "--namespace-template", "lab-{user}-ns")
    assert [d["metadata"]["name"] for d in by_kind(load_all(out), "Namespace")] == ["lab-u012ab3cd-ns", "lab-w0xyz9-ns"]


@pytest.mark.parametrize(("subject", "expected"), [
    ("User:{user}@example.com", {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "u012ab3cd@example.com"}),
    ("Group:workshop", {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "workshop"}),
    ("ServiceAccount:student", {"kind": "ServiceAccount", "name": "student", "namespace": "ws-u012ab3cd"}),
])
def test_the_optional_edit_binding_names_the_participants_identity(
    capsys: pytest.CaptureFixture[str], subject: str, expected: dict[str, str]
) -> None:
    code, out, err = run(capsys, "--users", TWO, "--edit-subject", subject)
    assert code == 0, err
    docs = load_all(out)
    edits = {d["metadata"]["namespace"]: d for d in by_kind(docs, "RoleBinding") if d["roleRef"]["name"] == "edit"}
    assert set(edits) == {"ws-u012ab3cd", "ws-w0xyz9"}
    edit = edits["ws-u012ab3cd"]
    assert edit["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}
    assert edit["subjects"] == [expected]
    for doc in docs:
        validate(doc, "participants manifests --edit-subject")


@pytest.mark.parametrize(("args", "message"), [
    (["--users", "U012AB3CD,bob"], "'bob' is not a Slack user ID"),
    (["--users", "u012ab3cd"], "'u012ab3cd' is not a Slack user ID"),
    (["--users", " , "], "no Slack user IDs"),
    (["--users", TWO, "--namespace-template", "WS_{user}"], "gives 'WS_u012ab3cd' for U012AB3CD, which is not a valid namespace name"),
    (["--users", TWO, "--namespace-template", "workshop"], "gives 'workshop' for both U012AB3CD and W0XYZ9"),
    (["--users", TWO, "--namespace-template", "ws-{name}"], "unknown placeholder {name}"),
    (["--users", TWO, "--namespace-template", "ws-{user"], "not a valid template"),
    (["--users", "U012AB3CD", "--namespace-template", "x" * 60 + "-{user}"], "not a valid namespace name"),
    (["--users", TWO, "--edit-subject", "Robot:{user}"], "is not KIND:NAME"),
    (["--users", TWO, "--edit-subject", "User:{email}"], "unknown placeholder {email}"),
])
def test_bad_input_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("podium participants: ")
    assert message in err


def test_missing_users_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["participants", "manifests"])
    assert exited.value.code == 2
    assert "--users" in capsys.readouterr().err


async def test_adding_a_late_joiner_never_removes_anyones_access(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Any) -> None:
    """`kubectl apply` of a second run only touches the objects that run names: nothing of the
    first run may be among them, and Podium then reads both namespaces (emulator, Podium's token)."""
    from bot.devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
    from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
    from bot.kubectl.policy import Policy
    from bot.kubectl.service import KubectlService
    from bot.settings import load_settings

    _, first, _ = run(capsys, "--users", "U0ALICE")
    _, second, _ = run(capsys, "--users", "U0BOB")

    def identities(docs: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        return {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs}

    assert not identities(load_all(first)) & identities(load_all(second))
    # Applied one after the other: the cluster holds both runs.
    async with KubeEmulator([*load_documents(*demo_seed_paths()), *load_all(first), *load_all(second)]) as emulator:
        settings = load_settings({"KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kubeconfig"))})
        gateway = ClusterGateway(api_client_from_settings(settings), timeout=5)
        try:
            service = KubectlService(Policy(("sandbox", "ws-u0alice", "ws-u0bob")), gateway)
            for namespace in ("ws-u0alice", "ws-u0bob"):
                answer = await service.run(f"get pods -n {namespace}")
                assert answer.ok and "Forbidden" not in answer.body, answer.body
            listed = await service.run("get ns")
            assert [line.split()[0] for line in listed.body.splitlines()[1:]] == ["sandbox", "ws-u0alice", "ws-u0bob"]
        finally:
            await gateway.close()
