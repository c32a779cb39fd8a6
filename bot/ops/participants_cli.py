"""`python -m bot participants manifests|teardown|revoke`: the command line of bot/ops/participants.py
(what a workshop needs per participant), participants_cluster.py (teardown, revoke) and
slack_members.py (`--channel`).

Apart from the modules it drives, so they need not import each other: participants_cluster and
slack_members use participants' names, and only this module knows all three. Both are imported
when their action runs, so `manifests` loads no Kubernetes client and no Slack SDK.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import yaml

from bot.ops import participants as model
from bot.ops.participants import (
    DEFAULT_TEMPLATE,
    ISSUE_TOKEN,
    PARTICIPANT_ACCOUNT,
    PODIUM_NAMESPACE,
    TEMPLATE_ENV,
    ParticipantsError,
    build_participants,
    check_dns_label,
    manifests,
    parse_edit_subject,
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "participants",
        help="write, tear down or revoke what a workshop needs per participant",
        description=(model.__doc__ or "").split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="participants_action", metavar="ACTION", required=True)
    manifests_parser = actions.add_parser(
        "manifests",
        help="print each participant's namespace, ServiceAccount, RoleBindings, quota and "
        "limits (YAML, for kubectl apply -f -)",
    )
    manifests_parser.add_argument(
        "--users",
        action="append",
        default=[],
        metavar="U1,U2",
        help="Slack user IDs, comma separated (repeatable)",
    )
    manifests_parser.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="C…",
        help="also every member of this Slack channel (repeatable; needs SLACK_BOT_TOKEN, and Podium in "
        "the channel if it is private); bots, deactivated accounts and PODIUM_INSTRUCTORS are left out",
    )
    manifests_parser.add_argument(
        "--namespace-template",
        default=None,
        metavar="TEMPLATE",
        help=f"namespace name per participant; {{user}} is the lower-cased Slack user ID "
        f"(default: ${TEMPLATE_ENV} or {DEFAULT_TEMPLATE})",
    )
    manifests_parser.add_argument(
        "--edit-subject",
        default=None,
        metavar="KIND:NAME",
        help="also bind ClusterRole edit in each namespace to the identity participants authenticate as "
        "with their own kubectl when they do not use Podium's tokens, e.g. EKS access entries: NAME "
        "is the Kubernetes username or group their IAM principal maps to ('User:{user}' only if the "
        "access entry's username is the lower-cased Slack ID; 'Group:workshop'), never a bare Slack "
        "ID. KIND: User, Group, ServiceAccount",
    )
    manifests_parser.add_argument(
        "--no-service-account",
        dest="participant_account",
        action="store_false",
        help=f"no ServiceAccount {PARTICIPANT_ACCOUNT} and no {ISSUE_TOKEN} binding (participants use "
        "their own identity, --edit-subject; Podium's 'Get my kubectl access' then has nothing to issue)",
    )
    manifests_parser.add_argument(
        "--podium-namespace",
        default=PODIUM_NAMESPACE,
        help=f"namespace of Podium's ServiceAccount (default: {PODIUM_NAMESPACE})",
    )
    manifests_parser.add_argument(
        "--service-account", default="podium", help="Podium's ServiceAccount (default: podium)"
    )
    from bot.ops import participants_cluster

    participants_cluster.add_parsers(actions)


def run(args: argparse.Namespace) -> int:
    if args.participants_action != "manifests":
        from bot.ops import participants_cluster

        return participants_cluster.run(args)
    try:
        template = args.namespace_template or os.environ.get(TEMPLATE_ENV) or DEFAULT_TEMPLATE
        user_ids = _split_users(args.users)
        if args.channel:
            from bot.ops import slack_members

            user_ids += slack_members.members_from_environment(args.channel)
            if not user_ids:
                raise ParticipantsError(
                    f"nobody to set up: {', '.join(args.channel)} has only bots, deactivated "
                    "accounts and instructors in it; add people with --users."
                )
        elif not args.users:
            raise ParticipantsError("say who takes part: --users U1,U2 and/or --channel C0123ABCD.")
        participants = build_participants(user_ids, template)
        edit = parse_edit_subject(args.edit_subject) if args.edit_subject else None
        check_dns_label("--podium-namespace", args.podium_namespace)
        documents = manifests(
            participants,
            podium_namespace=args.podium_namespace,
            service_account=args.service_account,
            edit_subject=edit,
            participant_account=args.participant_account,
        )
    except ParticipantsError as error:
        print(f"podium participants: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(yaml.safe_dump_all(documents, sort_keys=False))
    # What the instructor needs to know (stderr: not YAML). Participants' namespaces never go into
    # PODIUM_NAMESPACES: that list is shared with everyone.
    print(
        f"# {len(participants)} participant(s). Each reads their own namespace ({template}) through Podium "
        "and the instructors (PODIUM_INSTRUCTORS) read all of them; no setting to change. Re-run with "
        "more --users any time: it never removes anyone's access.",
        file=sys.stderr,
    )
    return 0


def _split_users(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
