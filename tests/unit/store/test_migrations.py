"""Schema changes are migrations: an older database is upgraded in place, data kept."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import open_database
from bot.store.migrations import MIGRATIONS
from bot.store.presentations import Presentation, PresentationStore


async def test_fresh_database_is_at_the_latest_version_in_wal_mode(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        row = await db.fetch_one("PRAGMA journal_mode")
        assert row[0] == "wal"
    finally:
        await db.close()


async def test_version_one_database_is_upgraded_keeping_its_data(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # a database as the first release left it
        old.executescript(MIGRATIONS[0])
        old.execute(
            "INSERT INTO presentations VALUES ('C1', 'kubernetes-101', 7, 'U1', '1.0', 0, 0)"
        )
        old.execute("PRAGMA user_version = 1")
    db = await open_database(path)
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        assert await PresentationStore(db).get("C1") == Presentation(
            "C1", "kubernetes-101", 7, "U1", "1.0"
        )
        assert await db.fetch_all("SELECT * FROM questions") == []
    finally:
        await db.close()


async def test_a_newer_database_is_refused_not_damaged(tmp_path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as future:
        future.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this Podium knows"):
        await open_database(path)
