"""`python -m bot participants manifests`: per-participant namespaces and bindings, or one clear
error line and exit status 2."""

from __future__ import annotations

from typing import Any

import pytest

from bot.__main__ import main
from tests.harness.manifests import by_kind, load_all, validate

TWO = "U012AB3CD,W0XYZ9"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["participants", "manifests", *args])
    out, err = capsys.readouterr()
    return code, out, err


def namespaced(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["namespace"]: d for d in by_kind(docs, kind)}


ORDER = [
    ("Namespace", ""),
    ("ServiceAccount", "participant"),
    ("RoleBinding", "participant-edit"),
    ("RoleBinding", "podium-read"),
    ("RoleBinding", "podium-issue-token"),
    ("ResourceQuota", "participant-quota"),
    ("LimitRange", "participant-limits"),
]
PODIUM = [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}]
MANAGED = {"app.kubernetes.io/managed-by": "podium-participants"}


def test_each_participant_gets_a_namespace_an_account_its_bindings_a_quota_and_limits(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PODIUM_PARTICIPANT_NAMESPACE", raising=False)
    code, out, err = run(capsys, "--users", TWO)
    assert code == 0, err
    docs = load_all(out)
    for doc in docs:
        validate(doc, "participants manifests")
        # Everything carries the label teardown and revoke select by, and its owner.
        assert MANAGED.items() <= doc["metadata"]["labels"].items(), doc
        assert doc["metadata"]["labels"]["podium.dev/participant"] in ("U012AB3CD", "W0XYZ9")
    assert [d["metadata"]["name"] for d in by_kind(docs, "Namespace")] == [
        "ws-u012ab3cd",
        "ws-w0xyz9",
    ]
    assert [
        d["metadata"]["labels"]["podium.dev/participant"] for d in by_kind(docs, "Namespace")
    ] == ["U012AB3CD", "W0XYZ9"]
    # In apply order, per participant: the namespace first, then what lives in it.
    for index, namespace in enumerate(["ws-u012ab3cd", "ws-w0xyz9"]):
        mine = docs[index * len(ORDER) : (index + 1) * len(ORDER)]
        assert [
            (d["kind"], "" if d["kind"] == "Namespace" else d["metadata"]["name"]) for d in mine
        ] == ORDER
        assert mine[0]["metadata"]["name"] == namespace
        assert {d["metadata"]["namespace"] for d in mine[1:]} == {namespace}
        account, edit, read, issue = mine[1:5]
        assert edit["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "edit",
        }
        assert edit["subjects"] == [
            {"kind": "ServiceAccount", "name": "participant", "namespace": namespace}
        ]
        assert read["roleRef"]["name"] == "podium-read" and read["subjects"] == PODIUM
        assert issue["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "podium-issue-token",
        }
        assert issue["subjects"] == PODIUM
    # Everything lives in the participants' own namespaces: nothing cluster-wide that a later run
    # for other users could overwrite.
    assert not by_kind(docs, "ClusterRole") and not by_kind(docs, "ClusterRoleBinding")
    assert {d["metadata"].get("namespace", d["metadata"]["name"]) for d in docs} == {
        "ws-u012ab3cd",
        "ws-w0xyz9",
    }
    # Participants' namespaces never go into PODIUM_NAMESPACES, which everyone shares.
    assert "PODIUM_NAMESPACES" not in err and "reads their own namespace (ws-{user})" in err


def _requests(container: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What the LimitRange admission leaves on a container (per resource: its own, else the default)."""
    resources = container.get("resources") or {}
    limits = {**defaults["default"], **(resources.get("limits") or {})}
    # As the API server: a container with a limit and no request requests its limit.
    requests = {
        **defaults["defaultRequest"],
        **dict((resources.get("limits") or {}).items()),
        **(resources.get("requests") or {}),
    }
    return {"requests": requests, "limits": limits}


def _quantity(text: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def test_the_quota_admits_every_exercise_at_once_twice_over_even_without_resources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The reference solutions of all four exercises running at once, plus a rolling update and the
    self-healing demo, and the same again as mistakes, fit the quota; so do the same Pods written by
    `kubectl create deployment` (no `resources`: the LimitRange's defaults apply)."""
    from tests.harness.manifests import MANIFESTS

    _, out, _ = run(capsys, "--users", "U012AB3CD")
    docs = load_all(out)
    [quota] = by_kind(docs, "ResourceQuota")
    [limit_range] = by_kind(docs, "LimitRange")
    [defaults] = limit_range["spec"]["limits"]
    assert defaults["type"] == "Container"
    hard = quota["spec"]["hard"]
    pods: list[list[dict[str, Any]]] = []  # each Pod's containers, as the solutions run them
    for path in sorted((MANIFESTS / "exercises").rglob("*.yaml")):
        for doc in load_all(path.read_text(encoding="utf-8")):
            if doc["kind"] == "Pod":
                pods.append(doc["spec"]["containers"])
            elif doc["kind"] in ("Deployment", "Job"):
                pods += [doc["spec"]["template"]["spec"]["containers"]] * doc["spec"].get(
                    "replicas", 1
                )
    assert len(pods) == 7 and sum(map(len, pods)) == 8  # the count the quota's comment is based on
    stripped = [
        [{k: v for k, v in c.items() if k != "resources"} for c in containers]
        for containers in pods
    ]
    for variant in (pods, stripped):
        running = variant * 2  # twice what the exercises need: surge, self-healing, mistakes
        assert len(running) <= int(hard["pods"])
        admitted = [_requests(c, defaults) for containers in running for c in containers]
        for key, kind, resource in (
            ("requests.cpu", "requests", "cpu"),
            ("requests.memory", "requests", "memory"),
            ("limits.memory", "limits", "memory"),
        ):
            used = sum(_quantity(a[kind][resource]) for a in admitted)
            assert used <= _quantity(hard[key]), (key, used)
        for a in admitted:  # no container is refused by the LimitRange's max
            for resource, most in defaults["max"].items():
                assert _quantity(a["limits"][resource]) <= _quantity(most)
    # What the deck does not use and would cost money or open nodes is not allowed at all.
    assert hard["services.loadbalancers"] == "0" and hard["services.nodeports"] == "0"
    assert hard["persistentvolumeclaims"] == "0"


def test_no_service_account_leaves_out_the_token_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--users", TWO, "--no-service-account", "--edit-subject", "Group:workshop"
    )
    assert code == 0, err
    docs = load_all(out)
    for doc in docs:
        validate(doc, "participants manifests --no-service-account")
    assert not by_kind(docs, "ServiceAccount")
    assert not by_kind(docs, "RoleBinding", "podium-issue-token")
    edits = by_kind(docs, "RoleBinding", "participant-edit")
    assert [e["subjects"] for e in edits] == [
        [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "workshop"}]
    ] * 2
    assert (
        len(by_kind(docs, "RoleBinding", "podium-read")) == 2
        and len(by_kind(docs, "ResourceQuota")) == 2
    )
    # Neither path: Podium still reads the namespace, nobody edits it.
    _, out, _ = run(capsys, "--users", TWO, "--no-service-account")
    assert {d["metadata"]["name"] for d in by_kind(load_all(out), "RoleBinding")} == {"podium-read"}


def test_a_later_participant_never_changes_anyone_elses_documents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """{A} is a subset of {A, B}, document for document: applying the bigger run (or B alone) leaves
    A's objects as they were; and nothing is cluster-scoped except the Namespaces."""
    _, alone, _ = run(capsys, "--users", "U0ALICE")
    _, both, _ = run(capsys, "--users", "U0ALICE,U0BOB")
    _, late, _ = run(capsys, "--users", "U0BOB")
    alone_docs, both_docs, late_docs = load_all(alone), load_all(both), load_all(late)
    assert all(doc in both_docs for doc in alone_docs)
    assert [d for d in both_docs if d not in alone_docs] == late_docs
    for doc in both_docs:
        assert doc["kind"] == "Namespace" or doc["metadata"]["namespace"] in (
            "ws-u0alice",
            "ws-u0bob",
        )
        if doc in late_docs:
            assert (doc["metadata"].get("namespace") or doc["metadata"]["name"]) == "ws-u0bob"


def test_users_may_be_repeated_and_duplicates_collapse(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--users", "U012AB3CD", "--users", "U012AB3CD, W0XYZ9")
    assert code == 0
    assert len(by_kind(load_all(out), "Namespace")) == 2


def test_the_namespace_template_comes_from_the_option_or_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODIUM_PARTICIPANT_NAMESPACE", "kube101-{user}")
    _, out, _ = run(capsys, "--users", TWO)
    assert [d["metadata"]["name"] for d in by_kind(load_all(out), "Namespace")] == [
        "kube101-u012ab3cd",
        "kube101-w0xyz9",
    ]
    _, out, _ = run(capsys, "--users", TWO, "--namespace-template", "lab-{user}-ns")
    assert [d["metadata"]["name"] for d in by_kind(load_all(out), "Namespace")] == [
        "lab-u012ab3cd-ns",
        "lab-w0xyz9-ns",
    ]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (
            "User:{user}@example.com",
            {
                "kind": "User",
                "apiGroup": "rbac.authorization.k8s.io",
                "name": "u012ab3cd@example.com",
            },
        ),
        (
            "Group:workshop",
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "workshop"},
        ),
        (
            "ServiceAccount:student",
            {"kind": "ServiceAccount", "name": "student", "namespace": "ws-u012ab3cd"},
        ),
    ],
)
def test_the_optional_edit_binding_names_the_participants_identity(
    capsys: pytest.CaptureFixture[str], subject: str, expected: dict[str, str]
) -> None:
    code, out, err = run(capsys, "--users", TWO, "--edit-subject", subject)
    assert code == 0, err
    docs = load_all(out)
    edits = {
        d["metadata"]["namespace"]: d
        for d in by_kind(docs, "RoleBinding")
        if d["roleRef"]["name"] == "edit"
    }
    assert set(edits) == {"ws-u012ab3cd", "ws-w0xyz9"}
    edit = edits["ws-u012ab3cd"]
    assert edit["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "edit",
    }
    # The participant's own ServiceAccount (Podium's tokens) and the identity they bring.
    assert edit["subjects"] == [
        {"kind": "ServiceAccount", "name": "participant", "namespace": "ws-u012ab3cd"},
        expected,
    ]
    for doc in docs:
        validate(doc, "participants manifests --edit-subject")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "U012AB3CD,bob"], "'bob' is not a Slack user ID"),
        (["--users", "u012ab3cd"], "'u012ab3cd' is not a Slack user ID"),
        (["--users", " , "], "no Slack user IDs"),
        (
            ["--users", TWO, "--namespace-template", "WS_{user}"],
            "gives 'WS_u012ab3cd' for U012AB3CD, which is not a valid namespace name",
        ),
        (
            ["--users", TWO, "--namespace-template", "workshop"],
            "gives 'workshop' for both U012AB3CD and W0XYZ9",
        ),
        (["--users", TWO, "--namespace-template", "ws-{name}"], "unknown placeholder {name}"),
        (["--users", TWO, "--namespace-template", "ws-{user"], "not a valid template"),
        (
            ["--users", "U012AB3CD", "--namespace-template", "x" * 60 + "-{user}"],
            "not a valid namespace name",
        ),
        (["--users", TWO, "--edit-subject", "Robot:{user}"], "is not KIND:NAME"),
        (["--users", TWO, "--edit-subject", "User:{email}"], "unknown placeholder {email}"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("podium participants: ")
    assert message in err


def test_no_users_and_no_channel_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2 and out == ""
    assert (
        err.strip()
        == "podium participants: say who takes part: --users U1,U2 and/or --channel C0123ABCD."
    )


async def test_adding_a_late_joiner_never_removes_anyones_access(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    """`kubectl apply` of a second run only touches the objects that run names: nothing of the
    first run may be among them, and Podium then reads both namespaces (emulator, Podium's token)."""
    from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
    from bot.kubectl.policy import Policy
    from bot.kubectl.service import KubectlService
    from bot.settings import load_settings
    from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents

    _, first, _ = run(capsys, "--users", "U0ALICE")
    _, second, _ = run(capsys, "--users", "U0BOB")

    def identities(docs: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        return {
            (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs
        }

    assert not identities(load_all(first)) & identities(load_all(second))
    # Applied one after the other: the cluster holds both runs.
    async with KubeEmulator(
        [*load_documents(*demo_seed_paths()), *load_all(first), *load_all(second)]
    ) as emulator:
        settings = load_settings(
            {"KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kubeconfig"))}
        )
        gateway = ClusterGateway(api_client_from_settings(settings), timeout=5)
        try:
            service = KubectlService(Policy(("sandbox", "ws-u0alice", "ws-u0bob")), gateway)
            for namespace in ("ws-u0alice", "ws-u0bob"):
                answer = await service.run(f"get pods -n {namespace}")
                assert answer.ok and "Forbidden" not in answer.body, answer.body
            listed = await service.run("get ns")
            assert [line.split()[0] for line in listed.body.splitlines()[1:]] == [
                "sandbox",
                "ws-u0alice",
                "ws-u0bob",
            ]
        finally:
            await gateway.close()


def test_the_setup_guide_shows_the_quota_and_limits_that_are_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/setup-workshop.md's tables are what `participants manifests` writes (no drift)."""
    from tests.harness.manifests import REPO

    guide = (REPO / "docs" / "setup-workshop.md").read_text(encoding="utf-8")
    _, out, _ = run(capsys, "--users", "U012AB3CD")
    docs = load_all(out)
    [quota] = by_kind(docs, "ResourceQuota")
    [limits] = by_kind(docs, "LimitRange")
    rows = {
        cells[0].strip("` "): cells[1].strip()
        for line in guide.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    }
    hard = quota["spec"]["hard"]
    for key, value in hard.items():
        if key in rows:
            assert rows[key] == value, key
    for first, second in (
        ("requests.cpu", "requests.memory"),
        ("services.loadbalancers", "services.nodeports"),
    ):
        assert rows[f"{first}` / `{second}"] == f"{hard[first]} / {hard[second]}"
    assert set(hard) <= {k for row in rows for k in row.split("` / `")}
    [container] = limits["spec"]["limits"]
    for field in ("defaultRequest", "default", "max"):
        [row] = [line for line in guide.splitlines() if line.startswith(f"| `{field}`")]
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:] == [container[field]["cpu"], container[field]["memory"]], field
