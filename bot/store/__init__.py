"""Podium's state in SQLite (aiosqlite, WAL): one database file, schema changes as migrations."""

from bot.store.db import Database, open_database

__all__ = ["Database", "open_database"]
