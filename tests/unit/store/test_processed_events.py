"""Processed events survive restarts, win races once, and are pruned."""

from __future__ import annotations

import asyncio

from bot.store import open_database
from bot.store.events import KEEP_SECONDS, PRUNE_EVERY_SECONDS, ProcessedEvents


async def test_an_event_is_claimed_once_across_restarts(tmp_path):
    db = await open_database(tmp_path / "state.db")
    events = ProcessedEvents(db)
    assert await events.claim("Ev1") is True
    assert await events.claim("Ev1") is False
    await db.close()
    db = await open_database(tmp_path / "state.db")
    try:
        assert await ProcessedEvents(db).claim("Ev1") is False
        assert await ProcessedEvents(db).claim("Ev2") is True
    finally:
        await db.close()


async def test_concurrent_deliveries_claim_once(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        events = ProcessedEvents(db)
        results = await asyncio.gather(*(events.claim("EvRace") for _ in range(10)))
        assert results.count(True) == 1
    finally:
        await db.close()


async def test_old_events_are_pruned(tmp_path):
    now = [1_000_000.0]
    db = await open_database(tmp_path / "state.db")
    try:
        events = ProcessedEvents(db, clock=lambda: now[0])
        await events.claim("EvOld")
        now[0] += KEEP_SECONDS + PRUNE_EVERY_SECONDS
        assert await events.claim("EvNew") is True  # prunes on the way
        assert [r[0] for r in await db.fetch_all("SELECT event_id FROM processed_events")] == [
            "EvNew"
        ]
        assert (
            await events.claim("EvOld") is True
        )  # forgotten after a day: Slack stopped retrying long ago
    finally:
        await db.close()
