"""Issue 14: adding participants after others keeps everyone's access.

The instructor's real commands, in the order a workshop meets them: `python -m bot participants
manifests --users …` piped through the REAL kubectl (admin) into the emulator for Alice, then a
late joiner Bob, then Alice again together with Carol. After each step the emulator's RBAC is
asked with `kubectl auth can-i --as …`, exactly the checks docs/setup-workshop.md tells
instructors to run: Podium reads and issues tokens in every participant namespace applied so far,
and each participant's ServiceAccount writes in its own namespace only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from podium_devkit.kube_api import KubeEmulator
from tests.harness.emulator import Kubectl
from tests.harness.kubectl_binary import kubectl_binary

PODIUM = "system:serviceaccount:podium:podium"


def participant_manifests(*users: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "participants", "manifests", "--users", ",".join(users)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


async def can_i(admin: Kubectl, *args: str) -> str:
    code, out, err = await admin("auth", "can-i", *args)
    assert code in (0, 1) and out.strip() in ("yes", "no"), (code, out, err)
    return out.strip()


async def test_each_apply_adds_access_and_removes_none(
    running_demo: KubeEmulator, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    admin = Kubectl(
        kubectl_binary(),
        running_demo.write_kubeconfig(tmp_path / "admin", "sandbox", KubeEmulator.ADMIN_TOKEN),
        home,
    )
    applied: list[str] = []
    for step, users in enumerate((["U0ALICE"], ["U0BOB"], ["U0ALICE", "U0CAROL"])):
        manifest = tmp_path / f"step-{step}.yaml"
        manifest.write_text(participant_manifests(*users), encoding="utf-8")
        code, out, err = await admin("apply", "-f", str(manifest))
        assert code == 0, err
        applied += [f"ws-{u.lower()}" for u in users if f"ws-{u.lower()}" not in applied]

        for ns in applied:
            own = f"system:serviceaccount:{ns}:participant"
            assert await can_i(admin, "list", "pods", "-n", ns, "--as", PODIUM) == "yes", (step, ns)
            assert (
                await can_i(
                    admin,
                    "create",
                    "serviceaccounts/participant",
                    "--subresource=token",
                    "-n",
                    ns,
                    "--as",
                    PODIUM,
                )
                == "yes"
            ), (step, ns)
            assert (
                await can_i(
                    admin,
                    "create",
                    "serviceaccounts/default",
                    "--subresource=token",
                    "-n",
                    ns,
                    "--as",
                    PODIUM,
                )
                == "no"
            )
            assert await can_i(admin, "get", "secrets", "-n", ns, "--as", PODIUM) == "no"
            assert await can_i(admin, "create", "deployments", "-n", ns, "--as", own) == "yes", (
                step,
                ns,
            )
            for other in [*(o for o in applied if o != ns), "sandbox"]:
                assert (
                    await can_i(admin, "create", "deployments", "-n", other, "--as", own) == "no"
                ), (ns, other)
        assert (
            await can_i(
                admin,
                "create",
                "serviceaccounts/participant",
                "--subresource=token",
                "-n",
                "sandbox",
                "--as",
                PODIUM,
            )
            == "no"
        )
    # The re-apply for Alice changed nothing of hers (kubectl says so) and created Carol's.
    per_person = len(participant_manifests("U0ALICE").split("\n---\n"))
    lines = out.splitlines()
    assert len(lines) == 2 * per_person and lines[0] == "namespace/ws-u0alice unchanged", out
    assert all(line.endswith(" unchanged") for line in lines[:per_person]), out
    assert all(line.endswith(" created") for line in lines[per_person:]), out
