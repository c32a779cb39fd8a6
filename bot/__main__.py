"""Command line: `python -m bot [serve | socket | console | slides | participants | kubeconfig]`.

With no sub-command Podium picks by the credentials it has: Socket Mode with an app token, HTTP
mode with a signing secret, and otherwise the console, which needs nothing at all.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.conversation.aliases import aliases_from_settings
from bot.logging_setup import configure_logging
from bot.ops import audit, kubeconfig, participants_cli
from bot.settings import Mode, Settings, SettingsError, default_mode, load_settings, require_mode
from bot.slides import cli as slides_cli

# Tools for instructors and deck authors: they need no Slack settings and run without a server.
TOOLS = {
    "participants": participants_cli.run,
    "kubeconfig": kubeconfig.run,
    "slides": slides_cli.run,
    "audit": audit.run,
}

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podium",
        description="Podium: hands-on Kubernetes workshops inside Slack.",
    )
    sub = parser.add_subparsers(dest="mode", metavar="MODE")
    serve = sub.add_parser("serve", help="HTTP mode: Slack posts to /slack/events on $PORT")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    socket = sub.add_parser("socket", help="Socket Mode: connect out to Slack with SLACK_APP_TOKEN")
    socket.add_argument(
        "--host", default="0.0.0.0", help="address for /healthz and /metrics (default 0.0.0.0)"
    )
    sub.add_parser("console", help="type slash commands here; Slack is played by a local stand-in")
    slides_cli.add_parser(sub)
    participants_cli.add_parser(sub)
    kubeconfig.add_parser(sub)
    audit.add_parser(sub)
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument(
        "--log-format",
        default="json",
        choices=["json", "text"],
        help="server logs: one JSON object per line (default) or plain text",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.mode in TOOLS:
        return TOOLS[args.mode](args)
    try:
        settings = load_settings()
        aliases_from_settings(settings)  # read by the conversation feature; checked with the rest
        mode: Mode = args.mode or default_mode(settings)
        require_mode(settings, mode)
    except SettingsError as error:
        print(f"podium: {error}", file=sys.stderr)
        return 2
    # The console talks to a person on stdout; keep its log quiet unless asked. Servers log JSON
    # lines for log collectors, unless --log-format text.
    configure_logging(
        "WARNING" if mode == "console" and args.log_level == "INFO" else args.log_level,
        json_lines=mode != "console" and args.log_format == "json",
    )
    try:
        return asyncio.run(_run(mode, settings, args))
    except SettingsError as error:
        print(f"podium: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


DEVKIT_INSTALL = "pip install -e ./devkit  (in a Podium checkout; or pip install ./devkit)"


def devkit_missing(error: ModuleNotFoundError) -> str:
    """Why the console cannot start without the devkit, and the command that installs it."""
    if error.name is None or error.name.split(".")[0] == "podium_devkit":
        return (
            "the console needs the stand-ins (podium-devkit), which are not installed: "
            + DEVKIT_INSTALL
        )
    return f"the console needs {error.name}, which podium-devkit depends on: {DEVKIT_INSTALL}"


async def _run(mode: Mode, settings: Settings, args: argparse.Namespace) -> int:
    if mode == "console":
        # The console runs Podium against the stand-ins, which are not in the product: imported
        # only here, and a missing devkit is one line that says how to install it.
        try:
            from podium_devkit.console import run_console
        except ModuleNotFoundError as error:
            print(f"podium: {devkit_missing(error)}", file=sys.stderr)
            return 2
        return await run_console(settings, sys.stdin, sys.stdout)

    from bot.app import build_podium
    from bot.slack.modes import serve_http_forever, serve_socket_forever

    podium = await build_podium(settings)
    await podium.start()  # background work: watching participants' namespaces for failing pods
    # SIGTERM (Kubernetes, PaaS) and Ctrl-C stop gracefully: answers in progress are finished.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if mode == "serve":
        await serve_http_forever(
            podium, host=getattr(args, "host", "0.0.0.0"), port=settings.port, stop=stop
        )
    else:
        await serve_socket_forever(podium, host=getattr(args, "host", "0.0.0.0"), stop=stop)
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
