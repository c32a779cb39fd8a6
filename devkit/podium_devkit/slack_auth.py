"""The Slack stand-in's auth.test and apps.connections.open (the Socket Mode URL)."""

from __future__ import annotations

from podium_devkit.slack_records import (
    JsonDict,
)
from podium_devkit.slack_socket import new_ticket_url
from podium_devkit.slack_state import Handler, SlackState


class AuthApi(SlackState):
    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
        }

    async def _auth_test(self, args: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _apps_connections_open(self, args: JsonDict) -> JsonDict:
        ws_base = self.base_url.replace("http://", "ws://", 1) + "/socket-mode"
        return {"url": new_ticket_url(ws_base, self.socket.issue_ticket(), self.app_id)}
