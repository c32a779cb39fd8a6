"""`python -m bot participants manifests|teardown|revoke`: what a workshop needs per participant.

`manifests` prints one YAML stream for `kubectl apply -f -`: for each participant (from `--users`
and/or the members of Slack channels, `--channel`) a namespace named by a template from their Slack
user ID, holding the ServiceAccount `participant` their kubectl runs as (Podium DMs them a
short-lived token of it), its `edit` RoleBinding, a RoleBinding that lets Podium read the namespace
(ClusterRole podium-read), one that lets Podium issue tokens for that one ServiceAccount
(ClusterRole podium-issue-token), and a ResourceQuota and LimitRange sized for the deck's exercises.
Everything lives in the participant's own namespace, so applying it for a late joiner never changes
anything of anyone else. `teardown` deletes the participant namespaces, `revoke` ends every kubectl
access issued so far (both through the instructor's own kubeconfig).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

DEFAULT_TEMPLATE = "ws-{user}"
TEMPLATE_ENV = "PODIUM_PARTICIPANT_NAMESPACE"
READ_CLUSTER_ROLE = "podium-read"
PODIUM_NAMESPACE = "podium"  # where Podium's ServiceAccount lives (manifests/podium/)
SUBJECT_KINDS = ("User", "Group", "ServiceAccount")
RBAC = "rbac.authorization.k8s.io"
RBAC_V1 = f"{RBAC}/v1"
LABELS = {"app.kubernetes.io/managed-by": "podium-participants"}
LABEL_SELECTOR = "app.kubernetes.io/managed-by=podium-participants"
PARTICIPANT_ACCOUNT = "participant"  # the ServiceAccount a participant's kubectl runs as
EDIT_BINDING = "participant-edit"
ISSUE_TOKEN = "podium-issue-token"  # ClusterRole and RoleBinding: Podium may mint its tokens
QUOTA = "participant-quota"
LIMITS = "participant-limits"

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_PLACEHOLDERS = ("user", "user_id")


class ParticipantsError(Exception):
    """Bad input; the message is the one line the instructor sees."""


@dataclass(frozen=True)
class Participant:
    user_id: str  # as Slack spells it: U012AB3CD
    namespace: str

    @property
    def fields(self) -> dict[str, str]:
        # {user} is lower-cased so it fits in DNS names; {user_id} keeps Slack's spelling.
        return {"user": self.user_id.lower(), "user_id": self.user_id}


@dataclass(frozen=True)
class EditSubject:
    kind: str
    name_template: str

    def for_participant(self, participant: Participant) -> dict[str, Any]:
        name = render(self.name_template, participant.fields, "--edit-subject")
        if self.kind == "ServiceAccount":
            # A ServiceAccount subject needs a namespace: the participant's own.
            return {"kind": "ServiceAccount", "name": name, "namespace": participant.namespace}
        return {"kind": self.kind, "apiGroup": RBAC, "name": name}


def render(template: str, fields: dict[str, str], option: str) -> str:
    """str.format with only the known placeholders; anything else is the instructor's typo."""
    try:
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is not None and (name not in _PLACEHOLDERS or spec or conversion):
                raise ParticipantsError(
                    f"{option}: unknown placeholder {{{name}}} in {template!r}; use {{user}} "
                    "(lower-cased Slack user ID) or {user_id}."
                )
        return template.format(**fields)
    except (ValueError, IndexError) as exc:
        raise ParticipantsError(
            f"{option}: {template!r} is not a valid template ({exc})."
        ) from None


def check_dns_label(option: str, name: str) -> None:
    if not _DNS_LABEL.match(name):
        raise ParticipantsError(
            f"{option}: {name!r} is not a valid namespace name "
            "(lower-case letters, digits and '-', at most 63 characters)."
        )


def build_participants(user_ids: list[str], template: str) -> list[Participant]:
    if not user_ids:
        raise ParticipantsError("--users: no Slack user IDs given.")
    participants: list[Participant] = []
    seen: dict[str, str] = {}
    for user_id in dict.fromkeys(user_ids):
        if not _SLACK_USER_ID.match(user_id):
            raise ParticipantsError(
                f"--users: {user_id!r} is not a Slack user ID (like U012AB3CD); copy it from the "
                "person's profile, ⋮ → Copy member ID."
            )
        fields = {"user": user_id.lower(), "user_id": user_id}
        namespace = render(template, fields, "--namespace-template")
        if not _DNS_LABEL.match(namespace):
            raise ParticipantsError(
                f"--namespace-template: {template!r} gives {namespace!r} for {user_id}, which is not "
                "a valid namespace name (lower-case letters, digits and '-', at most 63 characters)."
            )
        if namespace in seen:
            raise ParticipantsError(
                f"--namespace-template: {template!r} gives {namespace!r} for both {seen[namespace]} "
                f"and {user_id}; include {{user}} in it."
            )
        seen[namespace] = user_id
        participants.append(Participant(user_id, namespace))
    return participants


def parse_edit_subject(text: str) -> EditSubject:
    kind, colon, name = text.partition(":")
    if not colon or kind not in SUBJECT_KINDS or not name:
        raise ParticipantsError(
            f"--edit-subject: {text!r} is not KIND:NAME with KIND one of {', '.join(SUBJECT_KINDS)} "
            "(e.g. 'User:{user}@example.com' or 'Group:workshop')."
        )
    return EditSubject(kind, name)


def manifests(
    participants: list[Participant],
    *,
    podium_namespace: str = PODIUM_NAMESPACE,
    service_account: str = "podium",
    edit_subject: EditSubject | None = None,
    participant_account: bool = True,
) -> list[dict[str, Any]]:
    """The documents, in apply order: each namespace before what lives in it. With
    `participant_account=False` (participants use their own identity, `--edit-subject`) there is no
    ServiceAccount `participant` and nothing that issues tokens for it."""
    podium = {"kind": "ServiceAccount", "name": service_account, "namespace": podium_namespace}
    documents: list[dict[str, Any]] = []
    for participant in participants:
        ns = participant.namespace
        labels = {**LABELS, "podium.dev/participant": participant.user_id}
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {**labels, "podium.dev/workshop": "true"}},
            }
        )
        editors: list[dict[str, Any]] = []
        if participant_account:
            documents.append(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {
                        "name": PARTICIPANT_ACCOUNT,
                        "namespace": ns,
                        "labels": dict(labels),
                    },
                }
            )
            editors.append({"kind": "ServiceAccount", "name": PARTICIPANT_ACCOUNT, "namespace": ns})
        if edit_subject is not None:
            editors.append(edit_subject.for_participant(participant))
        if editors:
            documents.append(_role_binding(EDIT_BINDING, ns, "edit", editors, labels))
        documents.append(_role_binding("podium-read", ns, READ_CLUSTER_ROLE, [podium], labels))
        if participant_account:
            documents.append(_role_binding(ISSUE_TOKEN, ns, ISSUE_TOKEN, [podium], labels))
        documents.append(_quota(ns, labels))
        documents.append(_limit_range(ns, labels))
    return documents


# Sized for the deck's four exercises (manifests/exercises/), which run at once in one namespace:
# 1 Pod with 2 containers (ex. 1) + 3 Pods (ex. 2, hello) + 2 Pods (ex. 3, web) + 1 Job Pod (ex. 4)
# = 7 Pods, 8 containers, requesting 75m CPU and 120Mi memory, memory limits 416Mi. Headroom:
# a rolling update surges one Pod per Deployment (maxSurge 25%, rounded up) = +2; the self-healing
# demo (delete Pods, the ReplicaSet replaces them while the old ones terminate) = +3; mistakes
# (a `kubectl run` test Pod, scaling hello to 5, a Job rerun) ≈ +8. Finished Job Pods (Succeeded,
# Failed) do not count against `pods`. So 20 Pods. The slides' `kubectl create deployment …
# --dry-run=client -o yaml` writes no `resources`: the LimitRange's defaults (25m CPU, 32Mi
# requested; 128Mi memory, 500m CPU limit) admit such a container under this quota, and 20 Pods of
# defaults fit in it (0.5 CPU, 640Mi requested, 2.5Gi limits). No LoadBalancer or NodePort Service
# (on EKS one is a billed load balancer, the other opens every node) and no PersistentVolumeClaim
# (a billed EBS volume each; the deck uses none). ConfigMaps include the kube-root-ca.crt every
# namespace gets. Change these numbers here, or edit the applied objects (docs/setup-workshop.md).
QUOTA_HARD = {
    "pods": "20",
    "requests.cpu": "1",
    "requests.memory": "1Gi",
    "limits.memory": "3Gi",
    "services": "5",
    "services.loadbalancers": "0",
    "services.nodeports": "0",
    "persistentvolumeclaims": "0",
    "configmaps": "10",
    "count/jobs.batch": "5",
}
LIMIT_DEFAULT_REQUEST = {"cpu": "25m", "memory": "32Mi"}
LIMIT_DEFAULT = {"cpu": "500m", "memory": "128Mi"}
LIMIT_MAX = {"cpu": "1", "memory": "512Mi"}  # one container may not take the whole quota


def _quota(namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": QUOTA, "namespace": namespace, "labels": dict(labels)},
        "spec": {"hard": dict(QUOTA_HARD)},
    }


def _limit_range(namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": LIMITS, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": dict(LIMIT_DEFAULT_REQUEST),
                    "default": dict(LIMIT_DEFAULT),
                    "max": dict(LIMIT_MAX),
                }
            ]
        },
    }


def _role_binding(
    name: str,
    namespace: str,
    cluster_role: str,
    subjects: list[dict[str, Any]],
    labels: dict[str, str],
) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_V1,
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": cluster_role},
        "subjects": [dict(subject) for subject in subjects],
    }
