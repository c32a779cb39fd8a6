"""Instructors' runtime switches (`/workshop access off|on`), kept in the state database so a
restart keeps what the instructor decided. A switch never set is on."""

from __future__ import annotations

import time
from collections.abc import Callable

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
                (name, int(enabled), changed_by, self._clock()))
