"""Queries for live presentations, their slide messages and private browsing."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.store.db import Database


@dataclass(frozen=True)
class Presentation:
    channel_id: str
    deck_key: str
    slide: int
    presenter_id: str
    message_ts: str | None  # the slide message on screen, which carries the driving buttons


@dataclass(frozen=True)
class Browsing:
    user_id: str
    deck_key: str
    slide: int
    channel_id: str | None
    dm_channel: str
    message_ts: str


class PresentationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, channel_id: str) -> Presentation | None:
        row = await self._db.fetch_one(
            "SELECT channel_id, deck_key, slide, presenter_id, message_ts FROM presentations WHERE channel_id = ?",
            (channel_id,),
        )
        return Presentation(*row) if row else None

    async def all(self) -> list[Presentation]:
        rows = await self._db.fetch_all(
            "SELECT channel_id, deck_key, slide, presenter_id, message_ts FROM presentations ORDER BY started_at"
        )
        return [Presentation(*row) for row in rows]

    async def save(self, presentation: Presentation) -> None:
        now = time.time()
        await self._db.execute(
            """INSERT INTO presentations (channel_id, deck_key, slide, presenter_id, message_ts, started_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (channel_id) DO UPDATE SET deck_key = excluded.deck_key, slide = excluded.slide,
                   presenter_id = excluded.presenter_id, message_ts = excluded.message_ts,
                   updated_at = excluded.updated_at""",
            (
                presentation.channel_id,
                presentation.deck_key,
                presentation.slide,
                presentation.presenter_id,
                presentation.message_ts,
                now,
                now,
            ),
        )

    async def end(self, channel_id: str) -> None:
        await self._db.execute("DELETE FROM presentations WHERE channel_id = ?", (channel_id,))

    async def record_post(self, channel_id: str, deck_key: str, slide: int, ts: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO slide_posts (channel_id, deck_key, slide, ts, posted_at) VALUES (?, ?, ?, ?, ?)",
            (channel_id, deck_key, slide, ts, time.time()),
        )

    async def posts_of(self, channel_id: str, deck_key: str) -> dict[int, str]:
        """The latest message posted for each slide of a deck in a channel: slide → ts."""
        rows = await self._db.fetch_all(
            "SELECT slide, ts FROM slide_posts WHERE channel_id = ? AND deck_key = ? ORDER BY posted_at",
            (channel_id, deck_key),
        )
        return {int(slide): str(ts) for slide, ts in rows}

    async def slide_of_message(self, channel_id: str, ts: str) -> tuple[str, int] | None:
        row = await self._db.fetch_one(
            "SELECT deck_key, slide FROM slide_posts WHERE channel_id = ? AND ts = ?",
            (channel_id, ts),
        )
        return (str(row[0]), int(row[1])) if row else None

    async def get_browsing(self, user_id: str) -> Browsing | None:
        row = await self._db.fetch_one(
            "SELECT user_id, deck_key, slide, channel_id, dm_channel, message_ts FROM browsing WHERE user_id = ?",
            (user_id,),
        )
        return Browsing(*row) if row else None

    async def save_browsing(self, browsing: Browsing) -> None:
        await self._db.execute(
            """INSERT INTO browsing (user_id, deck_key, slide, channel_id, dm_channel, message_ts)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET deck_key = excluded.deck_key, slide = excluded.slide,
                   channel_id = excluded.channel_id, dm_channel = excluded.dm_channel,
                   message_ts = excluded.message_ts""",
            (
                browsing.user_id,
                browsing.deck_key,
                browsing.slide,
                browsing.channel_id,
                browsing.dm_channel,
                browsing.message_ts,
            ),
        )
