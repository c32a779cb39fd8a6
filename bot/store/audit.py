"""The audit log: every command Podium answered, kept in SQLite and read with `python -m bot audit`.

Entries are written in small batches (one transaction every `flush_after` seconds or
`batch_size` entries) rather than one commit per command: in a burst of 200 commands, 200
commits cost more than answering. A graceful stop flushes what is pending; a kill -9 can lose
at most the last `flush_after` seconds of entries, never a command's answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from bot.store.db import Database

log = logging.getLogger(__name__)

MAX_TEXT = 1_000  # what someone typed is kept, within reason

_INSERT = """INSERT INTO audit (at, user_id, channel_id, source, text, verb, command_line, outcome, millis)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""


class Audited(Protocol):
    """What the log keeps of a command (kubectl.service.CommandRecord is one): the store names the
    fields it writes rather than importing the feature that produces them."""

    @property
    def user_id(self) -> str | None: ...
    @property
    def channel_id(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def verb(self) -> str: ...
    @property
    def command_line(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def seconds(self) -> float: ...


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
    def __init__(self, db: Database, *, flush_after: float = 0.25, batch_size: int = 200) -> None:
        self._db = db
        self._flush_after = flush_after
        self._batch_size = batch_size
        self._pending: list[tuple[Any, ...]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()

    async def record(self, record: Audited) -> None:
        self._pending.append(
            (
                time.time(),
                record.user_id,
                record.channel_id,
                record.source,
                record.text[:MAX_TEXT],
                record.verb[:50],
                record.command_line,
                record.outcome,
                round(record.seconds * 1000),
            )
        )
        if len(self._pending) >= self._batch_size or self._flush_after <= 0:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(
                self._flush_after, self._flush_in_background
            )

    async def flush(self) -> None:
        """Write what is pending, in one transaction. A failed write is logged with how many
        entries it held; the commands themselves were answered regardless."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        rows, self._pending = self._pending, []
        if rows:
            try:
                await self._db.execute_many(_INSERT, rows)
            except Exception:
                log.exception("could not write %d audit entries", len(rows))
        # A background flush started earlier must be on disk before we return.
        earlier = [task for task in self._flushing if task is not asyncio.current_task()]
        if earlier:
            await asyncio.gather(*earlier, return_exceptions=True)

    def _flush_in_background(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def close(self) -> None:
        await self.flush()

    async def users(self) -> list[str]:
        """Everyone who has run a command, in the order they first did."""
        await self.flush()
        rows = await self._db.fetch_all(
            "SELECT user_id FROM audit WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY MIN(id)",
            [],
        )
        return [str(row[0]) for row in rows]

    async def recent(self, *, limit: int = 50, user_id: str | None = None) -> list[AuditEntry]:
        await self.flush()  # what was answered a moment ago belongs in the answer
        where, params = ("WHERE user_id = ?", [user_id]) if user_id else ("", [])
        rows = await self._db.fetch_all(
            f"""SELECT at, user_id, channel_id, source, text, verb, command_line, outcome, millis
                FROM audit {where} ORDER BY id DESC LIMIT ?""",
            [*params, limit],
        )
        return [AuditEntry(*row) for row in reversed(rows)]
