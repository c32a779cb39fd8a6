"""Instructors' runtime switches (`/workshop access off|on`), kept in the state database so a
restart keeps what the instructor decided (a switch never set is on), and when each person's
latest kubectl access file expires (so asking again after a restart still says the earlier file
keeps working). Tokens are never stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.store.db import Database


class SwitchStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def is_on(self, name: str) -> bool:
        row = await self._db.fetch_one("SELECT enabled FROM switches WHERE name = ?", (name,))
        return row is None or bool(row["enabled"])

    async def set(self, name: str, enabled: bool, changed_by: str) -> None:
        async with self._db.write_lock:
            await self._db.execute(
                """INSERT INTO switches (name, enabled, changed_by, changed_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled,
                   changed_by = excluded.changed_by, changed_at = excluded.changed_at""",
                (name, int(enabled), changed_by, self._clock()),
            )

    async def access_expires(self, user_id: str) -> datetime | None:
        """When `user_id`'s latest kubectl access file expires; None if they never got one."""
        row = await self._db.fetch_one(
            "SELECT expires_at FROM access_issued WHERE user_id = ?", (user_id,)
        )
        return datetime.fromtimestamp(row["expires_at"], UTC) if row else None

    async def access_issued(self, user_id: str, expires_at: datetime) -> None:
        async with self._db.write_lock:
            await self._db.execute(
                """INSERT INTO access_issued (user_id, expires_at, issued_at) VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at),
                   issued_at = excluded.issued_at""",
                (user_id, expires_at.timestamp(), self._clock()),
            )
