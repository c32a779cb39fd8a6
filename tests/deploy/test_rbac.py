"""What manifests/ grants Podium is exactly what it needs: the ClusterRole's rules are pinned here,
and every command Podium supports runs through the real command service against the API emulator,
which enforces those very manifests (demo_seed_paths() seeds the devkit's byte-for-byte copies of
manifests/podium/ and manifests/sandbox/), with Podium's own token. Participant namespaces are bound the way
`participants manifests` writes them; Podium's own namespace is bound to nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.kubectl.access import NamespaceAccess
from bot.kubectl.answer import Answer
from bot.kubectl.gateway import _ENDPOINTS, ClusterGateway, api_client_from_settings
from bot.kubectl.policy import DESCRIBE_KINDS, GET_KINDS, LOG_TARGETS
from bot.kubectl.resources import lookup
from bot.kubectl.service import KubectlService
from bot.settings import load_settings
from bot.watch.hub import WatchHub
from bot.watch.ports import WATCHABLE
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents, package_root
from tests.harness.manifests import MANIFESTS, by_kind, load_all

READ = ("get", "list", "watch")
# The list: what `/kubectl get|describe|logs` read. Nothing else, ever.
EXPECTED_GRANTS = {
    (group, resource, verb)
    for group, resources in {
        "": ("pods", "pods/log", "services", "endpoints", "endpointslices", "configmaps", "events"),
        "apps": ("deployments", "replicasets"),
        "batch": ("jobs",),
        "discovery.k8s.io": ("endpointslices",),
    }.items()
    for resource in resources
    for verb in READ
    if (group, resource) != ("", "endpointslices")  # endpointslices live in discovery.k8s.io
} | {
    # `describe namespace` lists quotas and limit ranges, as kubectl does (see clusterrole.yaml).
    ("", "resourcequotas", "list"),
    ("", "limitranges", "list"),
    ("", "resourcequotas", "watch"),
    ("", "limitranges", "watch"),
    # `get ns NAME` through a RoleBinding in NAME: that one Namespace object.
    ("", "namespaces", "get"),
}
NEVER = {"secrets", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token", "*"}
WRITE_VERBS = {
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
    "*",
}
PARTICIPANT = "U1AAA"
PARTICIPANT_NS = "ws-u1aaa"


def grants(rules: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {
        (g, r, v)
        for rule in rules
        for g in rule.get("apiGroups", [])
        for r in rule.get("resources", [])
        for v in rule["verbs"]
    }


def _docs(path: Path) -> list[dict[str, Any]]:
    return load_all(path.read_text(encoding="utf-8"))


def test_the_cluster_role_grants_exactly_what_podium_reads() -> None:
    [role] = by_kind(_docs(MANIFESTS / "podium" / "clusterrole.yaml"), "ClusterRole", "podium-read")
    assert grants(role["rules"]) == EXPECTED_GRANTS
    assert not any("resourceNames" in rule or "nonResourceURLs" in rule for rule in role["rules"])


def test_watch_goes_with_every_list_and_nowhere_else_and_no_other_verb_appears() -> None:
    """Issue 17: Podium's namespace streams watch what it may list, nothing more."""
    [role] = by_kind(_docs(MANIFESTS / "podium" / "clusterrole.yaml"), "ClusterRole", "podium-read")
    assert {verb for rule in role["rules"] for verb in rule["verbs"]} == {"get", "list", "watch"}
    for rule in role["rules"]:
        verbs = set(rule["verbs"])
        assert ("list" in verbs) == ("watch" in verbs), rule
    # Every kind the streams may watch is one the role lets Podium list and watch.
    granted = grants(role["rules"])
    for plural in WATCHABLE:
        group = _ENDPOINTS[plural].api_version.rpartition("/")[0]
        assert {(group, plural, "list"), (group, plural, "watch")} <= granted, plural


def test_the_sandbox_binds_the_cluster_role_to_podiums_service_account_only() -> None:
    [binding] = by_kind(_docs(MANIFESTS / "sandbox" / "rolebinding.yaml"), "RoleBinding")
    assert binding["metadata"]["namespace"] == "sandbox"
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "podium-read",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}
    ]


def test_nothing_grants_podium_anything_cluster_wide_or_in_its_own_namespace() -> None:
    docs = [d for p in MANIFESTS.rglob("*.yaml") if "slack" not in p.parts for d in _docs(p)]
    assert not by_kind(docs, "ClusterRoleBinding")
    assert not [
        d
        for d in docs
        if d.get("kind") in ("Role", "RoleBinding") and d["metadata"].get("namespace") == "podium"
    ]


def test_the_token_issuing_role_creates_tokens_of_the_participant_account_only() -> None:
    """The one write Podium may do: a TokenRequest for `participant`, and only where a participant
    namespace binds it (RoleBinding podium-issue-token, written by `participants manifests`)."""
    [role] = by_kind(
        _docs(MANIFESTS / "podium" / "clusterrole.yaml"), "ClusterRole", "podium-issue-token"
    )
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["serviceaccounts/token"],
            "verbs": ["create"],
            "resourceNames": ["participant"],
        }
    ]


def test_no_manifest_grants_secrets_exec_or_any_write() -> None:
    rbac = [
        d
        for p in MANIFESTS.rglob("*.yaml")
        if "slack" not in p.parts
        for d in _docs(p)
        if d.get("kind") in ("Role", "ClusterRole")
    ]
    assert rbac
    for role in rbac:
        if role["metadata"]["name"] == "podium-issue-token":
            continue  # pinned exactly by the test above
        for group, resource, verb in grants(role.get("rules") or []):
            assert resource not in NEVER and verb not in WRITE_VERBS and group != "*", (
                role["metadata"]["name"],
                group,
                resource,
                verb,
            )


def test_the_emulator_enforces_these_manifests_byte_for_byte() -> None:
    # The devkit seeds its packaged copies (an installed console needs no checkout); each one is
    # the repository's file byte for byte, so the grants tested here are the ones instructors apply.
    packaged = package_root() / "manifests"
    seeded = {
        p.relative_to(packaged).as_posix(): p for p in demo_seed_paths() if packaged in p.parents
    }
    for name in (
        "podium/clusterrole.yaml",
        "podium/serviceaccount.yaml",
        "sandbox/rolebinding.yaml",
    ):
        assert seeded[name].read_bytes() == (MANIFESTS / name).read_bytes(), name
    elsewhere = [p for p in demo_seed_paths() if packaged not in p.parents]
    assert elsewhere, "the devkit-only seed (kube-system, default, …) is still seeded"
    assert not [
        d
        for d in load_documents(*elsewhere)
        if d.get("kind") in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
    ]


# Every supported command, with Podium's token, against those grants ------------------------------


def _participant_documents(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["participants", "manifests", "--users", PARTICIPANT]) == 0
    documents = load_all(capsys.readouterr().out)
    # The participant did the exercises: a Job, a multi-container Pod, Deployments, a Service.
    for path in sorted((MANIFESTS / "exercises").rglob("*.yaml")):
        for doc in _docs(path):
            doc["metadata"]["namespace"] = PARTICIPANT_NS
            documents.append(doc)
    return documents


@pytest.fixture
async def emulator(capsys: pytest.CaptureFixture[str]) -> AsyncIterator[KubeEmulator]:
    documents = load_documents(*demo_seed_paths()) + _participant_documents(capsys)
    async with KubeEmulator(documents) as emulator:
        yield emulator


@pytest.fixture
async def services(
    emulator: KubeEmulator, tmp_path: Path
) -> AsyncIterator[Callable[[str], KubectlService]]:
    """Podium's command service built as bot/app.py builds it, from settings, with Podium's own
    (ServiceAccount) token; the argument is PODIUM_NAMESPACES."""
    kubeconfig = emulator.write_kubeconfig(
        tmp_path / "kubeconfig", token=KubeEmulator.DEFAULT_TOKEN
    )
    gateways: list[ClusterGateway] = []

    def build(extra_namespaces: str) -> KubectlService:
        settings = load_settings(
            {
                "KUBECONFIG": str(kubeconfig),
                "PODIUM_NAMESPACES": extra_namespaces,
                "PODIUM_CLUSTER_TIMEOUT": "5",
            }
        )
        gateways.append(
            ClusterGateway(api_client_from_settings(settings), timeout=settings.cluster_timeout)
        )
        return KubectlService(NamespaceAccess.from_settings(settings), gateways[-1])

    yield build
    for gateway in gateways:
        await gateway.close()


class Participant:
    """Podium's command service, asked by the participant (who reads their own namespace)."""

    def __init__(self, service: KubectlService) -> None:
        self.service = service

    async def run(self, text: str) -> Answer:
        return await self.service.run(text, user=PARTICIPANT)


@pytest.fixture
def podium(services: Callable[[str], KubectlService]) -> Participant:
    """Podium as set up by the guide (no PODIUM_NAMESPACES), asked by the participant."""
    return Participant(services(""))


def _names(emulator: KubeEmulator, plural: str, namespace: str) -> list[str]:
    return [
        o["metadata"]["name"]
        for o in emulator.objects(plural, None if plural == "namespaces" else namespace)
    ]


def supported_commands(emulator: KubeEmulator, namespace: str) -> list[str]:
    """Every verb and kind Podium supports (from its policy, so new kinds are covered as they come)."""
    ns = f"-n {namespace}"
    commands = [
        "get all " + ns,
        "auth can-i list pods " + ns,
        "auth can-i get pods/log " + ns,
        "auth can-i get secrets " + ns,
        "auth can-i create deployments " + ns,
    ]
    for kind in GET_KINDS:
        plural = lookup(kind).plural  # type: ignore[union-attr]
        names = [namespace] if plural == "namespaces" else _names(emulator, plural, namespace)[:1]
        commands += [
            f"get {kind} {ns}",
            f"get {kind} {ns} -o wide",
            *(f"get {kind} {n} {ns} -o yaml" for n in names),
        ]
    for kind in DESCRIBE_KINDS:
        plural = lookup(kind).plural  # type: ignore[union-attr]
        names = [namespace] if plural == "namespaces" else _names(emulator, plural, namespace)[:1]
        commands += [f"describe {kind} {ns}", *(f"describe {kind} {n} {ns}" for n in names)]
    for kind in LOG_TARGETS:
        plural = lookup(kind).plural  # type: ignore[union-attr]
        for name in _names(emulator, plural, namespace)[:1]:
            target = name if plural == "pods" else f"{kind}/{name}"
            commands.append(f"logs {target} --tail 5 --all-containers {ns}")
    return commands


@pytest.mark.parametrize("namespace", ["sandbox", PARTICIPANT_NS])
async def test_every_supported_command_is_allowed_by_the_manifests(
    emulator: KubeEmulator, podium: Participant, namespace: str
) -> None:
    commands = supported_commands(emulator, namespace)
    assert len(commands) > 30
    covered = {(r.resource, r.subresource) for r in emulator.requests}
    forbidden: list[str] = []
    for text in commands:
        emulator.clear_requests()
        answer = await podium.run(text)
        denied = [f"{r.method} {r.path}" for r in emulator.requests if r.status == 403]
        if denied or "forbidden" in answer.body.lower():
            forbidden.append(f"/kubectl {text}: {denied or answer.body.splitlines()[0]}")
        covered |= {(r.resource, r.subresource) for r in emulator.requests}
    assert not forbidden, "\n".join(forbidden)
    # The run really reached every kind the Role is about (and logs).
    for resource in (
        "pods",
        "services",
        "endpoints",
        "configmaps",
        "events",
        "deployments",
        "replicasets",
        "namespaces",
    ):
        assert (resource, "") in covered, resource
    assert ("pods", "log") in covered


async def test_can_i_answers_from_the_manifests(podium: Participant) -> None:
    assert (await podium.run("auth can-i list pods")).body == "yes"
    assert (await podium.run(f"auth can-i get pods/log -n {PARTICIPANT_NS}")).body == "yes"
    assert (await podium.run("auth can-i get secrets")).body.startswith("no")
    assert (await podium.run("auth can-i create pods/exec")).body.startswith("no")
    assert (await podium.run("auth can-i delete deployments")).body.startswith("no")


async def test_get_namespaces_shows_exactly_the_allowed_ones(podium: Participant) -> None:
    answer = await podium.run("get ns")
    assert answer.ok, answer.body
    assert [line.split()[0] for line in answer.body.splitlines()[1:]] == ["sandbox", PARTICIPANT_NS]


async def test_a_namespace_without_a_binding_gets_podiums_forbidden_answer(
    emulator: KubeEmulator, services: Callable[[str], KubectlService]
) -> None:
    # team-unbound is in PODIUM_NAMESPACES (Podium's policy lets it through) but nothing binds it.
    podium = services("team-unbound")
    answer = await podium.run("get pods -n team-unbound")
    assert not answer.ok
    assert answer.body.startswith(
        "Error from server (Forbidden): pods is forbidden: "
        'User "system:serviceaccount:podium:podium" cannot list resource "pods"'
    )
    assert answer.hint and "read-only" in answer.hint
    assert [r.status for r in emulator.requests if r.namespace == "team-unbound"] == [403]


async def test_podiums_own_namespace_is_unreadable_with_its_token_whatever_the_policy_says(
    emulator: KubeEmulator, services: Callable[[str], KubectlService]
) -> None:
    # Even a misconfigured PODIUM_NAMESPACES=podium reads nothing of Podium's own pod.
    podium = services("podium")
    for text in ("get pods -n podium", "get cm -n podium", "get ns podium", "describe ns podium"):
        emulator.clear_requests()
        answer = await podium.run(text)
        assert "Forbidden" in answer.body, (text, answer.body)
        assert {r.status for r in emulator.requests} == {403}, text


async def test_the_participant_reads_their_namespace_with_no_setting(podium: Participant) -> None:
    answer = await podium.run(f"get deploy -n {PARTICIPANT_NS}")
    assert answer.ok and "NAME" in answer.body, answer.body


async def test_describe_namespaces_without_a_name_is_allowed(podium: Participant) -> None:
    # Podium describes the allowed namespaces by name: no `list namespaces` grant needed.
    answer = await podium.run("describe ns")
    assert "forbidden" not in answer.body.lower(), answer.body
    assert (
        "Name:         sandbox" in answer.body and f"Name:         {PARTICIPANT_NS}" in answer.body
    )


@pytest.mark.parametrize("namespace", ["sandbox", PARTICIPANT_NS])
async def test_every_kind_podium_watches_streams_with_its_token_under_the_manifests(
    emulator: KubeEmulator, tmp_path: Path, namespace: str
) -> None:
    """The sandbox's RoleBinding and the one `participants manifests` writes grant every stream
    its list and its watch: none is refused."""
    settings = load_settings(
        {"KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kubeconfig")),
         "PODIUM_CLUSTER_TIMEOUT": "5"}
    )  # fmt: skip
    hub = WatchHub(api_client_from_settings(settings), request_timeout=5)
    try:
        for plural in sorted(WATCHABLE):
            hub.subscribe(namespace, plural, lambda change: None)
            await hub.snapshot(namespace, plural, timeout=30)
        deadline = asyncio.get_running_loop().time() + 30
        while len({r.resource for r in emulator.requests if r.verb == "watch"}) < len(WATCHABLE):
            assert asyncio.get_running_loop().time() < deadline, "every kind's watch"
            await asyncio.sleep(0.02)
    finally:
        await hub.close()
    streamed = [r for r in emulator.requests if r.verb in ("list", "watch")]
    assert {(r.verb, r.resource) for r in streamed} == {
        (verb, plural) for verb in ("list", "watch") for plural in WATCHABLE
    }
    # A watch still streaming when the hub closed it has no status yet (0): none was refused.
    assert {r.status for r in streamed if r.verb == "list"} == {200}
    assert {r.status for r in streamed if r.verb == "watch"} <= {0, 200}
    assert {r.user for r in streamed} == {KubeEmulator.DEFAULT_USER}
