"""The Slack stand-in processes uploads asynchronously, as Slack does: a `slack_file` image is
refused (`invalid_blocks`, "invalid slack file") until the file is processed, and for unknown or
deleted files; `files.info` shows the file's type and size only once processed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slides.deck import default_slides_folder
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_files import DEFAULT_PROCESSING_SECONDS, image_size

PNG = (default_slides_folder() / "images" / "control-loop.png").read_bytes()
DELAY = 0.4


@pytest.fixture
async def slow() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(file_processing_seconds=DELAY) as standin:
        yield standin


def client_for(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)


def image_message(file_id: str) -> dict:
    return {
        "channel": "C0WORKSHOP",
        "text": "a picture",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "Look:"}},
            {"type": "image", "alt_text": "the control loop", "slack_file": {"id": file_id}},
        ],
    }


async def upload(client: AsyncWebClient) -> str:
    response = await client.files_upload_v2(
        content=PNG, filename="control-loop.png", title="The control loop"
    )
    return str(response["file"]["id"])


def test_processing_is_on_by_default() -> None:
    assert DEFAULT_PROCESSING_SECONDS >= 1.0
    assert SlackStandIn().file_processing.delay == DEFAULT_PROCESSING_SECONDS


async def test_a_fresh_upload_is_refused_until_processed(slow: SlackStandIn) -> None:
    client = client_for(slow)
    file_id = await upload(client)

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(**image_message(file_id))
    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == [
        "invalid slack file [json-pointer:/blocks/1/slack_file]"
    ]
    assert slow.messages("C0WORKSHOP") == []

    info = (await client.files_info(file=file_id))["file"]
    assert info["mimetype"] == "" and info["filetype"] == "" and info["pretty_type"] == ""
    assert "original_w" not in info

    await asyncio.sleep(DELAY + 0.1)
    info = (await client.files_info(file=file_id))["file"]
    assert (info["mimetype"], info["filetype"]) == ("image/png", "png")
    assert (info["original_w"], info["original_h"]) == image_size(PNG)
    posted = await client.chat_postMessage(**image_message(file_id))
    assert posted["message"]["blocks"][1]["slack_file"] == {"id": file_id}


async def test_unknown_and_deleted_files_are_invalid_blocks(slow: SlackStandIn) -> None:
    client = client_for(slow)
    for file_id in ("F0NOSUCHFILE", "not-an-id"):
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(**image_message(file_id))
        assert refused.value.response["error"] == "invalid_blocks"

    file_id = await upload(client)
    await asyncio.sleep(DELAY + 0.1)
    posted = await client.chat_postMessage(**image_message(file_id))
    slow.delete_file(file_id)  # retention
    with pytest.raises(SlackApiError) as deleted:
        await client.files_info(file=file_id)
    assert deleted.value.response["error"] == "file_deleted"
    for call in (
        client.chat_postMessage(**image_message(file_id)),
        client.chat_update(ts=posted["ts"], **image_message(file_id)),
    ):
        with pytest.raises(SlackApiError) as refused:
            await call
        assert refused.value.response["errors"] == [
            "invalid slack file [json-pointer:/blocks/1/slack_file]"
        ]


async def test_views_and_response_urls_check_slack_files_too(slow: SlackStandIn) -> None:
    client = client_for(slow)
    file_id = await upload(client)
    view = {"type": "home", "blocks": image_message(file_id)["blocks"]}
    with pytest.raises(SlackApiError) as refused:
        await client.views_publish(user_id="U0ALICE", view=view)
    assert (
        "invalid slack file [json-pointer:/view/blocks/1/slack_file]"
        in refused.value.response["response_metadata"]["messages"]
    )

    url = slow.new_response_url(channel_id="C0WORKSHOP", user_id="U0ALICE")
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json={"blocks": image_message(file_id)["blocks"], "text": "x"}
        ) as answer:
            assert answer.status == 400 and (await answer.json())["error"] == "invalid_blocks"
        await asyncio.sleep(DELAY + 0.1)
        async with session.post(
            url, json={"blocks": image_message(file_id)["blocks"], "text": "x"}
        ) as answer:
            assert answer.status == 200
    assert (await client.views_publish(user_id="U0ALICE", view=view))["ok"]


async def test_a_file_that_never_processes_stays_refused(slow: SlackStandIn) -> None:
    client = client_for(slow)
    slow.file_processing.never_process("control-loop.png")
    file_id = await upload(client)
    await asyncio.sleep(DELAY + 0.1)
    assert (await client.files_info(file=file_id))["file"]["mimetype"] == ""
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(**image_message(file_id))


def test_image_sizes_are_read_from_headers(tmp_path: Path) -> None:
    assert image_size(PNG) is not None and all(n > 0 for n in image_size(PNG))
    gif = b"GIF89a" + (300).to_bytes(2, "little") + (200).to_bytes(2, "little") + b"\x00" * 10
    assert image_size(gif) == (300, 200)
    assert image_size(b"not an image") is None
