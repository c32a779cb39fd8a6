"""The Slack app manifests declare exactly the app Podium is: the slash commands and events its
Bolt app listens to, interactivity when it has buttons, and the scopes of the Web API methods its
code calls. Listeners are found by asking the built Bolt app itself (no second list to keep in
sync): each listener's matchers are probed with the payload Slack would send."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Podium, build_podium
from bot.settings import load_settings
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from podium_devkit.slack_api import SlackStandIn
from tests.harness.manifests import MANIFESTS, REPO

SLACK = MANIFESTS / "slack"
HTTP_URL = "https://podium.example.com/slack/events"
# Web API method → the bot scope it needs (api.slack.com/methods). A method the code starts to
# call that is missing here fails the test below: add its scope here and to both manifests.
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "files_upload_v2": "files:write",
    "files_info": "files:read",
    "conversations_open": "im:write",
    "users_info": "users:read",
    # `python -m bot participants manifests --channel` (bot/ops/slack_members.py), with the bot token:
    # public and private channels (not DMs)
    "conversations_members": ("channels:read", "groups:read"),
    "usergroups_users_list": "usergroups:read",
    # after an ambiguous post failure, Podium looks whether the post exists (bot/slack/posted_once.py):
    # public channels, private channels, DMs
    "conversations_history": ("channels:history", "groups:history", "im:history"),
    "conversations_replies": ("channels:history", "groups:history", "im:history"),
    "reactions_add": "reactions:write",
    "reactions_remove": "reactions:write",
    "views_open": None,  # no scope: needs a trigger_id
    "views_publish": None,
    "views_update": None,
    "chat_getPermalink": None,
    "auth_test": None,
}


# Bot event → the bot scope Slack requires to subscribe to it (api.slack.com/events).
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "app_home_opened": None,
}


def manifests() -> dict[str, dict[str, Any]]:
    return {
        mode: yaml.safe_load((SLACK / f"app-manifest.{mode}.yaml").read_text(encoding="utf-8"))
        for mode in ("http", "socket")
    }


@pytest.fixture
async def podium(tmp_path: Path) -> AsyncIterator[Podium]:
    """Podium built as `python -m bot serve` builds it, against the Slack stand-in and the emulator."""
    async with SlackStandIn() as standin, KubeEmulator.from_paths(*demo_seed_paths()) as emulator:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": standin.bot_token,
                "SLACK_API_URL": standin.api_url,
                "SLACK_SIGNING_SECRET": "manifest-test-secret",
                "PODIUM_STATE": str(tmp_path / "state.db"),
                "KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kubeconfig")),
            }
        )
        podium = await build_podium(settings)
        yield podium
        await podium.close()


# Bolt introspection ---------------------------------------------------------------------------


def _closure_strings(func: Callable[..., Any], seen: set[int] | None = None) -> Iterator[str]:
    """The strings a matcher closes over (`/kubectl`, an event type, an action_id): candidates to
    probe with. Bolt builds matchers as closures around what the listener was registered for."""
    seen = set() if seen is None else seen
    if id(func) in seen:
        return
    seen.add(id(func))
    for cell in getattr(func, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if isinstance(value, str):
            yield value
        elif isinstance(value, re.Pattern):
            yield from _samples(value)
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, str))
        elif callable(value):
            yield from _closure_strings(value, seen)


def _samples(pattern: re.Pattern[str]) -> Iterator[str]:
    """Strings a simple listener pattern matches: `^(a|b)$` gives a and b, `^run:\\d+$` gives run:1."""
    text = pattern.pattern
    for regex, sample in (("\\d+", "1"), ("\\d", "1"), ("\\w+", "x"), (".+", "x"), (".*", "")):
        text = text.replace(regex, sample)
    text = text.strip("^$")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    yield from (word for word in text.split("|") if pattern.search(word))


def _probes(word: str) -> dict[str, dict[str, Any]]:
    """What Slack sends for each kind of listener, keyed by the kind."""
    user, team = {"id": "U0PROBE"}, {"id": "T0PROBE"}
    return {
        "command": {
            "command": word,
            "text": "",
            "user_id": user["id"],
            "team_id": team["id"],
            "channel_id": "C0PROBE",
        },
        "event": {"type": "event_callback", "team_id": team["id"], "event": {"type": word}},
        "action": {
            "type": "block_actions",
            "user": user,
            "team": team,
            "actions": [{"action_id": word, "block_id": "b", "type": "button"}],
        },
        "view": {
            "type": "view_submission",
            "user": user,
            "team": team,
            "view": {"type": "modal", "callback_id": word},
        },
        "shortcut": {"type": "shortcut", "user": user, "team": team, "callback_id": word},
    }


async def registrations(app: AsyncApp) -> dict[str, set[str]]:
    """{"command": {"/kubectl"}, "event": set(), "action": {...}, ...}: what each listener answers."""
    found: dict[str, set[str]] = {kind: set() for kind in _probes("")}
    for listener in app._async_listeners:  # Bolt keeps no public list of its listeners
        matched = False
        for word in {s for m in listener.matchers for s in _closure_strings(m.func)}:
            for kind, body in _probes(word).items():
                request = AsyncBoltRequest(body=body, mode="socket_mode")
                if all(
                    [
                        await m.async_matches(request, BoltResponse(status=200))
                        for m in listener.matchers
                    ]
                ):
                    found[kind].add(word)
                    matched = True
        assert matched, (
            f"a Bolt listener ({listener.ack_function.__name__}) matches no probe: extend _probes()"
        )
    return found


# Tests ----------------------------------------------------------------------------------------


async def test_slash_commands_are_exactly_the_ones_podium_registers(podium: Podium) -> None:
    registered = await registrations(podium.app)
    assert registered["command"] == set(podium.slash_commands) and registered["command"]
    for mode, manifest in manifests().items():
        declared = {c["command"] for c in manifest["features"]["slash_commands"]}
        assert declared == registered["command"], mode
        for command in manifest["features"]["slash_commands"]:
            assert command["description"] and len(command["description"]) <= 2000
            assert command["usage_hint"] and len(command["usage_hint"]) <= 1000
            assert command["should_escape"] is False  # Podium wants the text exactly as typed
            assert command.get("url") == (HTTP_URL if mode == "http" else None)


async def test_event_subscriptions_match_the_event_listeners(podium: Podium) -> None:
    registered = await registrations(podium.app)
    for mode, manifest in manifests().items():
        declared = _bot_events(manifest)
        # Bolt listens to `message`; the manifest says which conversations (`message.im`).
        assert {event.split(".")[0] for event in declared} == registered["event"], mode
        if mode == "http":
            assert (
                manifest["settings"]["event_subscriptions"].get("request_url", HTTP_URL) == HTTP_URL
            )


def _bot_events(manifest: dict[str, Any]) -> set[str]:
    return set(((manifest["settings"].get("event_subscriptions") or {}).get("bot_events")) or ())


async def test_interactivity_is_on_exactly_when_podium_has_buttons_or_views(podium: Podium) -> None:
    registered = await registrations(podium.app)
    interactive = bool(registered["action"] or registered["view"] or registered["shortcut"])
    assert registered["action"], "the Share in channel button"
    for mode, manifest in manifests().items():
        interactivity = manifest["settings"]["interactivity"]
        assert interactivity["is_enabled"] is interactive, mode
        assert interactivity.get("request_url") == (HTTP_URL if mode == "http" else None)


def _web_api_methods_called() -> set[str]:
    """Web API methods the bot and its instructor tools (bot/ops/) call, with its bot token
    (devkit stand-ins excluded)."""
    methods = {
        name for name in dir(AsyncWebClient) if not name.startswith("_") and name[0].islower()
    }
    called: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        if "devkit" in path.parts:
            continue
        called |= {
            m
            for m in re.findall(r"\.([a-z][A-Za-z0-9_]+)\(", path.read_text(encoding="utf-8"))
            if m in methods
        }
    return called - {"api_call", "close"}


def _scopes(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return () if value is None else (value,) if isinstance(value, str) else value


def test_scopes_are_those_of_the_methods_podium_calls_and_no_more() -> None:
    called = _web_api_methods_called()
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES and the manifests"
    needed = {scope for m in called for scope in _scopes(METHOD_SCOPES[m])}
    needed.add("commands")  # slash commands
    if "chat_postMessage" in called:
        needed.add(
            "chat:write.public"
        )  # Share in channel works in channels Podium was not invited to
    assert {"chat:write", "files:write", "im:write"} <= needed  # what the code calls today
    for mode, manifest in manifests().items():
        events = _bot_events(manifest)
        assert events <= EVENT_SCOPES.keys(), (
            f"add the scopes of {sorted(events - EVENT_SCOPES.keys())}"
        )
        wanted = needed | {EVENT_SCOPES[e] for e in events} - {None}
        assert set(manifest["oauth_config"]["scopes"]["bot"]) == wanted, mode
        assert "user" not in manifest["oauth_config"]["scopes"], "Podium acts as its bot only"


def test_the_two_manifests_declare_the_same_app_apart_from_transport() -> None:
    http, socket = manifests()["http"], manifests()["socket"]
    assert (
        http["settings"]["socket_mode_enabled"] is False
        and socket["settings"]["socket_mode_enabled"] is True
    )

    def without_transport(manifest: dict[str, Any]) -> dict[str, Any]:
        text = yaml.safe_dump(manifest)
        data = yaml.safe_load(text)
        data["settings"].pop("socket_mode_enabled")
        data["settings"]["interactivity"].pop("request_url", None)
        (data["settings"].get("event_subscriptions") or {}).pop("request_url", None)
        for command in data["features"]["slash_commands"]:
            command.pop("url", None)
        return data

    assert without_transport(http) == without_transport(socket)
    assert "example.com" not in (SLACK / "app-manifest.socket.yaml").read_text()


def test_display_information_fits_slacks_limits() -> None:
    for mode, manifest in manifests().items():
        info = manifest["display_information"]
        assert info["name"] == "Podium" and len(info["name"]) <= 35
        assert len(info["description"]) <= 140
        assert 174 <= len(info["long_description"]) <= 4000, mode
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])
        assert manifest["features"]["bot_user"]["display_name"] == "Podium"
        # People ask Podium in its DM (message.im) and long answers arrive there as snippets:
        # the Messages tab exists and is writable exactly when Podium listens to DMs.
        home = manifest["features"]["app_home"]
        listens_to_dms = "message.im" in _bot_events(manifest)
        assert home["messages_tab_enabled"] is True
        assert home["messages_tab_read_only_enabled"] is not listens_to_dms
        assert home["home_tab_enabled"] is ("app_home_opened" in _bot_events(manifest))
