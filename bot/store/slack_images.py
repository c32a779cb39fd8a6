"""Slide images uploaded to Slack: file ID per workspace and image content, and whether Slack
has finished processing it (bot/slack/slide_images.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from bot.store.db import Database


@dataclass(frozen=True)
class CachedImage:
    file_id: str
    processed: bool


class SlackImageStore:
    """Writes take the database's write lock: they run in the background (a deck's uploads) and
    must not fall between another writer's INSERT and its `last_insert_rowid()`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, team_id: str, digest: str) -> CachedImage | None:
        row = await self._db.fetch_one(
            "SELECT file_id, processed FROM slack_images WHERE team_id = ? AND digest = ?",
            (team_id, digest),
        )
        return CachedImage(str(row[0]), bool(row[1])) if row else None

    async def save(
        self, team_id: str, digest: str, file_id: str, *, processed: bool = False
    ) -> None:
        async with self._db.write_lock:
            await self._db.execute(
                """INSERT INTO slack_images (team_id, digest, file_id, processed, uploaded_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (team_id, digest) DO UPDATE SET file_id = excluded.file_id,
                       processed = excluded.processed, uploaded_at = excluded.uploaded_at""",
                (team_id, digest, file_id, int(processed), time.time()),
            )

    async def mark_processed(self, team_id: str, file_id: str) -> None:
        async with self._db.write_lock:
            await self._db.execute(
                "UPDATE slack_images SET processed = 1 WHERE team_id = ? AND file_id = ?",
                (team_id, file_id),
            )

    async def forget(self, team_id: str, file_ids: Iterable[str]) -> int:
        """Drop file IDs Slack refused or lost; returns how many were cached."""
        ids = sorted(set(file_ids))
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        async with self._db.write_lock:
            return await self._db.execute(
                f"DELETE FROM slack_images WHERE team_id = ? AND file_id IN ({marks})",
                (team_id, *ids),
            )
