"""Which failing pods Podium has told their participant about, once per (namespace, owner,
reason family), kept over restarts; and who the participants are (everyone who ran a command,
checked an exercise or got kubectl access)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store.db import Database

Key = tuple[str, str, str]  # (namespace, owner, family)


class NotificationStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def claim(self, key: Key, user_id: str, reason: str) -> bool:
        """Record that `key` is being told to `user_id`; False if it was told already (by this
        Podium before a restart, or a moment ago)."""
        namespace, owner, family = key
        async with self._db.write_lock:
            changed = await self._db.execute(
                """INSERT INTO notifications (namespace, owner, family, user_id, reason, sent_at)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                (namespace, owner, family, user_id, reason, self._clock()),
            )
        return changed > 0

    async def release(self, key: Key) -> None:
        """The DM could not be sent: the key may be told again."""
        async with self._db.write_lock:
            await self._db.execute(
                "DELETE FROM notifications WHERE namespace = ? AND owner = ? AND family = ?", key
            )

    async def sent(self, namespace: str) -> dict[Key, float]:
        """The keys of `namespace` already told, and when."""
        rows = await self._db.fetch_all(
            "SELECT owner, family, sent_at FROM notifications WHERE namespace = ?", (namespace,)
        )
        return {(namespace, str(r["owner"]), str(r["family"])): float(r["sent_at"]) for r in rows}

    async def participants(self) -> list[str]:
        """Everyone who ran a command, has exercise progress or got kubectl access."""
        rows = await self._db.fetch_all(
            """SELECT user_id FROM audit WHERE user_id IS NOT NULL
               UNION SELECT user_id FROM exercise_results
               UNION SELECT user_id FROM access_issued""",
        )
        return sorted(str(row[0]) for row in rows)
