"""`python -m bot kubeconfig`: a kubeconfig for Podium's ServiceAccount (podium/podium).

Run by the instructor with their own (admin) kubeconfig. By default it creates, or reuses, a
long-lived token Secret (type kubernetes.io/service-account-token) for the ServiceAccount, waits
for the cluster's token controller to fill it, and prints a kubeconfig that holds only that token
plus the cluster's address and CA taken from the admin kubeconfig. With `--duration` it asks the
TokenRequest API for a token that expires instead (nothing is stored in the cluster).

The result is what a PaaS needs: a file named by KUBECONFIG, or `--base64` for
PODIUM_KUBECONFIG_B64. Revoke a long-lived token by deleting its Secret.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from bot import settings

SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name"
MIN_DURATION_SECONDS = 600  # the API server refuses TokenRequests shorter than 10 minutes
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


class KubeconfigError(Exception):
    """Why no kubeconfig was written; one line for the instructor."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Cluster:
    server: str
    ca_data: str | None  # base64 PEM, as certificate-authority-data; None: the system's CAs
    insecure: bool = False


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "kubeconfig",
        help="print a kubeconfig for Podium's read-only ServiceAccount (run with admin access)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--namespace",
        default="podium",
        help="namespace of Podium's ServiceAccount (default: podium, manifests/podium/)",
    )
    parser.add_argument(
        "--context-namespace",
        default="sandbox",
        metavar="NAMESPACE",
        help="the kubeconfig context's default namespace (default: sandbox)",
    )
    parser.add_argument(
        "--service-account", default="podium", help="the ServiceAccount (default: podium)"
    )
    parser.add_argument(
        "--server",
        default=None,
        metavar="URL",
        help="API server URL to write (default: the admin kubeconfig's)",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="FILE",
        type=Path,
        help="write here (mode 600) instead of stdout",
    )
    parser.add_argument(
        "--base64",
        action="store_true",
        help="print it base64-encoded on one line, for PODIUM_KUBECONFIG_B64",
    )
    parser.add_argument(
        "--duration",
        default=None,
        metavar="DURATION",
        help="use an expiring TokenRequest token instead of a token Secret, e.g. 12h or 7d",
    )
    parser.add_argument(
        "--secret-name",
        default=None,
        help="name of the token Secret (default: SERVICE_ACCOUNT-token)",
    )
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
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds to wait for the token controller (default: 30)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        for option, value in (
            ("--namespace", args.namespace),
            ("--service-account", args.service_account),
            ("--context-namespace", args.context_namespace),
        ):
            if not _DNS_LABEL.match(value):
                raise KubeconfigError(f"{option}: {value!r} is not a valid Kubernetes name.", 2)
        seconds = parse_duration(args.duration) if args.duration else None
        configuration = admin_configuration(args.admin_kubeconfig, args.context)
        cluster = cluster_of(configuration, args.server)
        api = client.CoreV1Api(client.ApiClient(configuration))
        _require_service_account(api, args.namespace, args.service_account)
        if seconds is not None:
            token = request_token(api, args.namespace, args.service_account, seconds)
            print(
                f"# a TokenRequest token valid for {args.duration}; run this again before it expires",
                file=sys.stderr,
            )
        else:
            secret = args.secret_name or f"{args.service_account}-token"
            token = long_lived_token(
                api, args.namespace, args.service_account, secret, args.timeout
            )
            print(
                f"# long-lived token from Secret {args.namespace}/{secret}; revoke it with "
                f"`kubectl -n {args.namespace} delete secret {secret}`",
                file=sys.stderr,
            )
    except KubeconfigError as error:
        print(f"podium kubeconfig: {error}", file=sys.stderr)
        return error.exit_code
    if cluster.insecure:
        print(
            "# warning: the admin kubeconfig skips TLS verification, so does this one",
            file=sys.stderr,
        )
    text = yaml.safe_dump(
        build_kubeconfig(
            cluster,
            token,
            args.namespace,
            args.service_account,
            context_namespace=args.context_namespace,
        ),
        sort_keys=False,
    )
    if args.base64:
        text = base64.b64encode(text.encode()).decode() + "\n"
    if args.output:
        write_private(args.output, text)
        print(f"# written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def parse_duration(text: str) -> int:
    seconds = settings.parse_duration(text) or 0
    if seconds < MIN_DURATION_SECONDS:
        raise KubeconfigError(f"--duration: {text!r} must be at least 10m (e.g. 12h, 7d).", 2)
    return seconds


def admin_configuration(path: str | None, context: str | None) -> client.Configuration:
    """The instructor's cluster access, loaded the way kubectl would (exec plugins such as
    `aws eks get-token` included)."""
    configuration = client.Configuration()
    try:
        config.load_kube_config(
            config_file=path, context=context, client_configuration=configuration
        )
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        where = path or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise KubeconfigError(f"cannot use the admin kubeconfig {where}: {exc}", 2) from None
    configuration.retries = False
    return configuration


def cluster_of(configuration: client.Configuration, server: str | None) -> Cluster:
    """Server and CA as the admin kubeconfig has them (the client wrote inline CA data to a file)."""
    ca_data = None
    if configuration.ssl_ca_cert:
        try:
            ca_data = base64.b64encode(Path(configuration.ssl_ca_cert).read_bytes()).decode()
        except OSError as exc:
            raise KubeconfigError(
                f"cannot read the cluster CA {configuration.ssl_ca_cert}: {exc.strerror}"
            ) from None
    return Cluster(
        server or str(configuration.host), ca_data, insecure=not configuration.verify_ssl
    )


def _require_service_account(api: client.CoreV1Api, namespace: str, name: str) -> None:
    try:
        api.read_namespaced_service_account(name, namespace, _preload_content=False)
    except ApiException as exc:
        if exc.status == 404:
            raise KubeconfigError(
                f"ServiceAccount {namespace}/{name} does not exist; apply the manifests first "
                "(kubectl apply -k manifests/)."
            ) from None
        raise api_error(exc, f"read ServiceAccount {namespace}/{name}") from None
    except Exception as exc:  # noqa: BLE001 - unreachable cluster, TLS, exec plugin: one line
        raise KubeconfigError(f"cannot reach the cluster: {exc}") from None


def request_token(api: client.CoreV1Api, namespace: str, name: str, seconds: int) -> str:
    body = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=seconds)
    )
    try:
        response = api.create_namespaced_service_account_token(name, namespace, body)
    except ApiException as exc:
        raise api_error(exc, f"request a token for {namespace}/{name}") from None
    token = response.status.token if response.status else None
    if not token:
        raise KubeconfigError(f"the TokenRequest for {namespace}/{name} came back without a token.")
    return str(token)


def long_lived_token(
    api: client.CoreV1Api,
    namespace: str,
    account: str,
    secret_name: str,
    timeout: float,
    poll: float = 0.5,
) -> str:
    """Read the token Secret, creating it first if needed, once the token controller filled it."""
    secret = _read_secret(api, namespace, secret_name)
    if secret is None:
        body = client.V1Secret(
            metadata=client.V1ObjectMeta(
                name=secret_name,
                namespace=namespace,
                annotations={SERVICE_ACCOUNT_ANNOTATION: account},
                labels={"app.kubernetes.io/name": "podium"},
            ),
            type=SERVICE_ACCOUNT_TOKEN,
        )
        try:
            api.create_namespaced_secret(namespace, body, _preload_content=False)
        except ApiException as exc:
            raise api_error(exc, f"create Secret {namespace}/{secret_name}") from None
        print(f"# created Secret {namespace}/{secret_name}; waiting for its token", file=sys.stderr)
    else:
        # Never hand out a token of some other identity that happens to use this name.
        owner = ((secret.get("metadata") or {}).get("annotations") or {}).get(
            SERVICE_ACCOUNT_ANNOTATION
        )
        if secret.get("type") != SERVICE_ACCOUNT_TOKEN or owner != account:
            raise KubeconfigError(
                f"Secret {namespace}/{secret_name} exists but is not a token of ServiceAccount {account}; "
                "pick another name with --secret-name."
            )
    deadline = time.monotonic() + timeout
    while True:
        token = ((secret or {}).get("data") or {}).get("token")
        if token:
            return base64.b64decode(token).decode()
        if time.monotonic() >= deadline:
            raise KubeconfigError(
                f"Secret {namespace}/{secret_name} got no token within {timeout:g}s; is the "
                "ServiceAccount's token controller running? Try --duration 24h instead."
            )
        time.sleep(poll)
        secret = _read_secret(api, namespace, secret_name)


def _read_secret(api: client.CoreV1Api, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        # _preload_content=False returns urllib3's response (raw JSON), not the typed V1Secret.
        response: Any = api.read_namespaced_secret(name, namespace, _preload_content=False)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise api_error(exc, f"read Secret {namespace}/{name}") from None
    data = json.loads(response.data)
    return data if isinstance(data, dict) else None


def build_kubeconfig(
    cluster: Cluster,
    token: str,
    namespace: str,
    account: str,
    *,
    context_namespace: str = "sandbox",
) -> dict[str, Any]:
    """A kubeconfig with one cluster, one user (the token, nothing else) and one context, whose
    namespace is the sandbox: the account's own namespace (podium) is one it may not read."""
    entry: dict[str, Any] = {"server": cluster.server}
    if cluster.ca_data:
        entry["certificate-authority-data"] = cluster.ca_data
    if cluster.insecure:
        entry["insecure-skip-tls-verify"] = True
    name = f"podium-{namespace}"
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "workshop", "cluster": entry}],
        "users": [{"name": f"{namespace}-{account}", "user": {"token": token}}],
        "contexts": [
            {
                "name": name,
                "context": {
                    "cluster": "workshop",
                    "user": f"{namespace}-{account}",
                    "namespace": context_namespace,
                },
            }
        ],
        "current-context": name,
        "preferences": {},
    }


def write_private(path: Path, text: str) -> None:
    """Only the owner may read a file holding a token, from its very first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def api_error(exc: ApiException, what: str) -> KubeconfigError:
    reason = exc.reason or "error"
    message = ""
    with contextlib.suppress(
        ValueError, AttributeError
    ):  # no JSON Status body: status and reason only
        message = json.loads(exc.body or "{}").get("message", "")
    return KubeconfigError(
        f"cannot {what}: {exc.status} {reason}{': ' + message if message else ''}"
    )
