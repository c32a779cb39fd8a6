"""Queries for the instructors' room boards: which DM message is whose board, so a restart
keeps updating the same message instead of posting a new one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.store.db import Database


@dataclass(frozen=True)
class BoardMessage:
    user_id: str  # the instructor
    channel_id: str  # their DM with Podium
    ts: str
    shown: str = ""  # a hash of the message it shows ("": not known)


class BoardStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def all(self) -> list[BoardMessage]:
        rows = await self._db.fetch_all(
            "SELECT user_id, channel_id, ts, shown FROM room_boards ORDER BY posted_at, user_id"
        )
        return [BoardMessage(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    async def get(self, user_id: str) -> BoardMessage | None:
        row = await self._db.fetch_one(
            "SELECT user_id, channel_id, ts, shown FROM room_boards WHERE user_id = ?", (user_id,)
        )
        return BoardMessage(str(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None

    async def save(self, board: BoardMessage) -> None:
        async with self._db.write_lock:
            await self._db.execute(
                """INSERT INTO room_boards (user_id, channel_id, ts, posted_at, shown)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id,
                   ts = excluded.ts, posted_at = excluded.posted_at, shown = excluded.shown""",
                (board.user_id, board.channel_id, board.ts, self._clock(), board.shown),
            )

    async def mark_shown(self, user_id: str, ts: str, shown: str) -> None:
        """The board message `ts` now shows `shown` (after an edit)."""
        async with self._db.write_lock:
            await self._db.execute(
                "UPDATE room_boards SET shown = ? WHERE user_id = ? AND ts = ?",
                (shown, user_id, ts),
            )
