"""One `/slides` dispatch for the slash command, @mention and the DM."""

from __future__ import annotations

from pathlib import Path

from bot.slides.dispatch import answer_slides
from bot.store.presentations import PresentationStore
from tests.harness.slide_fakes import FakePublisher, deck, rooms


async def test_the_slash_command_and_a_mention_drive_the_room_alike(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    started = await answer_slides(slides, "start", "U1", "C1", in_dm=False)
    assert started.text.startswith("Started *Pods*")
    assert (
        await answer_slides(slides, "next", "U1", "C1", in_dm=False)
    ).text == "Moved. The slide is in the channel."
    assert (
        await answer_slides(slides, "goto 3", "U1", "C1", in_dm=False)
    ).text == "Slide 3 is on screen."
    running = await store.get("C1")
    assert running is not None and running.slide == 3
    assert len(publisher.posts) == 3


async def test_driving_from_the_dm_is_explained_not_done(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    reply = await answer_slides(slides, "start", "U1", "D1", in_dm=True)
    assert "`slides start` drives the presentation of a channel" in reply.text
    assert publisher.posts == [] and await store.all() == []


async def test_in_the_dm_the_room_is_the_one_live_room(
    tmp_path: Path, store: PresentationStore
) -> None:
    slides = rooms(deck(tmp_path), store, FakePublisher())
    assert (
        "No presentation is live right now"
        in (await answer_slides(slides, "status", "U2", "D2", in_dm=True)).text
    )
    await answer_slides(slides, "start", "U1", "C1", in_dm=False)
    status = await answer_slides(slides, "status", "U2", "D2", in_dm=True)
    assert status.text.startswith("*Pods* is live: slide 1/3")
    await answer_slides(slides, "browse", "U2", "D2", in_dm=True)
    browsing = await store.get_browsing("U2")
    assert browsing is not None and browsing.channel_id == "C1"


async def test_usage_errors_and_help(tmp_path: Path, store: PresentationStore) -> None:
    slides = rooms(deck(tmp_path), store, FakePublisher())
    wrong = await answer_slides(slides, "goto x", "U1", "C1", in_dm=False)
    assert (
        wrong.text.startswith("`/slides goto` needs a slide number")
        and "/slides browse" in wrong.text
    )
    assert "/slides start [deck]" in (await answer_slides(slides, "", "U1", "C1", in_dm=False)).text
    assert "`pods`: *Pods*" in (await answer_slides(slides, "list", "U1", "D1", in_dm=True)).text
