"""The button key survives a restart; a Share button is claimed once, whoever races for it."""

from __future__ import annotations

import asyncio

from bot.store import open_database
from bot.store.buttons import KEY_BYTES, ButtonStore


async def test_the_signing_key_is_made_once_and_kept_across_restarts(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        key = await ButtonStore(db).signing_key()
        assert len(key) == KEY_BYTES and await ButtonStore(db).signing_key() == key
    finally:
        await db.close()
    db = await open_database(tmp_path / "state.db")
    try:
        assert await ButtonStore(db).signing_key() == key
    finally:
        await db.close()
    other = await open_database(tmp_path / "other.db")
    try:
        assert await ButtonStore(other).signing_key() != key  # random per state database
    finally:
        await other.close()


async def test_concurrent_claims_of_one_share_button_have_one_winner(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        buttons = ButtonStore(db)
        won = await asyncio.gather(*(buttons.claim_share("b1", f"U{i}", "C1") for i in range(25)))
        assert won.count(True) == 1
        assert await buttons.was_shared("b1") and not await buttons.was_shared("b2")
        assert await buttons.claim_share("b2", "U1", "C1")  # another button is its own
        await buttons.release_share("b1")  # the post failed: it may be pressed again
        assert await buttons.claim_share("b1", "U1", "C1")
    finally:
        await db.close()
