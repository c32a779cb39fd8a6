"""The audit log writes in batches, yet what was answered is never missing from what it reads back,
and a graceful stop leaves everything on disk."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from bot.kubectl.service import CommandRecord
from bot.store import open_database
from bot.store.audit import AuditLog


def command(n: int, outcome: str = "ok") -> CommandRecord:
    return CommandRecord(
        f"U{n}",
        "C0WORKSHOP",
        "slash",
        f"get pods {n}",
        "get",
        "kubectl get pods -n sandbox",
        outcome,
        0.012,
    )


def rows_on_disk(path) -> int:
    with sqlite3.connect(path) as other_process:  # what `python -m bot audit` would see
        return other_process.execute("SELECT count(*) FROM audit").fetchone()[0]


async def test_entries_reach_the_disk_together_shortly_after(tmp_path):
    db = await open_database(tmp_path / "state.db")
    audit = AuditLog(db, flush_after=0.05)
    try:
        for n in range(5):
            await audit.record(command(n))
        assert rows_on_disk(tmp_path / "state.db") == 0  # not one commit per command
        for _ in range(100):
            if rows_on_disk(tmp_path / "state.db") == 5:
                break
            await asyncio.sleep(0.02)
        assert rows_on_disk(tmp_path / "state.db") == 5
    finally:
        await audit.close()
        await db.close()


async def test_a_full_batch_is_written_at_once_and_reading_includes_what_is_pending(tmp_path):
    db = await open_database(tmp_path / "state.db")
    audit = AuditLog(db, flush_after=60, batch_size=3)
    try:
        for n in range(4):
            await audit.record(command(n))
        assert rows_on_disk(tmp_path / "state.db") == 3  # the batch of three; the fourth waits
        entries = await audit.recent()
        assert [e.user_id for e in entries] == ["U0", "U1", "U2", "U3"]
        assert entries[0].millis == 12 and entries[0].command_line == "kubectl get pods -n sandbox"
    finally:
        await audit.close()
        await db.close()


async def test_closing_writes_what_is_pending(tmp_path):
    db = await open_database(tmp_path / "state.db")
    audit = AuditLog(db, flush_after=60)
    await audit.record(command(1, outcome="refused"))
    await audit.close()
    await db.close()
    assert rows_on_disk(tmp_path / "state.db") == 1


async def test_a_failed_write_is_logged_with_its_size_and_costs_no_answer(tmp_path, caplog):
    db = await open_database(tmp_path / "state.db")
    audit = AuditLog(db, flush_after=60)
    await audit.record(command(1))
    await audit.record(command(2))
    await db.close()  # the disk is gone from under it
    with caplog.at_level(logging.ERROR):
        await audit.close()  # does not raise
    assert "could not write 2 audit entries" in caplog.text


async def test_users_are_everyone_who_asked_once_each_in_order_including_what_is_pending(tmp_path):
    db = await open_database(tmp_path / "state.db")
    audit = AuditLog(db, flush_after=60)
    try:
        for n in (3, 1, 3, 2, 1):
            await audit.record(command(n))
        await audit.record(CommandRecord(None, None, "slash", "get pods", "get", None, "ok", 0.01))
        assert await audit.users() == ["U3", "U1", "U2"]
    finally:
        await audit.close()
        await db.close()
