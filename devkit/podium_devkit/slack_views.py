"""The Slack stand-in's views.* (App Home publish, modals open/push/update with trigger_ids)."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from podium_devkit.slack_blocks import MAX_VIEW_BLOCKS, block_errors, text_errors
from podium_devkit.slack_records import (
    TRIGGER_ID_TTL_SECONDS,
    JsonDict,
    SlackError,
)
from podium_devkit.slack_state import Handler, SlackState


class ViewsApi(SlackState):
    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
        }

    def _view_record(
        self, view: Any, *, view_id: str | None = None, max_blocks: int = MAX_VIEW_BLOCKS
    ) -> JsonDict:
        if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing or invalid view type"]},
            )
        errors = self.block_kit.view_errors(view, max_blocks, block_errors)
        errors += self.file_processing.slack_file_errors(view.get("blocks", []), "/view/blocks")
        if view["type"] == "modal":
            title = view.get("title")
            errors += (
                text_errors(title, "/view/title", 24, plain_only=True)
                if title
                else ["must provide title"]
            )
        if errors:
            raise SlackError("invalid_arguments", response_metadata={"messages": errors})
        view_id = view_id or self._next_id("V")
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "state": {"values": {}},
            "hash": secrets.token_hex(8),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    async def _views_publish(self, args: JsonDict) -> JsonDict:
        user_id = str(args.get("user_id") or "")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        previous = self._home_views.get(user_id)
        if args.get("hash") and previous and args["hash"] != previous["hash"]:
            raise SlackError("hash_conflict")
        view = args.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["views.publish takes a home view"]},
            )
        record = self._view_record(view, view_id=previous["id"] if previous else None)
        self._home_views[user_id] = record
        return {"view": copy.deepcopy(record)}

    async def _views_open(self, args: JsonDict) -> JsonDict:
        trigger_id = str(args.get("trigger_id") or "")
        issued = self._triggers.pop(trigger_id, None)
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if self.clock() - issued > TRIGGER_ID_TTL_SECONDS:
            raise SlackError("expired_trigger_id")
        record = self._view_record(args.get("view"))
        self._views[record["id"]] = record
        return {"view": copy.deepcopy(record)}

    async def _views_update(self, args: JsonDict) -> JsonDict:
        view_id = args.get("view_id") or next(
            (
                v["id"]
                for v in self._views.values()
                if args.get("external_id") and v["external_id"] == args["external_id"]
            ),
            None,
        )
        current = self._views.get(str(view_id or ""))
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        record = self._view_record(args.get("view"), view_id=current["id"])
        self._views[record["id"]] = record
        return {"view": copy.deepcopy(record)}
