"""What the hostile tests plant and what they look for, shared by the in-process attacks
(tests/hostile/test_*.py) and their replay against Podium as a process (test_attacks_process.py):
budgets' answers, forged buttons, trojan pods and unsafe text, other participants' namespaces,
secrets in a pod's environment and logs."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import aiohttp

from bot.kubectl.redact import LAST_APPLIED
from bot.ops.participants import build_participants, manifests
from bot.slack.output import SHARE_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from tests.harness.room import TEACHER, Room, raw_pings, text_of, visible_text
from tests.harness.running import Running

# --- budgets and /metrics ---------------------------------------------------------------------------


SLOW_DOWN = re.compile(
    r"Slow down: you are sending .+ faster than a workshop needs; try again in \d+ s\."
)


def share_value(message: dict[str, Any]) -> str:
    [button] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SHARE_ACTION
    ]
    return str(button["value"])


def is_slide(message: dict[str, Any], number: int) -> bool:
    return re.search(rf"\bSlide {number}/\d+", message_to_text(message)) is not None


def is_question(message: dict[str, Any]) -> bool:
    return re.match(r"Q\d+: ", str(message.get("text") or "")) is not None


TOKEN = "hostile-metrics-token-0123456789"


async def metrics_body(running: Running, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{running.base_url}/metrics", headers=headers) as response:
            return response.status, await response.text()


# --- forged buttons and unsafe text -------------------------------------------------------------


FORGED = json.dumps(
    {
        "k": "forged",
        "t": 'get "*Message from your instructor*: the workshop moved to '
        '<https://evil.example|this link>"',
    }
)


RLO, LRI, ESC, NUL = "\u202e", "\u2066", "\x1b", "\x00"


INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


DOUBLE_ESCAPED = re.compile(r"&amp;(lt|gt|amp);")


# A pod whose name is harmless and whose data is not: a reversed "exe.txt", colours, a NUL.
TROJAN_NOTE = f"invoice{RLO}txt.exe {ESC}[31mred{ESC}[0m nul{NUL}here {LRI}isolated"


def trojan_objects() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "trojan",
                "namespace": "sandbox",
                "labels": {"app": "trojan"},
                "annotations": {"note": TROJAN_NOTE},
            },
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]},
        },
        {
            "apiVersion": "devkit.podium/v1",
            "kind": "PodLogs",
            "metadata": {"namespace": "sandbox", "name": "trojan"},
            "lines": [
                {"time": "-2m", "text": f"{ESC}[2J{ESC}[1;31mALERT{ESC}[0m reset {RLO}nimda"},
                {"time": "-1m", "text": f"nul{NUL}byte and a one-byte CSI \x9b31m"},
            ],
        },
    ]


def without_values(node: Any) -> Any:
    """A message without its buttons' `value`s: data Podium gets back on a press, never shown."""
    if isinstance(node, list):
        return [without_values(item) for item in node]
    if isinstance(node, dict):
        return {
            k: without_values(v)
            for k, v in node.items()
            if not (k == "value" and "action_id" in node)
        }
    return node


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        node = list(node.values())
    return [s for item in node for s in strings(item)] if isinstance(node, list) else []


def problems(message: dict[str, Any]) -> list[str]:
    """What must never be in anything Podium sends: a ping or planted link, a raw bidi override,
    ESC or other control, an entity escaped twice."""
    shown = without_values(message)
    text = visible_text(shown)
    found = raw_pings(shown)
    found += [repr(m.group(0)) for string in strings(shown) for m in INVISIBLE.finditer(string)]
    found += [m.group(0) for m in DOUBLE_ESCAPED.finditer(text)]
    return found


# --- other participants' namespaces ------------------------------------------------------------


ALICE, BOB = "U0ALICE", "U0BOB"


ALICE_NS, BOB_NS, TEACHER_NS = "ws-u0alice", "ws-u0bob", "ws-u0instructor"


SHARED = "team-shared"


BOB_SECRET = "bob-only-7f3a"  # in Bob's ConfigMap, Pod env and logs


ALICE_DATA = "alice-only-91c2"


GONE = "ws-u0gone"  # a participant who left: the namespace is gone, a look-alike is not


LOOKALIKE = "ws-u0gone-admin"


def namespace_objects(namespace: str, marker: str) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": namespace},
            "data": {"note": marker},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "app", "namespace": namespace, "labels": {"app": "app"}},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "busybox:1.36",
                        "env": [{"name": "NOTE", "value": marker}],
                    }
                ]
            },
        },
        {
            "apiVersion": "devkit.podium/v1",
            "kind": "PodLogs",
            "metadata": {"namespace": namespace, "name": "app"},
            "lines": [{"time": "-1m", "text": f"started with {marker}"}],
        },
    ]


def workshop_cluster(*extra: dict[str, Any]) -> KubeEmulator:
    participants = build_participants([ALICE, BOB, TEACHER], "ws-{user}")
    shared = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": SHARED}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "podium-read", "namespace": SHARED},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "podium-read",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}],
        },
    ]
    return KubeEmulator(
        [
            *load_documents(*demo_seed_paths()),
            *manifests(participants),
            *shared,
            *namespace_objects(ALICE_NS, ALICE_DATA),
            *namespace_objects(BOB_NS, BOB_SECRET),
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": LOOKALIKE}},
            *extra,
        ]
    )


def requests_in(emulator: KubeEmulator, namespace: str) -> list[str]:
    """Requests the emulator saw in `namespace`, or for its Namespace object."""
    return [
        f"{r.method} {r.path}"
        for r in emulator.requests
        if r.namespace == namespace or r.path.rstrip("/").endswith(f"/namespaces/{namespace}")
    ]


def table_names(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["NAME"])
    return [
        line.split()[0]
        for line in lines[start + 1 :]
        if not line.startswith(("Error", "Podium", "["))
    ]


# A cluster whose RBAC lets Podium get and list every Namespace and read the look-alike's quotas
# (as a generous admin might grant): only Podium itself can keep `describe ns` to the one name.
BROAD_GRANTS = [
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "see-namespaces"},
        "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list"]}],
    },
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "see-namespaces"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "see-namespaces",
        },
        "subjects": [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}],
    },
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "podium-read", "namespace": LOOKALIKE},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "podium-read",
        },
        "subjects": [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}],
    },
]


# --- secrets in a pod's environment and logs ----------------------------------------------------


GHP = "ghp_" + "Q7w9E1r3T5" * 4


GOOGLE = "AIza" + "SyD-leakleakleak_KLMNOPQRST01234567"


# name → value: each value is a secret that must never reach Slack.
ENV = {
    "DB_PASSWORD": "hunter2-db-pw",
    "MYSQL_ROOT_PASSWORD": "root-pw-4242",
    "PGPASSWORD": "pg-pw-1717",
    "API_TOKEN": "api-tok-9999",
    "GITHUB_TOKEN": GHP,
    "client_secret": "client-sec-5555",
    "SECRET_KEY_BASE": "skb8f2c0a9be1d4",
}


# Values under ordinary names: caught by their shape.
SHAPED = {
    "REDIS_URL": ("redis://:redis-pass-333@cache:6379/0", "redis-pass-333"),
    "DATABASE_URL": ("postgres://app:pg-url-pass-1@db:5432/app", "pg-url-pass-1"),
    "STRIPE": ("sk_live_51HleakleakLEAK0123", "sk_live_51HleakleakLEAK0123"),
    "GITLAB": ("glpat-leakleakleak01234567", "glpat-leakleakleak01234567"),
    "MAPS": (GOOGLE, GOOGLE),
    "AZURE_STORAGE": (
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=AccKey0leak+/==;"
        "EndpointSuffix=core.windows.net",
        "AccKey0leak",
    ),
}


SECRETS = [
    *ENV.values(),
    *(secret for _, secret in SHAPED.values()),
    "dXNlcjpsZWFrbGVhaw",
    "check-log-pw-77",
]


def vault_pod() -> dict[str, Any]:
    env = [{"name": k, "value": v} for k, v in ENV.items()] + [
        {"name": k, "value": v} for k, (v, _) in SHAPED.items()
    ]
    env.append({"name": "LOG_LEVEL", "value": "debug"})
    applied = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "vault", "namespace": "sandbox"},
        "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "env": env}]},
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "vault",
            "namespace": "sandbox",
            "annotations": {LAST_APPLIED: json.dumps(applied, separators=(",", ":")) + "\n"},
        },
        "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "env": env}]},
    }


def printed(room: Room, answer: dict[str, Any]) -> str:
    """kubectl's output as the person gets it: the DM snippet when it was too long, else the
    code block of the answer (unescaped)."""
    if "not shown here" in text_of(answer):
        return room.standin.files()[-1].text
    [code] = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]
    return html.unescape(code.removeprefix("```\n").removesuffix("\n```"))
