"""What makes buttons trustworthy: the key that signs their values (kept in the state database,
so buttons posted before a restart still verify, in HTTP and Socket Mode alike), and the Share
buttons already used, so one button posts once, also across restarts and concurrent presses."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from bot.store.db import Database

KEY_BYTES = 32


class ButtonStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def signing_key(self, name: str = "buttons") -> bytes:
        """The key named `name`, made (randomly) the first time it is asked for."""
        await self._db.execute(
            "INSERT OR IGNORE INTO signing_keys (name, key) VALUES (?, ?)",
            (name, secrets.token_bytes(KEY_BYTES)),
        )
        row = await self._db.fetch_one("SELECT key FROM signing_keys WHERE name = ?", (name,))
        assert row is not None
        return bytes(row["key"])

    async def claim_share(self, button_id: str, user_id: str, channel_id: str | None) -> bool:
        """True for the first press of this Share button (post it); False once it was shared.
        One INSERT on the primary key: two presses racing each other cannot both win."""
        added = await self._db.execute(
            "INSERT OR IGNORE INTO shared_answers (button_id, user_id, channel_id, shared_at) VALUES (?, ?, ?, ?)",
            (button_id, user_id, channel_id, self._clock()),
        )
        return added == 1

    async def was_shared(self, button_id: str) -> bool:
        return (
            await self._db.fetch_one(
                "SELECT 1 FROM shared_answers WHERE button_id = ?", (button_id,)
            )
            is not None
        )

    async def release_share(self, button_id: str) -> None:
        """The post did not happen (Slack refused it): the button may be pressed again."""
        await self._db.execute("DELETE FROM shared_answers WHERE button_id = ?", (button_id,))
