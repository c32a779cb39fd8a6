"""The console: Podium on built-in defaults, no Slack or cluster credentials needed.

Each line typed (or piped) is sent as a signed slash command through the Slack stand-in to the
very same Bolt app that serves Slack, over HTTP on loopback, and the answer that arrives at the
response_url is printed as text. The cluster is KUBECONFIG's if set, else the demo sandbox: the
Kubernetes API emulator seeded with the deck's demo from manifests/demo/.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from bot.access.render import kubeconfig_text
from bot.app import build_podium
from bot.kubectl.access import NamespaceAccess
from bot.messages.text import decode_slack_text
from bot.ops.kubeconfig import Cluster, write_private
from bot.ops.participants import PARTICIPANT_ACCOUNT, build_participants
from bot.ops.participants import manifests as participant_manifests
from bot.settings import Settings
from bot.slack.modes import EVENTS_PATH, bound_port, start_http
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.kube_controllers import KubeletTimings
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender

PROMPT = "podium> "
CONSOLE_USER = "U0ALICE"  # who the console's person is, for the stand-in and their namespace
KUBECONFIG_NAME = "podium-console.kubeconfig"
CONSOLE_TOKEN_SECONDS = 24 * 3600  # the file lives only as long as the console anyway


def message_to_text(message: dict[str, Any]) -> str:
    """A Slack message as a person would read it in a terminal: blocks in order, code blocks
    unwrapped, Slack's escaping undone."""
    parts: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind in ("section", "header"):
            text = (block.get("text") or {}).get("text", "")
            parts.append(text)
            for field in block.get("fields") or []:
                parts.append(field.get("text", ""))
        elif kind == "context":
            parts.append(
                "  ".join(e.get("text", "") for e in block.get("elements") or [] if "text" in e)
            )
        elif kind == "actions":
            labels = [(e.get("text") or {}).get("text", "") for e in block.get("elements") or []]
            parts.append("  ".join(f"[{label}]" for label in labels if label))
        elif kind == "divider":
            parts.append("-" * 40)
        elif kind == "image":
            parts.append(f"[picture: {block.get('alt_text', '')}]")
    if not parts:
        parts.append(message.get("text", ""))
    text = "\n".join(parts)
    text = text.replace("```\n", "").replace("\n```", "").replace("```", "")
    # Slack decodes only its three entities for display; `&#8238;` is shown as typed.
    return decode_slack_text(text.replace("\u200b", ""))


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    def say(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    async with AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="podium-console-")))
        if settings.kubeconfig or settings.kubeconfig_data is not None or settings.in_cluster:
            cluster = None
        else:
            # The demo workshop also has the console user's own namespace, set up the way the
            # instructor's `participants manifests` does, so exercises can be checked here too.
            participant = build_participants([CONSOLE_USER], settings.participant_namespace)
            # The kubelet at a real cluster's pace, so a rehearsal sees a mistyped image go to
            # ErrImagePull then ImagePullBackOff, and a crashing container to CrashLoopBackOff.
            emulator = KubeEmulator(
                [*load_documents(*demo_seed_paths()), *participant_manifests(participant)],
                kubelet=KubeletTimings(),
            )
            await emulator.start()
            stack.push_async_callback(emulator.stop)
            kubeconfig = emulator.write_kubeconfig(
                workdir / "kubeconfig", namespace=settings.sandbox_namespace
            )
            # The console user reads their own namespace as any participant does: no setting.
            settings = settings.with_overrides(kubeconfig=str(kubeconfig))
            cluster = emulator
            # Before anything else: how a second terminal's kubectl does the exercises here, as the
            # console user's participant account (the same kind of file "Get my kubectl access" DMs).
            participant_kubeconfig = await _participant_kubeconfig(
                emulator, participant[0].namespace, workdir / KUBECONFIG_NAME
            )
            say(
                f"kubectl in a second terminal: export KUBECONFIG={participant_kubeconfig}  "
                f"(the built-in cluster as {CONSOLE_USER}, namespace {participant[0].namespace}; "
                "gone when this console quits)"
            )

        standin = SlackStandIn()
        await standin.start()
        stack.push_async_callback(standin.close)
        signing_secret = secrets.token_hex(16)
        settings = settings.with_overrides(
            slack_bot_token=standin.bot_token,
            slack_signing_secret=signing_secret,
            slack_api_url=standin.api_url,
            # The console's room is its own: state in a temp file unless PODIUM_STATE names one.
            state_path=settings.state_path or workdir / "state.db",
            post_interval=0,
        )
        podium = await build_podium(settings)
        stack.push_async_callback(podium.close)
        await podium.start()  # notifications about the console user's failing pods
        runner = await start_http(podium, host="127.0.0.1", port=0)
        stack.push_async_callback(runner.cleanup)
        sender = SlackSender(
            f"http://127.0.0.1:{bound_port(runner)}{EVENTS_PATH}", signing_secret, standin
        )
        stack.push_async_callback(sender.close)

        if cluster is not None:
            where = (
                f"built-in demo sandbox (Kubernetes API emulator at {cluster.url}, "
                f"namespaces {', '.join(NamespaceAccess.from_settings(settings).namespaces_for(CONSOLE_USER))})"
            )
        elif settings.in_cluster:
            where = f"in-cluster service account ({podium.gateway.server})"
        elif settings.kubeconfig_data is not None:
            where = f"{podium.gateway.server} from PODIUM_KUBECONFIG_B64"
        else:
            where = f"{podium.gateway.server} from KUBECONFIG={settings.kubeconfig}"
        say(f"Podium console · cluster: {where} · Slack: local stand-in")
        interactive = stdin.isatty()
        if interactive:
            say("Type a slash command, e.g. /kubectl get pods (or /kubectl help). Ctrl-D quits.")

        commands = podium.slash_commands
        while True:
            if interactive:
                stdout.write(PROMPT)
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)  # the emulator shares this loop
            if not line:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not line.startswith("/"):
                line = "/" + line if line.split(" ", 1)[0] in {c[1:] for c in commands} else line
            command, _, text = line.partition(" ")
            if command not in commands:
                say(f"Podium has no {command} command here; try one of: {', '.join(commands)}.")
                continue
            if interactive is False:
                say(f"{PROMPT}{line}")
            say(await _send(sender, standin, command, text.strip(), settings.cluster_timeout + 5))
    return 0


async def _participant_kubeconfig(emulator: KubeEmulator, namespace: str, path: Path) -> Path:
    """A kubeconfig for the console user's participant ServiceAccount, its token minted with the
    TokenRequest API by the cluster's admin (the instructor's role in a real workshop)."""
    url = (
        f"{emulator.url}/api/v1/namespaces/{namespace}/serviceaccounts/{PARTICIPANT_ACCOUNT}/token"
    )
    body = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": CONSOLE_TOKEN_SECONDS},
    }
    headers = {"Authorization": f"Bearer {emulator.ADMIN_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        response.raise_for_status()
        token = (await response.json())["status"]["token"]
    cluster = Cluster(
        server=emulator.https_url, ca_data=emulator.tls.ca_data()
    )  # kubectl sends tokens over TLS only
    write_private(path, kubeconfig_text(cluster, token, namespace, PARTICIPANT_ACCOUNT))
    return path


# Web API calls that put something in front of the console's user, and how to label them.
_SHOWN_CALLS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
_QUIET_SECONDS = 0.3


async def _send(
    sender: SlackSender, standin: SlackStandIn, command: str, text: str, timeout: float
) -> str:
    """Send one slash command and collect what the user would see: the reply at the
    response_url, and messages Podium posts meanwhile (slides in the channel, DMs)."""
    seen = len(standin.calls())
    sent = await sender.slash_command(command, text, user_id=CONSOLE_USER)
    if sent.status != 200:
        return f"(Slack would show an error: the app answered HTTP {sent.status})"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_change, last_count = loop.time(), 0
    while loop.time() < deadline:
        count = len(standin.calls()) + len(standin.responses(sent.response_url))
        if count != last_count:
            last_change, last_count = loop.time(), count
        answered = bool(standin.responses(sent.response_url))
        if answered and loop.time() - last_change >= _QUIET_SECONDS:
            break
        await asyncio.sleep(0.05)
    parts = [
        _labelled(call.method, call.args, standin)
        for call in standin.calls()[seen:]
        if call.method in _SHOWN_CALLS
        and call.ok
        and not _drops_buttons_only(call.method, call.args)
    ]
    parts += [message_to_text(post.body) for post in standin.responses(sent.response_url)]
    if sent.body.strip():  # an immediate answer in the ack itself
        try:
            parts.insert(0, message_to_text(json.loads(sent.body)))
        except ValueError:
            parts.insert(0, sent.body)
    return "\n".join(parts) if parts else f"(no answer within {timeout:g}s)"


def _labelled(method: str, args: dict[str, Any], standin: SlackStandIn) -> str:
    channel = str(args.get("channel", ""))
    where = (
        "your DM with Podium" if channel.startswith("D") else f"#{standin.channel_name(channel)}"
    )
    verb = "updated in" if method == "chat.update" else "posted in"
    if args.get("thread_ts"):
        verb += " a thread of"
    return f"── {verb} {where} ──\n{message_to_text(args)}"


def _drops_buttons_only(method: str, args: dict[str, Any]) -> bool:
    """chat.update of a channel slide that only removes its buttons is noise in a terminal."""
    return method == "chat.update" and not str(args.get("channel", "")).startswith("D")
