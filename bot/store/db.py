"""The database handle: opens SQLite in WAL mode, applies pending migrations, serialises writes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)


class Database:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        # One writer at a time: a read-modify-write (move a slide, count a vote) stays atomic.
        self.write_lock = asyncio.Lock()

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._connection.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._connection.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement and commit; returns the affected row count."""
        cursor = await self._connection.execute(sql, tuple(params))
        await self._connection.commit()
        return cursor.rowcount

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one INSERT and commit; returns the new row's id, read from the INSERT's own cursor
        (`SELECT last_insert_rowid()` could see another writer's row on this shared connection)."""
        cursor = await self._connection.execute(sql, tuple(params))
        await self._connection.commit()
        return int(cursor.lastrowid or 0)

    async def execute_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows in a single transaction: one commit, one thread hop."""
        await self._connection.executemany(sql, [tuple(row) for row in rows])
        await self._connection.commit()

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self._connection.close()


async def open_database(path: str | Path) -> Database:
    """Open (creating if needed) and migrate. `:memory:` works for tests that need no file."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(str(path))
    connection.row_factory = aiosqlite.Row
    await connection.execute("PRAGMA journal_mode=WAL")
    await connection.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; survives a process kill
    await connection.execute("PRAGMA foreign_keys=ON")
    await connection.execute("PRAGMA busy_timeout=5000")
    database = Database(connection)
    try:
        await _migrate(connection, await database.schema_version())
    except BaseException:
        await connection.close()
        raise
    return database


async def _migrate(connection: aiosqlite.Connection, current: int) -> None:
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"the state database is at schema version {current}, newer than this Podium knows "
            f"({len(MIGRATIONS)}): run the newer Podium, or point PODIUM_STATE at another file"
        )
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        log.info("migrating the state database to version %d", version)
        # executescript commits first; wrap the script so it applies wholly or not at all.
        await connection.executescript(
            f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
        )
