"""`participants manifests --channel C…`: the participants are the people in a Slack channel.

Asks Slack with Podium's bot token (SLACK_BOT_TOKEN, at SLACK_API_URL like Podium itself, so it
can be pointed at the stand-in): `conversations.members` page by page (cursor, 200 a page), then
`users.info` per member to leave out bots, Slackbot and deactivated accounts; the instructors
(PODIUM_INSTRUCTORS) are left out too. Every failure is one line saying what to do.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ops.participants import ParticipantsError
from bot.settings import SettingsError, load_settings

PAGE_SIZE = 200
MAX_RATE_LIMIT_RETRIES = 5
SLACKBOT = "USLACKBOT"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
# What each scope is for, in the missing_scope line (the app manifests in manifests/slack/ declare them).
_SCOPE_PURPOSE = {
    "channels:read": "members of public channels",
    "groups:read": "members of private channels",
    "users:read": "telling people from bots",
}
_AUTH_ERRORS = {"not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired"}


def members_from_environment(channels: list[str]) -> list[str]:
    """The participants of these channels, with Podium's settings from the environment."""
    try:
        settings = load_settings()
    except SettingsError as error:
        raise ParticipantsError(f"--channel: {error}") from None
    if not settings.slack_bot_token:
        raise ParticipantsError(
            "--channel needs SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-…) in the environment; "
            "or name people with --users."
        )
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=30)
    found = channel_participants(client, channels, instructors=settings.instructors)
    print(
        f"# {len(found)} participant(s) from {', '.join(channels)} (bots, deactivated accounts and "
        "PODIUM_INSTRUCTORS left out)",
        file=sys.stderr,
    )
    return found


def channel_participants(
    client: WebClient,
    channels: Iterable[str],
    *,
    instructors: Iterable[str] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """User IDs of the people (not bots, not deactivated, not instructors) in these channels, in the
    order Slack lists them, each once."""
    skip = set(instructors)
    people: dict[str, None] = {}
    verdicts: dict[str, bool] = {}  # user ID → is a person; users.info once per user
    for channel in channels:
        channel = channel.strip()
        if not _CHANNEL_ID.match(channel):
            raise ParticipantsError(
                f"--channel: {channel!r} is not a channel ID (like C0123ABCD): in Slack, open the channel's "
                "details (its name at the top); the ID is at the bottom."
            )
        for user_id in _members(client, channel, sleep):
            if user_id in skip or user_id in people:
                continue
            if user_id not in verdicts:
                verdicts[user_id] = _is_person(client, channel, user_id, sleep)
            if verdicts[user_id]:
                people[user_id] = None
    return list(people)


def _members(client: WebClient, channel: str, sleep: Callable[[float], None]) -> list[str]:
    members: list[str] = []
    cursor = ""
    while True:

        def next_page(cursor: str = cursor) -> Any:  # this page's cursor, bound now
            return client.conversations_members(
                channel=channel, limit=PAGE_SIZE, cursor=cursor or None
            )

        page = _call(next_page, "conversations.members", channel, sleep)
        members += [str(m) for m in page.get("members") or ()]
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return members


def _is_person(
    client: WebClient, channel: str, user_id: str, sleep: Callable[[float], None]
) -> bool:
    if user_id == SLACKBOT:
        return False
    user = (
        _call(lambda: client.users_info(user=user_id), "users.info", channel, sleep).get("user")
        or {}
    )
    return not (user.get("is_bot") or user.get("deleted") or user.get("id") == SLACKBOT)


def _call(do: Callable[[], Any], method: str, channel: str, sleep: Callable[[float], None]) -> Any:
    """One Web API call; Slack's 429 waits Retry-After seconds and tries again (a few times)."""
    for _ in range(MAX_RATE_LIMIT_RETRIES + 1):
        try:
            return do()
        except SlackApiError as exc:
            response = exc.response
            if response.status_code == 429:
                sleep(_retry_after(response.headers))
                continue
            raise ParticipantsError(
                _explain(method, channel, response.get("error"), response.get("needed"))
            ) from None
        except (URLError, OSError) as exc:
            raise ParticipantsError(
                f"--channel: cannot reach Slack ({method}): {exc}; check SLACK_API_URL and "
                "the network."
            ) from None
    raise ParticipantsError(
        f"--channel {channel}: Slack kept answering {method} with 'rate limited' after "
        f"{MAX_RATE_LIMIT_RETRIES} waits; try again in a minute."
    )


def _retry_after(headers: Any) -> float:
    value = None
    for key, item in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            value = item[0] if isinstance(item, list) else item
    if value is None:
        return 1.0
    try:
        return max(1.0, float(value))
    except (TypeError, ValueError):
        return 1.0


def _explain(method: str, channel: str, error: str | None, needed: str | None) -> str:
    """Slack's error code as the one line the instructor sees, with what to do."""
    if error == "channel_not_found":
        return (
            f"--channel {channel}: Slack finds no such channel for Podium: check the ID; a private channel "
            "exists for Podium only once it is in it (/invite @Podium there)."
        )
    if error == "not_in_channel":
        return f"--channel {channel}: Podium is not in that channel; invite Podium to the channel first: /invite @Podium"
    if error == "missing_scope":
        scope = needed or "channels:read"
        purpose = _SCOPE_PURPOSE.get(scope, method)
        return (
            f"--channel {channel}: the Slack app lacks the scope {scope} ({purpose}, {method}); add it "
            "(OAuth & Permissions, or paste manifests/slack/app-manifest.*.yaml again) and reinstall the app."
        )
    if error in _AUTH_ERRORS:
        return (
            f"--channel: Slack does not accept SLACK_BOT_TOKEN ({error}); copy the Bot User OAuth Token "
            "(xoxb-…) of the installed app again."
        )
    if error == "method_not_supported_for_channel_type":
        return (
            f"--channel {channel}: that is not a channel (a DM?); name a public or private channel."
        )
    return f"--channel {channel}: Slack answered {method} with {error or 'an error'}; try again, or use --users."
