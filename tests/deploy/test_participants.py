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
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "podium", "namespace": "sandbox"}]
    # Podium may `get` exactly these Namespace objects (its `get ns` fetches them by name).
    [role] = by_kind(docs, "ClusterRole")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["namespaces"],
                              "resourceNames": ["ws-u012ab3cd", "ws-w0xyz9"], "verbs": ["get"]}]
    [cluster_binding] = by_kind(docs, "ClusterRoleBinding")
    assert cluster_binding["roleRef"]["name"] == role["metadata"]["name"] != "podium-namespaces"
    # Namespaces come before what lives in them, so `kubectl apply -f -` works in one go.
    kinds = [d["kind"] for d in docs]
    assert kinds.index("Namespace") < kinds.index("RoleBinding")
    assert "PODIUM_NAMESPACES=ws-u012ab3cd,ws-w0xyz9" in err


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
