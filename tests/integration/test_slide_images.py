"""Slide images against a stand-in that processes uploads as Slack does (asynchronously, ~1 s):
Podium uploads a deck's pictures when it starts, uses each only once Slack reports it processed,
keeps the file IDs per workspace across restarts, uploads again a file Slack lost, and shows a
picture Slack never takes as its alt text with a note instead of failing the slide."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bot.slides.deck import default_slides_folder, load_deck
from podium_devkit.console import message_to_text
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_limits import RateLimits
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
IMAGES = default_slides_folder() / "images"

DECK = """---
title: Pictures
---

# Pictures

![The control loop](images/loop.png)

---

## The cluster

![The control plane and two worker nodes](images/cluster.png)

---

## No picture

Just words.
"""


def picture_deck(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True)
    shutil.copy(IMAGES / "control-loop.png", folder / "images" / "loop.png")
    shutil.copy(IMAGES / "cluster-architecture.png", folder / "images" / "cluster.png")
    (folder / "pictures.md").write_text(DECK, encoding="utf-8")
    return folder


def env(slides: Path, **more: str) -> dict[str, str]:
    return {"PODIUM_INSTRUCTORS": TEACHER, "PODIUM_SLIDES": str(slides), **more}


async def slides(running: Running, text: str) -> str:
    sent = await running.sender.slash_command("/slides", text, user_id=TEACHER, channel_id=CHANNEL)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=30)
    return message_to_text(reply)


def slide_posts(standin: SlackStandIn) -> list:
    return [
        c
        for c in standin.calls("chat.postMessage")
        if c.args.get("channel") == CHANNEL
        and any(b.get("type") == "header" for b in c.args.get("blocks") or [])
    ]


def refused(standin: SlackStandIn) -> list:
    return [
        c for c in standin.calls() if c.response and c.response.get("error") == "invalid_blocks"
    ]


def images_in(message: dict) -> list[str]:
    return [b["slack_file"]["id"] for b in message.get("blocks", []) if b["type"] == "image"]


def uploads_named(standin: SlackStandIn, name: str) -> list[str]:
    return [f.id for f in standin.files() if f.filename == name and f.completed]


async def test_a_slide_posted_right_after_its_upload_waits_until_slack_has_processed_it(
    cluster, tmp_path
):
    deck = picture_deck(tmp_path / "slides")
    async with (
        SlackStandIn() as standin,
        running_podium(cluster, standin, tmp_path, **env(deck)) as room,
    ):
        assert standin.file_processing.delay >= 1.0  # Slack's behaviour, on by default
        assert "Started *Pictures*" in await slides(room, "start")
        [posted] = slide_posts(standin)
        assert posted.ok, posted.response
        [file_id] = images_in(posted.args)
        assert file_id == uploads_named(standin, "loop.png")[0]
        assert standin.file_processing.is_processed(file_id)
        assert any(
            c.args.get("file") == file_id and c.ok and c.response["file"]["mimetype"] == "image/png"
            for c in standin.calls("files.info")
        )
        # Both pictures were uploaded when the deck started, each once.
        assert len(uploads_named(standin, "cluster.png")) == 1
        await slides(room, "next")
        assert [len(images_in(c.args)) for c in slide_posts(standin)] == [1, 1]
        assert refused(standin) == []


async def test_browsing_privately_before_any_presentation_waits_for_the_pictures_too(
    cluster, tmp_path
):
    deck = picture_deck(tmp_path / "slides")
    async with (
        SlackStandIn() as standin,
        running_podium(cluster, standin, tmp_path, **env(deck)) as room,
    ):
        sent = await room.sender.slash_command(
            "/slides", "browse pictures 2", user_id="U0BOB", channel_id=CHANNEL
        )
        [reply] = await standin.wait_for_responses(sent.response_url, count=1, timeout=30)
        assert "Opened *Pictures* at slide 2" in message_to_text(reply)
        dm = standin.dm_channel("U0BOB")
        [posted] = [c for c in standin.calls("chat.postMessage") if c.args.get("channel") == dm]
        assert posted.ok and images_in(posted.args) == uploads_named(standin, "cluster.png")
        assert len(uploads_named(standin, "loop.png")) == 1  # the rest of the deck, for paging on
        assert refused(standin) == []


async def test_file_ids_are_kept_per_workspace_and_one_slack_lost_is_uploaded_again(
    cluster, tmp_path
):
    deck = picture_deck(tmp_path / "slides")
    async with SlackStandIn() as standin:
        async with running_podium(cluster, standin, tmp_path, **env(deck)) as room:
            await slides(room, "start")
            await slides(room, "end")
        [lost] = uploads_named(standin, "loop.png")
        [kept] = uploads_named(standin, "cluster.png")
        standin.delete_file(lost)  # retention, while Podium was down

        async with running_podium(cluster, standin, tmp_path, **env(deck)) as room:
            assert "Started *Pictures*" in await slides(room, "start")
            await slides(room, "next")
            first, second = slide_posts(standin)[-2:]
            assert first.ok and second.ok
            [again] = images_in(first.args)
            assert again != lost and uploads_named(standin, "loop.png") == [lost, again]
            assert images_in(second.args) == [
                kept
            ]  # remembered across the restart: not uploaded again
            assert uploads_named(standin, "cluster.png") == [kept]
            assert [c.method for c in refused(standin)] == [
                "chat.postMessage"
            ]  # the one try with the lost file
            rows = await room.podium.database.fetch_all("SELECT file_id FROM slack_images")
            assert lost not in {r[0] for r in rows} and again in {r[0] for r in rows}
            await slides(room, "end")

    # Another workspace shares the state database: its own uploads, never the first one's IDs.
    async with SlackStandIn(team_id="T0OTHER") as other:
        async with running_podium(cluster, other, tmp_path, **env(deck)) as room:
            assert "Started *Pictures*" in await slides(room, "start")
            assert (
                len(uploads_named(other, "loop.png")) == 1
                and len(uploads_named(other, "cluster.png")) == 1
            )
            [posted] = slide_posts(other)
            assert posted.ok and images_in(posted.args) == uploads_named(other, "loop.png")


async def test_a_picture_slack_never_processes_is_shown_as_its_alt_text_with_a_note(
    cluster, tmp_path
):
    deck = picture_deck(tmp_path / "slides")
    async with (
        SlackStandIn() as standin,
        running_podium(cluster, standin, tmp_path, **env(deck, PODIUM_IMAGE_WAIT="2")) as room,
    ):
        standin.file_processing.never_process("loop.png")
        assert "Started *Pictures*" in await slides(room, "start")
        [posted] = slide_posts(standin)
        assert posted.ok and images_in(posted.args) == []
        text = message_to_text(posted.args)
        assert "The control loop" in text and "could not be shown in Slack" in text
        await slides(room, "next")
        assert len(images_in(slide_posts(standin)[-1].args)) == 1  # the other picture is fine
        await slides(room, "prev")
        again = slide_posts(standin)[-1]
        assert again.ok and "could not be shown in Slack" in message_to_text(again.args)
        assert len(uploads_named(standin, "loop.png")) == 1  # no upload per showing
        assert refused(standin) == []


async def test_the_course_deck_end_to_end_with_slacks_processing_delay(cluster, tmp_path):
    course = load_deck(default_slides_folder() / "kubernetes-101.md")
    pictures = {i.path for s in course.slides for i in s.images}
    # Slack's pace scaled 20× (posts per second and Podium's interval alike) so 53 slides take
    # seconds, not a minute: Podium's pacer must keep the stand-in from ever answering 429.
    async with (
        SlackStandIn(rate_limits=RateLimits(channel_posts_per_second=20.0)) as standin,
        running_podium(
            cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER, PODIUM_POST_INTERVAL="0.05"
        ) as room,
    ):
        assert len(pictures) >= 6 and standin.file_processing.delay >= 1.0
        began = time.monotonic()
        await slides(room, "start")
        for _ in range(len(course.slides) - 1):
            await slides(room, "next")
        took = time.monotonic() - began
    assert standin.rate_limited_calls() == []
    posts = slide_posts(standin)
    failed = [c for c in posts if not c.ok]
    assert failed == [] and refused(standin) == []
    assert len(posts) == len(course.slides)
    shown = [fid for c in posts for fid in images_in(c.args)]
    assert len(shown) == sum(len(s.images) for s in course.slides)
    assert len(standin.calls("files.completeUploadExternal")) == len(pictures)
    # files.info is polled sparingly (Tier 4): the first look comes when Slack is usually done.
    assert len(standin.calls("files.info")) <= 2 * len(pictures)
    print(
        f"\n{len(course.slides)} slides, {len(pictures)} pictures presented in {took:.1f} s; 0 failed"
    )
