"""What the Slack stand-in knows and records: people, calls, response_url posts, uploads,
injected faults and the error its API methods raise. Plain data, shared by every API family."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

JsonDict = dict[str, Any]

RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
TRIGGER_ID_TTL_SECONDS = 3.0
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000


@dataclass(frozen=True)
class SlackUser:
    """A workspace member the stand-in knows (users.info, DMs, ephemerals)."""

    id: str
    name: str
    real_name: str = ""
    is_bot: bool = False
    tz: str = "Europe/Berlin"
    email: str | None = None
    is_admin: bool = False
    deleted: bool = False  # a deactivated account: still in users.info and channel member lists

    def to_api(self, team_id: str) -> JsonDict:
        real_name = self.real_name or self.name.title()
        profile: JsonDict = {
            "real_name": real_name,
            "display_name": self.name,
            "real_name_normalized": real_name,
            "display_name_normalized": self.name,
            "image_48": f"https://avatars.slack-edge.com/{self.id}_48.png",
            "team": team_id,
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": "Central European Summer Time",
            "tz_offset": 7200,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


DEFAULT_USERS: tuple[SlackUser, ...] = (
    SlackUser("U0ALICE", "alice", "Alice Archer", email="alice@example.com"),
    SlackUser("U0BOB", "bob", "Bob Builder", email="bob@example.com"),
    SlackUser("U0INSTRUCTOR", "ines", "Ines Instructor", email="ines@example.com", is_admin=True),
)
DEFAULT_CHANNELS: Mapping[str, str] = MappingProxyType(
    {"C0WORKSHOP": "workshop", "C0GENERAL": "general"}
)


@dataclass(frozen=True)
class ApiCall:
    """One Web API call as the stand-in received and answered it."""

    method: str
    args: JsonDict  # query, form and JSON body merged; JSON-string args (blocks, files...) decoded
    token: str | None
    at: float
    status: int
    response: JsonDict | None
    fault: bool = False  # answered by an injected fault
    rate_limited: bool = False  # answered 429 by the stand-in's rate limits (slack_limits.py)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url."""

    url: str
    body: JsonDict
    at: float
    status: int
    error: str | None = None


@dataclass
class UploadedFile:
    """A file from files.getUploadURLExternal → upload URL → files.completeUploadExternal."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    snippet_type: str | None = None
    content: bytes | None = None  # set when the upload URL received the bytes
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    created: int = 0

    @property
    def text(self) -> str:
        return (self.content or b"").decode("utf-8")


@dataclass
class Fault:
    """An injected failure for the next `times` calls of one method."""

    status: int = 429
    retry_after: int | None = 1
    times: int = 1
    error: str | None = None
    drop: bool = False  # close the connection without answering
    applied: bool = (
        False  # the call takes effect (e.g. the message is posted), then the fault is answered
    )


@dataclass
class ResponseUrlEntry:
    """One response_url the stand-in handed out, and what was posted to it."""

    url: str
    created_at: float
    channel_id: str | None
    user_id: str | None
    message_ts: str | None  # the message an interaction came from (replace/delete_original)
    posts: list[ResponsePost] = field(default_factory=list)


@dataclass(frozen=True)
class SocketDelivery:
    """A payload delivered over Socket Mode and the app's ack."""

    ack: JsonDict
    envelope: JsonDict
    elapsed_seconds: float
    response_url: str | None = None
    trigger_id: str | None = None


class SlackError(Exception):
    """A Slack API error answer (`{"ok": false, "error": ...}`), raised inside handlers."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra
