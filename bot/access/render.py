"""The pure half of "Get my kubectl access": how long a token lives, the kubeconfig file, the DM
that carries it, the answers, and the `/workshop` command's words. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import yaml

from bot.messages.text import Mrkdwn, mrkdwn, trusted
from bot.ops.kubeconfig import Cluster, build_kubeconfig

MIN_TOKEN_SECONDS = 600  # the API server refuses TokenRequests shorter than 10 minutes
SWITCH = "access"  # the runtime switch's name in the store
INSTALL_URL = "https://kubernetes.io/docs/tasks/tools/"


def token_seconds(now: datetime, ttl_seconds: int, until: datetime | None) -> int:
    """The TokenRequest's expirationSeconds: until the end of the workshop when it is set (at
    least 10 minutes, whatever the clock says), else the configured lifetime."""
    if until is None:
        return max(MIN_TOKEN_SECONDS, ttl_seconds)
    return max(MIN_TOKEN_SECONDS, int((until - now).total_seconds()))


def expiry_text(expires_at: datetime, now: datetime) -> str:
    """`17:00 UTC` today, `2026-12-04 17:00 UTC` on another day."""
    if expires_at.date() == now.date():
        return expires_at.strftime("%H:%M UTC")
    return expires_at.strftime("%Y-%m-%d %H:%M UTC")


def kubeconfig_filename(namespace: str) -> str:
    return f"podium-{namespace}.kubeconfig"


def kubeconfig_text(cluster: Cluster, token: str, namespace: str, account: str) -> str:
    """The file: the cluster's server and CA, the token of `account`, one context whose namespace
    is the participant's own (so `kubectl get pods` needs no `-n`)."""
    config = build_kubeconfig(cluster, token, namespace, account, context_namespace=namespace)
    return yaml.safe_dump(config, sort_keys=False)


def dm_text(namespace: str, filename: str, expires: str, *, again: bool) -> Mrkdwn:
    """The message the file arrives with in the DM: how to use it, what to try, how long it works."""
    earlier = (
        "\nThis is a new token; the file you got earlier keeps working until it expires."
        if again
        else ""
    )
    return mrkdwn(
        "*Your kubectl access to `{ns}`* is attached: save `{file}` (e.g. in Downloads), then\n"
        "• macOS / Linux: `export KUBECONFIG=~/Downloads/{file}`\n"
        '• Windows PowerShell: `$env:KUBECONFIG="$HOME\\Downloads\\{file}"`\n'
        "• or per command: `kubectl --kubeconfig ~/Downloads/{file} get pods`\n"
        "Try `kubectl get pods` and `kubectl auth can-i create deployments`.\n"
        "It works only in your namespace `{ns}` (no `-n` needed) and expires at {expires}: "
        "ask again for a new one (`/workshop access`).{earlier}\n"
        "No kubectl yet? Install it: <{url}|kubernetes.io/docs/tasks/tools>.",
        ns=namespace,
        file=filename,
        expires=expires,
        earlier=trusted(earlier),
        url=trusted(INSTALL_URL),
    )


def sent_line(expires: str, *, again: bool) -> str:
    """What the asker sees where they asked (privately)."""
    line = f"Sent to your DM with Podium: a kubeconfig file, valid until {expires}."
    if again:
        line += " Your earlier file keeps working until it expires."
    return line


# -- `/workshop` ---------------------------------------------------------------------------------

USAGE = trusted(
    "`/workshop access`: a kubeconfig for your own namespace, sent to your DM with Podium "
    "(a short-lived token for your kubectl).\n"
    "Instructors: `/workshop access off` turns it off for everyone, `/workshop access on` back on.\n"
    "Instructors: `/workshop board` (or `@Podium board`) posts the room board in your DM: who is "
    "stuck, longest first.\n"
    "`/workshop notify off` stops Podium's DMs about your failing pods, `/workshop notify on` turns "
    "them back on; instructors: `/workshop notify room off|on` for everyone."
)


@dataclass(frozen=True)
class WorkshopCommand:
    action: str  # "help", "access", "on", "off"


@dataclass(frozen=True)
class WorkshopUsageError:
    message: str


def parse_workshop(text: str) -> WorkshopCommand | WorkshopUsageError:
    words = text.lower().split()
    if not words or words == ["help"]:
        return WorkshopCommand("help")
    if words[0] != "access":
        return WorkshopUsageError(f"`/workshop` does not know {words[0]!r}.")
    if len(words) == 1:
        return WorkshopCommand("access")
    if len(words) == 2 and words[1] in ("on", "off"):
        return WorkshopCommand(words[1])
    if len(words) == 2 and words[1] == "help":
        return WorkshopCommand("help")
    return WorkshopUsageError("`/workshop access` takes nothing, or `on` / `off` (instructors).")


def expires_at(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
