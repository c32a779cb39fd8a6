"""SlideImages against the Slack stand-in directly: one upload however many ask at once, a
picture Slack never processes is waited for once (later showings look once and move on), and an
install without files:read says what is missing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.slide_images import ImageWait, SlideImages
from bot.slides.deck import default_slides_folder
from bot.store import open_database
from bot.store.db import Database
from bot.store.slack_images import SlackImageStore
from podium_devkit.slack_api import SlackStandIn

PICTURE = default_slides_folder() / "images" / "control-loop.png"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "state.db")
    yield database
    await database.close()


def images_for(standin: SlackStandIn, db: Database, bound: float = 15.0) -> SlideImages:
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    return SlideImages(client, SlackImageStore(db), wait=ImageWait(first=0.2, bound=bound))


async def test_many_asking_at_once_share_one_upload_and_one_wait(db: Database) -> None:
    async with SlackStandIn(file_processing_seconds=0.3) as standin:
        images = images_for(standin, db)
        refs = await asyncio.gather(*(images.ref(PICTURE, "The control loop") for _ in range(20)))
        [upload] = standin.calls("files.completeUploadExternal")
        assert {r["id"] for r in refs if r} == {upload.args["files"][0]["id"]} and all(refs)
        assert len(standin.calls("files.info")) <= 4
        await images.close()


async def test_a_picture_never_processed_is_waited_for_once(db: Database) -> None:
    async with SlackStandIn(file_processing_seconds=0.1) as standin:
        standin.file_processing.never_process(PICTURE.name)
        images = images_for(standin, db, bound=0.6)
        assert await images.ref(PICTURE, "The control loop") is None
        looks = len(standin.calls("files.info"))
        assert looks >= 2
        assert await images.ref(PICTURE, "The control loop") is None
        assert len(standin.calls("files.info")) == looks + 1  # one more look, no new wait
        assert len(standin.calls("files.completeUploadExternal")) == 1  # and no new upload
        await images.close()


async def test_without_files_read_the_log_names_the_missing_scope(db: Database, caplog) -> None:
    scopes = ["chat:write", "files:write", "im:write", "commands"]
    async with SlackStandIn(scopes=scopes, file_processing_seconds=0.1) as standin:
        images = images_for(standin, db, bound=0.3)
        with caplog.at_level(logging.WARNING, logger="bot.slack.slide_images"):
            assert await images.ref(PICTURE, "The control loop") is None
        assert "files:read" in caplog.text
        await images.close()


async def test_after_a_failed_upload_the_next_showing_uploads_and_waits_again(db: Database) -> None:
    async with SlackStandIn(file_processing_seconds=0.3) as standin:
        images = images_for(standin, db, bound=5)
        standin.fail_next("files.upload", status=500)  # the upload host fails once
        assert await images.ref(PICTURE, "The control loop") is None
        ref = await images.ref(PICTURE, "The control loop")
        assert ref is not None and standin.file_processing.is_processed(ref["id"])
        await images.close()
