"""Instructors' switches and the expiry of each person's latest kubectl access file survive a
restart; a switch never set is on; an earlier, longer-lived file is not forgotten."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import open_database
from bot.store.switches import SwitchStore

FIVE = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
FOUR = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


async def test_switches_and_access_expiry_survive_a_restart(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        store = SwitchStore(db)
        assert await store.is_on("access") and await store.access_expires("U0ALICE") is None
        await store.set("access", False, "U0INSTRUCTOR")
        await store.access_issued("U0ALICE", FIVE)
        await store.access_issued(
            "U0ALICE", FOUR
        )  # a shorter one later: the 17:00 file still works
        assert not await store.is_on("access")
    finally:
        await db.close()
    db = await open_database(tmp_path / "state.db")
    try:
        store = SwitchStore(db)
        assert not await store.is_on("access") and await store.is_on("something-else")
        assert (
            await store.access_expires("U0ALICE") == FIVE
            and await store.access_expires("U0BOB") is None
        )
        await store.set("access", True, "U0INSTRUCTOR")
        assert await store.is_on("access")
        row = await db.fetch_one("SELECT changed_by FROM switches WHERE name = 'access'")
        assert row is not None and row["changed_by"] == "U0INSTRUCTOR"
    finally:
        await db.close()
