"""Slide images are remembered per workspace and content (migration 6); the IDs of version 1,
which said neither, are dropped on upgrade so each image is uploaded once more."""

from __future__ import annotations

import sqlite3

import pytest

from bot.settings import SettingsError, load_settings
from bot.store import open_database
from bot.store.migrations import MIGRATIONS
from bot.store.slack_images import CachedImage, SlackImageStore


async def test_a_version_5_database_drops_the_unkeyed_file_ids(tmp_path):
    path = tmp_path / "v5.db"
    with sqlite3.connect(path) as old:
        for script in MIGRATIONS[:5]:
            old.executescript(script)
        old.execute("INSERT INTO slack_files VALUES ('abc', 'F0OLDFILE1')")
        old.execute("PRAGMA user_version = 5")
    db = await open_database(path)
    try:
        assert await db.schema_version() == len(MIGRATIONS) >= 6
        assert (
            await db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'slack_files'") is None
        )
        assert await SlackImageStore(db).get("T0PODIUM", "abc") is None
    finally:
        await db.close()


async def test_images_are_kept_per_workspace_and_forgotten_by_file_id(tmp_path):
    db = await open_database(tmp_path / "state.db")
    try:
        store = SlackImageStore(db)
        await store.save("T1", "digest", "F0AAAAAAAA")
        await store.save("T2", "digest", "F0BBBBBBBB")
        await store.mark_processed("T1", "F0AAAAAAAA")
        assert await store.get("T1", "digest") == CachedImage("F0AAAAAAAA", True)
        assert await store.get("T2", "digest") == CachedImage("F0BBBBBBBB", False)
        assert await store.forget("T1", ["F0AAAAAAAA", "F0BBBBBBBB"]) == 1  # only T1's
        assert await store.get("T1", "digest") is None
        assert await store.get("T2", "digest") is not None
    finally:
        await db.close()


def test_image_wait_setting() -> None:
    assert load_settings({}).image_wait == 15.0
    assert load_settings({"PODIUM_IMAGE_WAIT": "2.5"}).image_wait == 2.5
    for bad in ("-1", "soon", "301"):
        with pytest.raises(SettingsError, match="PODIUM_IMAGE_WAIT"):
            load_settings({"PODIUM_IMAGE_WAIT": bad})


async def test_background_image_writes_never_fall_inside_another_writers_insert(tmp_path):
    """A deck's uploads save file IDs in the background while people ask questions; a question's
    INSERT and its last_insert_rowid() must not see an image row in between."""
    import asyncio

    from bot.store.questions import QuestionStore

    db = await open_database(tmp_path / "state.db")
    try:
        images, questions = SlackImageStore(db), QuestionStore(db)

        async def ask(n: int):
            return await questions.add(
                "C1", "U1", f"question {n}", anonymous=False, deck_key=None, slide=None
            )

        async def save(n: int) -> None:
            await images.save("T1", f"digest {n}", f"F0{n:08d}")
            await images.mark_processed("T1", f"F0{n:08d}")

        results = await asyncio.gather(*(f(n) for n in range(40) for f in (ask, save)))
        asked = [r for r in results if r is not None]
        assert sorted(q.text for q in asked) == sorted(f"question {n}" for n in range(40))
    finally:
        await db.close()
