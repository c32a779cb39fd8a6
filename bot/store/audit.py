"""The audit log: every command Podium answered, kept in SQLite and read with `python -m bot audit`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.kubectl.service import CommandRecord
from bot.store.db import Database

MAX_TEXT = 1_000  # what someone typed is kept, within reason


@dataclass(frozen=True)
class AuditEntry:
    at: float
    user_id: str | None
    channel_id: str | None
    source: str
    text: str
    verb: str
    command_line: str | None
    outcome: str
    millis: int


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, record: CommandRecord) -> None:
        await self._db.execute(
            """INSERT INTO audit (at, user_id, channel_id, source, text, verb, command_line, outcome, millis)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (time.time(), record.user_id, record.channel_id, record.source, record.text[:MAX_TEXT],
             record.verb[:50], record.command_line, record.outcome, round(record.seconds * 1000)))

    async def recent(self, *, limit: int = 50, user_id: str | None = None) -> list[AuditEntry]:
        where, params = ("WHERE user_id = ?", [user_id]) if user_id else ("", [])
        rows = await self._db.fetch_all(
            f"""SELECT at, user_id, channel_id, source, text, verb, command_line, outcome, millis
                FROM audit {where} ORDER BY id DESC LIMIT ?""", [*params, limit])
        return [AuditEntry(*row) for row in reversed(rows)]
