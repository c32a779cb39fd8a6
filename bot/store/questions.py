"""Queries for the instructor's question queue: questions, votes (one per person), threads."""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiosqlite

from bot.store.db import Database


@dataclass(frozen=True)
class Question:
    id: int
    channel_id: str
    user_id: str
    anonymous: bool
    text: str
    deck_key: str | None
    slide: int | None
    status: str  # open | answered | hidden
    message_ts: str | None
    votes: int


_SELECT = """SELECT q.id, q.channel_id, q.user_id, q.anonymous, q.text, q.deck_key, q.slide, q.status,
                    q.message_ts, (SELECT COUNT(*) FROM question_votes v WHERE v.question_id = q.id)
             FROM questions q"""


def _question(row: aiosqlite.Row) -> Question:
    return Question(
        int(row[0]),
        row[1],
        row[2],
        bool(row[3]),
        row[4],
        row[5],
        None if row[6] is None else int(row[6]),
        row[7],
        row[8],
        int(row[9]),
    )


class QuestionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        anonymous: bool,
        deck_key: str | None,
        slide: int | None,
    ) -> Question:
        async with self._db.write_lock:
            question_id = await self._db.insert(
                """INSERT INTO questions (channel_id, user_id, anonymous, text, deck_key, slide, asked_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (channel_id, user_id, int(anonymous), text, deck_key, slide, time.time()),
            )
        question = await self.get(question_id)
        assert question is not None
        return question

    async def discard(self, question_id: int) -> None:
        """Withdraw a question whose post failed: it was never seen, so it must not be queued."""
        async with self._db.write_lock:
            await self._db.execute(
                "DELETE FROM question_votes WHERE question_id = ?", (question_id,)
            )
            await self._db.execute("DELETE FROM questions WHERE id = ?", (question_id,))

    async def get(self, question_id: int) -> Question | None:
        row = await self._db.fetch_one(f"{_SELECT} WHERE q.id = ?", (question_id,))
        return _question(row) if row else None

    async def vote(self, question_id: int, user_id: str) -> bool:
        """Count a vote; False when this person had already voted (once per person)."""
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO question_votes (question_id, user_id) VALUES (?, ?)",
            (question_id, user_id),
        )
        return changed == 1

    async def open_questions(self, channel_id: str, limit: int = 50) -> list[Question]:
        """Open questions of a room, most votes first, then oldest first."""
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE q.channel_id = ? AND q.status = 'open' ORDER BY 10 DESC, q.asked_at, q.id LIMIT ?",
            (channel_id, limit),
        )
        return [_question(row) for row in rows]

    async def set_status(self, question_id: int, status: str) -> None:
        if status not in ("open", "answered", "hidden"):
            raise ValueError(f"unknown question status {status!r}")
        await self._db.execute(
            "UPDATE questions SET status = ? WHERE id = ?", (status, question_id)
        )

    async def set_message(self, question_id: int, ts: str) -> None:
        await self._db.execute(
            "UPDATE questions SET message_ts = ? WHERE id = ?", (ts, question_id)
        )

    async def thread(self, channel_id: str) -> str | None:
        row = await self._db.fetch_one(
            "SELECT ts FROM question_threads WHERE channel_id = ?", (channel_id,)
        )
        return str(row[0]) if row else None

    async def save_thread(self, channel_id: str, ts: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO question_threads (channel_id, ts) VALUES (?, ?)",
            (channel_id, ts),
        )
