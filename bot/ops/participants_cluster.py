"""`python -m bot participants teardown|revoke`: after (or during) the workshop, with your admin kubeconfig.

Both find the participant namespaces by the label `participants manifests` puts on them
(app.kubernetes.io/managed-by=podium-participants) and touch nothing else:
- `teardown` deletes those namespaces, and with them everything the participants ran
  (`--dry-run` lists them and deletes nothing);
- `revoke` ends every kubectl access Podium has issued before it expires: it deletes and
  recreates the ServiceAccount `participant` in each of them. A token is bound to the account's
  UID, so the API server rejects every token of the old account at once; the RoleBindings name
  the account by name and apply to the new one, and "Get my kubectl access" issues fresh tokens.
Neither asks a question; both print what they did.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.ops.kubeconfig import KubeconfigError, admin_configuration, api_error
from bot.ops.participants import LABEL_SELECTOR, LABELS, PARTICIPANT_ACCOUNT

PARTICIPANT_LABEL = "podium.dev/participant"


class ClusterError(Exception):
    """Why the command stopped; one line."""


def add_parsers(actions: Any) -> None:
    teardown = actions.add_parser(
        "teardown",
        help="delete every participant namespace (labelled by `participants manifests`) and all in it",
    )
    teardown.add_argument(
        "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
    )
    revoke = actions.add_parser(
        "revoke",
        help="end every kubectl access issued to participants (recreates their ServiceAccounts)",
    )
    revoke.add_argument(
        "--dry-run", action="store_true", help="list what would be revoked, change nothing"
    )
    for parser in (teardown, revoke):
        parser.add_argument(
            "--kubeconfig",
            dest="admin_kubeconfig",
            default=None,
            metavar="FILE",
            help="your admin kubeconfig (default: $KUBECONFIG or ~/.kube/config)",
        )
        parser.add_argument(
            "--context", default=None, help="context of the admin kubeconfig (default: current)"
        )


def run(args: argparse.Namespace) -> int:
    action = teardown if args.participants_action == "teardown" else revoke
    try:
        api = client.CoreV1Api(
            client.ApiClient(admin_configuration(args.admin_kubeconfig, args.context))
        )
        for line in action(api, dry_run=args.dry_run):
            print(line, flush=True)
    except KubeconfigError as error:
        print(f"podium participants: {error}", file=sys.stderr)
        return error.exit_code
    except ClusterError as error:
        print(f"podium participants: {error}", file=sys.stderr)
        return 1
    return 0


def participant_namespaces(api: client.CoreV1Api) -> list[dict[str, Any]]:
    """The labelled namespaces, checked again here: only what `participants manifests` made."""
    response = _call(
        lambda: api.list_namespace(label_selector=LABEL_SELECTOR, _preload_content=False),
        "list namespaces",
    )
    items = _json(response).get("items") or []
    key, value = next(iter(LABELS.items()))
    return sorted(
        (ns for ns in items if ((ns.get("metadata") or {}).get("labels") or {}).get(key) == value),
        key=lambda ns: ns["metadata"]["name"],
    )


def teardown(api: client.CoreV1Api, *, dry_run: bool = False) -> list[str]:
    namespaces = [ns["metadata"]["name"] for ns in participant_namespaces(api)]
    if not namespaces:
        return [f"no participant namespaces (label {LABEL_SELECTOR}); nothing to delete"]
    if dry_run:
        return [f"would delete namespace {name}" for name in namespaces] + [
            f"# {len(namespaces)} namespace(s); run without --dry-run to delete them"
        ]
    lines = []
    for name in namespaces:
        try:
            _call(
                partial(api.delete_namespace, name, _preload_content=False),
                f"delete namespace {name}",
            )
            lines.append(f"deleted namespace {name}")
        except _NotFound:
            lines.append(f"namespace {name} was already gone")
        except _Conflict:  # the API server's answer while a namespace is still Terminating
            lines.append(f"namespace {name} is already being deleted")
    lines.append(
        f"# {len(namespaces)} namespace(s); Kubernetes removes what was in them in the background "
        f"(kubectl get ns -l {LABEL_SELECTOR})"
    )
    return lines


def revoke(
    api: client.CoreV1Api, *, dry_run: bool = False, sleep: Callable[[float], None] = time.sleep
) -> list[str]:
    namespaces = participant_namespaces(api)
    if not namespaces:
        return [f"no participant namespaces (label {LABEL_SELECTOR}); nothing to revoke"]
    lines = []
    for ns in namespaces:
        name = ns["metadata"]["name"]
        try:
            old = _json(
                _call(
                    partial(
                        api.read_namespaced_service_account,
                        PARTICIPANT_ACCOUNT,
                        name,
                        _preload_content=False,
                    ),
                    f"read ServiceAccount {name}/{PARTICIPANT_ACCOUNT}",
                )
            )
        except _NotFound:
            lines.append(
                f"{name}: no ServiceAccount {PARTICIPANT_ACCOUNT} (made with --no-service-account?); "
                "nothing to revoke"
            )
            continue
        if dry_run:
            lines.append(f"would recreate ServiceAccount {name}/{PARTICIPANT_ACCOUNT}")
            continue
        labels = dict((old.get("metadata") or {}).get("labels") or {})
        labels.update(LABELS)
        user = ((ns.get("metadata") or {}).get("labels") or {}).get(PARTICIPANT_LABEL)
        if user:
            labels.setdefault(PARTICIPANT_LABEL, user)
        with contextlib.suppress(_NotFound):  # deleted meanwhile: its tokens are as dead
            _call(
                partial(
                    api.delete_namespaced_service_account,
                    PARTICIPANT_ACCOUNT,
                    name,
                    _preload_content=False,
                ),
                f"delete ServiceAccount {name}/{PARTICIPANT_ACCOUNT}",
            )
        _recreate(api, name, labels, sleep)
        lines.append(
            f"revoked {name}: ServiceAccount {PARTICIPANT_ACCOUNT} recreated, every token issued before "
            "no longer works"
        )
    return lines


def _recreate(
    api: client.CoreV1Api, namespace: str, labels: dict[str, str], sleep: Callable[[float], None]
) -> None:
    # A JSON body: the client sends a plain dict as is (its stub names only the model class).
    body: Any = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": PARTICIPANT_ACCOUNT, "namespace": namespace, "labels": labels},
    }
    for _ in range(20):
        try:
            _call(
                lambda: api.create_namespaced_service_account(
                    namespace, body, _preload_content=False
                ),
                f"create ServiceAccount {namespace}/{PARTICIPANT_ACCOUNT}",
            )
            return
        except _Conflict:
            sleep(0.25)  # the old account is still being removed
    raise ClusterError(
        f"ServiceAccount {namespace}/{PARTICIPANT_ACCOUNT} was deleted but could not be created "
        f"again; run `participants manifests … | kubectl apply -f -` to restore it."
    )


class _NotFound(Exception):
    pass


class _Conflict(Exception):
    pass


def _call(do: Callable[[], Any], what: str) -> Any:
    try:
        return do()
    except ApiException as exc:
        if exc.status == 404:
            raise _NotFound(what) from None
        if exc.status == 409:
            raise _Conflict(what) from None
        if exc.status == 403:
            raise ClusterError(
                f"cannot {what}: Forbidden; run this with an admin kubeconfig (--kubeconfig, "
                "--context)."
            ) from None
        raise ClusterError(str(api_error(exc, what))) from None
    except (OSError, ValueError) as exc:  # unreachable cluster, TLS, an exec plugin that failed
        raise ClusterError(f"cannot reach the cluster ({what}): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - urllib3's errors, exec plugins: one line, never a trace
        raise ClusterError(f"cannot reach the cluster ({what}): {exc}") from None


def _json(response: Any) -> dict[str, Any]:
    data = json.loads(response.data or b"{}")
    return data if isinstance(data, dict) else {}
