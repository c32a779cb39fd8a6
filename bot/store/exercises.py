"""Queries for exercise results, hints shown and released solutions."""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiosqlite

from bot.store.db import Database


@dataclass(frozen=True)
class ExerciseResult:
    user_id: str
    exercise: int
    passed: bool  # the latest check
    ever_passed: bool
    attempts: int
    summary: str
    best_passed: int = 0  # the most checks that ever passed at once


class ExerciseStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, user_id: str, exercise: int, *, passed: bool, summary: str, passed_checks: int = 0
    ) -> None:
        await self._db.execute(
            """INSERT INTO exercise_results (user_id, exercise, passed, ever_passed, attempts, summary, checked_at,
                                             best_passed)
               VALUES (?, ?, ?, ?, 1, ?, ?, ?)
               ON CONFLICT (user_id, exercise) DO UPDATE SET passed = excluded.passed,
                   ever_passed = MAX(ever_passed, excluded.ever_passed), attempts = attempts + 1,
                   summary = excluded.summary, checked_at = excluded.checked_at,
                   best_passed = MAX(best_passed, excluded.best_passed)""",
            (user_id, exercise, int(passed), int(passed), summary, time.time(), passed_checks),
        )

    async def result(self, user_id: str, exercise: int) -> ExerciseResult | None:
        row = await self._db.fetch_one(
            """SELECT user_id, exercise, passed, ever_passed, attempts, summary, best_passed FROM exercise_results
               WHERE user_id = ? AND exercise = ?""",
            (user_id, exercise),
        )
        return _result(row) if row else None

    async def results(self, user_id: str | None = None) -> list[ExerciseResult]:
        where, params = ("WHERE user_id = ?", (user_id,)) if user_id else ("", ())
        rows = await self._db.fetch_all(
            f"""SELECT user_id, exercise, passed, ever_passed, attempts, summary, best_passed FROM exercise_results {where}
                ORDER BY user_id, exercise""",
            params,
        )
        return [_result(row) for row in rows]

    async def passed_counts(self) -> dict[str, int]:
        """How many exercises each person who ever checked one has passed (0: tried, none yet)."""
        rows = await self._db.fetch_all(
            "SELECT user_id, SUM(ever_passed) FROM exercise_results GROUP BY user_id"
        )
        return {str(row[0]): int(row[1] or 0) for row in rows}

    async def next_hint(self, user_id: str, exercise: int) -> int:
        """Count one more hint seen and return how many this person has now seen."""
        async with self._db.write_lock:
            await self._db.execute(
                """INSERT INTO exercise_hints (user_id, exercise, shown) VALUES (?, ?, 1)
                   ON CONFLICT (user_id, exercise) DO UPDATE SET shown = shown + 1""",
                (user_id, exercise),
            )
            row = await self._db.fetch_one(
                "SELECT shown FROM exercise_hints WHERE user_id = ? AND exercise = ?",
                (user_id, exercise),
            )
        return int(row[0]) if row else 1

    async def hints_seen(self, user_id: str, exercise: int) -> int:
        row = await self._db.fetch_one(
            "SELECT shown FROM exercise_hints WHERE user_id = ? AND exercise = ?",
            (user_id, exercise),
        )
        return int(row[0]) if row else 0

    async def release(self, exercise: int, by: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO released_solutions (exercise, released_by, released_at) VALUES (?, ?, ?)",
            (exercise, by, time.time()),
        )

    async def released(self, exercise: int) -> bool:
        return (
            await self._db.fetch_one(
                "SELECT 1 FROM released_solutions WHERE exercise = ?", (exercise,)
            )
            is not None
        )


def _result(row: aiosqlite.Row) -> ExerciseResult:
    return ExerciseResult(
        row[0], int(row[1]), bool(row[2]), bool(row[3]), int(row[4]), row[5], int(row[6] or 0)
    )
