"""Private browsing and search in process, with fakes of their Protocols."""

from __future__ import annotations

from pathlib import Path

from bot.store.presentations import PresentationStore
from tests.harness.slide_fakes import FakePublisher, deck, rooms, text_of


async def test_browse_opens_where_the_room_is(tmp_path: Path, store: PresentationStore) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    await slides.room.start("C1", "U1", None)
    await slides.room.move("C1", "U1", to=2)
    reply = await slides.browsing.browse("U2", "C1")
    assert reply.text == "Opened *Pods* at slide 2 in your DM with Podium."
    user, message = publisher.dms[-1]
    assert user == "U2" and "ReplicaSets" in text_of(message)
    browsing = await store.get_browsing("U2")
    assert browsing is not None and (
        browsing.slide,
        browsing.channel_id,
        browsing.dm_channel,
        browsing.message_ts,
    ) == (2, "C1", "DU2", "92.000")


async def test_browse_without_a_room_starts_at_the_slide_asked_within_the_deck(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    reply = await slides.browsing.browse("U2", None, deck_key="pods", slide=99)
    assert "at slide 3" in reply.text  # clamped to the last slide
    browsing = await store.get_browsing("U2")
    assert browsing is not None and browsing.channel_id is None
    unknown = await slides.browsing.browse("U2", None, deck_key="nope")
    assert unknown.text.startswith("Which deck? ")


async def test_paging_edits_the_private_copy(tmp_path: Path, store: PresentationStore) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    await slides.browsing.browse("U2", None)
    assert await slides.browsing.browse_to("U2", "DU2", "91.000", "pods", 3) is None
    channel, ts, message = publisher.updates[-1]
    assert (channel, ts) == ("DU2", "91.000") and "Services" in text_of(message)
    browsing = await store.get_browsing("U2")
    assert browsing is not None and browsing.slide == 3
    gone = await slides.browsing.browse_to("U2", "DU2", "91.000", "pods", 4)
    assert gone is not None and "That slide no longer exists" in gone.text


async def test_back_to_live_jumps_to_the_slide_on_screen(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    slides = rooms(deck(tmp_path), store, publisher)
    refused = await slides.browsing.back_to_live("U2", "DU2", "91.000")
    assert refused is not None and "No presentation is live right now" in refused.text
    await slides.room.start("C1", "U1", None)
    await slides.room.move("C1", "U1", to=3)
    await slides.browsing.browse("U2", None, slide=1)
    assert await slides.browsing.back_to_live("U2", "DU2", "91.000") is None
    assert "Services" in text_of(publisher.updates[-1][2])
    browsing = await store.get_browsing("U2")
    assert browsing is not None and (browsing.slide, browsing.channel_id) == (3, "C1")


async def test_search_links_slides_posted_in_the_room(
    tmp_path: Path, store: PresentationStore
) -> None:
    slides = rooms(deck(tmp_path), store, FakePublisher())
    await slides.room.start("C1", "U1", None)
    await slides.room.move("C1", "U1", delta=1)
    reply = await slides.search.search("C1", "replicaset")
    assert reply.text == "1 slide about replicaset"
    assert reply.blocks is not None
    result = reply.blocks[1]
    assert "https://slack.test/archives/C1/p2000" in result["text"]["text"]
    assert result["accessory"]["value"] == "pods:2"
    unlinked = await slides.search.search(None, "replicaset")
    assert unlinked.blocks is not None and "https://" not in unlinked.blocks[1]["text"]["text"]


async def test_search_says_what_to_do_when_nothing_matches(
    tmp_path: Path, store: PresentationStore
) -> None:
    slides = rooms(deck(tmp_path), store, FakePublisher())
    assert "What should I look for?" in (await slides.search.search("C1", "  ")).text
    missing = await slides.search.search("C1", "<b>etcd</b>")
    assert "No slide mentions" in missing.text and "<b>" not in missing.text
