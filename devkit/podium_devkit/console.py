"""The console: Podium on built-in defaults, no Slack or cluster credentials needed.

Each line typed (or piped) is sent as a signed slash command through the Slack stand-in to the
very same Bolt app that serves Slack, over HTTP on loopback, and the answer that arrives at the
response_url is printed as text. The cluster is KUBECONFIG's if set, else the demo sandbox: the
Kubernetes API emulator seeded with the deck's demo from manifests/demo/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
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
from podium_devkit.slack_records import ApiCall
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
        # What Podium posts on its own between commands (a `get -w` updating, a DM) is printed
        # as it happens, so a transcript shows it after the command that started it.
        transcript = Transcript(standin)

        def aside(text: str) -> None:
            if interactive:  # under the waiting prompt, then the prompt again
                stdout.write(f"\n{text}\n{PROMPT}")
                stdout.flush()
            else:
                say(text)

        stack.enter_context(_printing(transcript, aside))
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
            async with transcript.command():
                say(
                    await _send(
                        sender,
                        standin,
                        command,
                        text.strip(),
                        settings.cluster_timeout + 5,
                        transcript,
                    )
                )
        # Quitting ends the watches: their last update ("stopped watching") is shown too.
        await podium.get_watches.close()
        for part in await transcript.background():
            say(part)
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


# How often the console looks for Slack calls Podium made on its own between commands.
_BACKGROUND_SECONDS = 0.2


class Transcript:
    """Which of Podium's Slack calls the console has printed: those during a command are part of
    its answer (`_send`), the others are printed as they happen (`_printing`). Each call once."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.cursor = 0  # calls before this index are printed or were not for people
        self._lock = asyncio.Lock()
        # What each message last read as without its buttons: an update that only drops a
        # slide's buttons is noise in a terminal; one that changes what it says is not.
        self._shown: dict[tuple[str, str], str] = {}

    @contextlib.asynccontextmanager
    async def command(self) -> AsyncIterator[None]:
        async with self._lock:
            yield

    def parts(self, calls: Sequence[ApiCall]) -> list[str]:
        """The printable calls among `calls`, labelled, in order."""
        parts = []
        for call in calls:
            if call.method not in _SHOWN_CALLS or not call.ok:
                continue
            channel = str((call.response or {}).get("channel") or call.args.get("channel", ""))
            ts = str(call.args.get("ts") or (call.response or {}).get("ts") or "")
            plain = message_to_text(_without_buttons(call.args))
            shown_before = self._shown.get((channel, ts))
            self._shown[(channel, ts)] = plain
            if (
                call.method == "chat.update"
                and not channel.startswith("D")
                and (shown_before == plain)
            ):
                continue
            parts.append(_labelled(call.method, call.args, self.standin))
        return parts

    async def background(self) -> list[str]:
        """What Podium posted since the last print, unless a command is collecting it."""
        if self._lock.locked():
            return []
        async with self._lock:
            calls = self.standin.calls()
            new, self.cursor = calls[self.cursor :], len(calls)
            return self.parts(new)


@contextlib.contextmanager
def _printing(transcript: Transcript, say: Callable[[str], None]) -> Iterator[None]:
    async def loop() -> None:
        while True:
            await asyncio.sleep(_BACKGROUND_SECONDS)
            for part in await transcript.background():
                say(part)

    task = asyncio.get_running_loop().create_task(loop(), name="console transcript")
    try:
        yield
    finally:
        task.cancel()


def _without_buttons(args: dict[str, Any]) -> dict[str, Any]:
    blocks = [b for b in args.get("blocks") or [] if b.get("type") != "actions"]
    return {**args, "blocks": blocks}


async def _send(
    sender: SlackSender,
    standin: SlackStandIn,
    command: str,
    text: str,
    timeout: float,
    transcript: Transcript,
) -> str:
    """Send one slash command and collect what the user would see: the reply at the
    response_url, and messages Podium posts meanwhile (slides in the channel, DMs)."""
    seen = len(standin.calls())
    # Anything since the last print was Podium's own doing: printed first, in order.
    earlier = transcript.parts(standin.calls()[transcript.cursor : seen])
    transcript.cursor = seen
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
    calls = standin.calls()
    transcript.cursor = len(calls)
    parts = [*earlier, *transcript.parts(calls[seen:])]
    parts += [message_to_text(post.body) for post in standin.responses(sent.response_url)]
    if sent.body.strip():  # an immediate answer in the ack itself, after what came before it
        try:
            parts.insert(len(earlier), message_to_text(json.loads(sent.body)))
        except ValueError:
            parts.insert(len(earlier), sent.body)
    return "\n".join(parts) if parts else f"(no answer within {timeout:g}s)"


def _labelled(method: str, args: dict[str, Any], standin: SlackStandIn) -> str:
    channel = str(args.get("channel", ""))
    # A user ID as the channel is Slack's way to post in the app's DM with that person.
    in_dm = channel.startswith(("D", "U", "W"))
    where = "your DM with Podium" if in_dm else f"#{standin.channel_name(channel)}"
    verb = "updated in" if method == "chat.update" else "posted in"
    if args.get("thread_ts"):
        verb += " a thread of"
    return f"── {verb} {where} ──\n{message_to_text(args)}"
