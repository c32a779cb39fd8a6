"""`python -m bot participants manifests --users U1,U2`: what a workshop needs per participant.

Prints one YAML stream for `kubectl apply -f -`: for each participant a namespace (named by a
template from their Slack user ID), a RoleBinding that lets Podium's ServiceAccount read it (and
`get` its Namespace object) with the ClusterRole podium-read (manifests/podium/), and optionally
an `edit` RoleBinding for the identity the participant uses with their own kubectl. Everything
lives in the participant's own namespace, so applying it for a late joiner never changes what
Podium may read anywhere else. Podium lets each participant read their own namespace, and the
instructors everyone's, with no setting. Pure text generation: nothing here talks to a cluster.
"""

from __future__ import annotations

import argparse
import os
import re
import string
import sys
from dataclasses import dataclass
from typing import Any

import yaml

DEFAULT_TEMPLATE = "ws-{user}"
TEMPLATE_ENV = "PODIUM_PARTICIPANT_NAMESPACE"
READ_CLUSTER_ROLE = "podium-read"
PODIUM_NAMESPACE = "podium"  # where Podium's ServiceAccount lives (manifests/podium/)
SUBJECT_KINDS = ("User", "Group", "ServiceAccount")
RBAC = "rbac.authorization.k8s.io"
RBAC_V1 = f"{RBAC}/v1"
LABELS = {"app.kubernetes.io/managed-by": "podium-participants"}

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


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "participants", help="write the namespaces and RBAC a workshop needs per participant",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="participants_action", metavar="ACTION", required=True)
    manifests = actions.add_parser(
        "manifests", help="print namespaces and RoleBindings for participants (YAML, for kubectl apply -f -)",
    )
    manifests.add_argument("--users", action="append", required=True, metavar="U1,U2",
                           help="Slack user IDs, comma separated (repeatable)")
    manifests.add_argument(
        "--namespace-template", default=None, metavar="TEMPLATE",
        help=f"namespace name per participant; {{user}} is the lower-cased Slack user ID "
             f"(default: ${TEMPLATE_ENV} or {DEFAULT_TEMPLATE})",
    )
    manifests.add_argument(
        "--edit-subject", default=None, metavar="KIND:NAME",
        help="also bind ClusterRole edit in each namespace to this identity, e.g. "
             "'User:{user}@example.com' or 'Group:workshop' (KIND: User, Group, ServiceAccount)",
    )
    manifests.add_argument("--podium-namespace", default=PODIUM_NAMESPACE,
                           help=f"namespace of Podium's ServiceAccount (default: {PODIUM_NAMESPACE})")
    manifests.add_argument("--service-account", default="podium",
                           help="Podium's ServiceAccount (default: podium)")


def run(args: argparse.Namespace) -> int:
    try:
        template = args.namespace_template or os.environ.get(TEMPLATE_ENV) or DEFAULT_TEMPLATE
        participants = build_participants(_split_users(args.users), template)
        edit = parse_edit_subject(args.edit_subject) if args.edit_subject else None
        check_dns_label("--podium-namespace", args.podium_namespace)
        documents = manifests(participants, podium_namespace=args.podium_namespace,
                              service_account=args.service_account, edit_subject=edit)
    except ParticipantsError as error:
        print(f"podium participants: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(yaml.safe_dump_all(documents, sort_keys=False))
    # What the instructor needs to know (stderr: not YAML). Participants' namespaces never go into
    # PODIUM_NAMESPACES: that list is shared with everyone.
    print(f"# Each participant reads their own namespace ({template}) through Podium and the "
          "instructors (PODIUM_INSTRUCTORS) read all of them; no setting to change. Re-run with "
          "more --users any time: it never removes anyone's access.", file=sys.stderr)
    return 0


def _split_users(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


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
        raise ParticipantsError(f"{option}: {template!r} is not a valid template ({exc}).") from None


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


def manifests(participants: list[Participant], *, podium_namespace: str = PODIUM_NAMESPACE,
              service_account: str = "podium", edit_subject: EditSubject | None = None) -> list[dict[str, Any]]:
    """The documents, in apply order: namespaces before what lives in them."""
    podium = {"kind": "ServiceAccount", "name": service_account, "namespace": podium_namespace}
    documents: list[dict[str, Any]] = []
    for participant in participants:
        labels = {**LABELS, "podium.dev/workshop": "true", "podium.dev/participant": participant.user_id}
        documents.append({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": participant.namespace, "labels": labels}})
        documents.append(_role_binding("podium-read", participant.namespace, READ_CLUSTER_ROLE, podium))
        if edit_subject is not None:
            documents.append(_role_binding("participant-edit", participant.namespace, "edit",
                                           edit_subject.for_participant(participant)))
    return documents


def _role_binding(name: str, namespace: str, cluster_role: str, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_V1, "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(LABELS)},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": cluster_role},
        "subjects": [dict(subject)],
    }
