"""The presenting room in process, with fakes of its Protocols: what the channel and the
presenter see, what the store keeps, and who is refused."""

from __future__ import annotations

from pathlib import Path

from bot.store.presentations import PresentationStore
from tests.harness.slide_fakes import FakePublisher, deck, rooms, text_of


async def test_start_posts_slide_one_stores_it_and_dms_the_notes(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher).room
    reply = await room.start("C1", "U1", "pods")
    assert "Started *Pods* (3 slides)" in reply.text
    assert [channel for channel, _ in publisher.posts] == ["C1"]
    assert "The smallest unit." in text_of(publisher.posts[0][1])
    running = await store.get("C1")
    assert running is not None and (running.slide, running.presenter_id, running.message_ts) == (
        1,
        "U1",
        "1.000",
    )
    assert [(user, message["text"]) for user, message in publisher.dms] == [
        ("U1", "Speaker notes, slide 1")
    ]


async def test_only_instructors_start_when_named(tmp_path: Path, store: PresentationStore) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher, instructors=frozenset({"UTEACH"})).room
    reply = await room.start("C1", "U1", None)
    assert "Only the workshop's instructors" in reply.text
    assert publisher.posts == [] and await store.get("C1") is None


async def test_an_unknown_deck_lists_the_decks(tmp_path: Path, store: PresentationStore) -> None:
    reply = await rooms(deck(tmp_path), store, FakePublisher()).room.start("C1", "U1", "nope")
    assert (
        "There is no deck called `nope`" in reply.text and "`pods`: *Pods*, 3 slides" in reply.text
    )


async def test_a_second_start_is_refused_while_live(
    tmp_path: Path, store: PresentationStore
) -> None:
    room = rooms(deck(tmp_path), store, FakePublisher()).room
    await room.start("C1", "U1", None)
    reply = await room.start("C1", "U2", None)
    assert "already live here at slide 1, presented by <@U1>" in reply.text


async def test_next_posts_the_slide_and_removes_the_buttons_of_the_one_before(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher).room
    await room.start("C1", "U1", None)
    assert await room.move("C1", "U1", delta=1) is None
    assert "ReplicaSets" in text_of(publisher.posts[-1][1])
    assert "'actions'" in str(
        publisher.posts[-1][1]["blocks"]
    )  # the slide on screen carries the buttons
    channel, ts, edited = publisher.updates[-1]
    assert (channel, ts) == ("C1", "1.000")
    assert "'actions'" not in str(
        edited["blocks"]
    )  # the slide before keeps its content, not its buttons
    running = await store.get("C1")
    assert running is not None and (running.slide, running.message_ts) == (2, "2.000")
    assert await store.posts_of("C1", "pods") == {1: "1.000", 2: "2.000"}


async def test_moves_are_refused_with_the_reason(tmp_path: Path, store: PresentationStore) -> None:
    room = rooms(deck(tmp_path), store, FakePublisher()).room
    nothing = await room.move("C1", "U1", delta=1)
    assert nothing is not None and "No presentation is running" in nothing.text
    await room.start("C1", "U1", None)
    other = await room.move("C1", "U2", delta=1)
    assert other is not None and "Only the presenter (<@U1>)" in other.text
    back = await room.move("C1", "U1", delta=-1)
    assert back is not None and back.text == "Already at the first slide (1/3)."
    far = await room.move("C1", "U1", to=9)
    assert far is not None and far.text == "There is no slide 9: this deck has slides 1–3."
    same = await room.move("C1", "U1", to=1)
    assert same is not None and same.text == "Slide 1 is already on screen."
    running = await store.get("C1")
    assert running is not None and running.slide == 1


async def test_end_thanks_the_room_and_forgets_the_presentation(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher).room
    await room.start("C1", "U1", None)
    refused = await room.end("C1", "U2")
    assert "Only the presenter (<@U1>) can end" in refused.text
    reply = await room.end("C1", "U1")
    assert reply.text == "Ended *Pods*."
    assert "That's the end of *Pods*" in publisher.posts[-1][1]["text"]
    assert await store.get("C1") is None


async def test_a_lost_slide_message_does_not_stop_the_next_move(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher).room
    await room.start("C1", "U1", None)
    publisher.fail_updates = True  # someone deleted slide 1: its buttons cannot be removed
    assert await room.move("C1", "U1", delta=1) is None
    running = await store.get("C1")
    assert running is not None and running.slide == 2


async def test_status_and_the_live_slide(tmp_path: Path, store: PresentationStore) -> None:
    room = rooms(deck(tmp_path), store, FakePublisher()).room
    assert "No presentation is running" in (await room.status("C1")).text
    assert await room.live_slide("C1") is None
    await room.start("C1", "U1", None)
    await room.move("C1", "U1", to=3)
    assert (
        await room.status("C1")
    ).text == "*Pods* is live: slide 3/3 · Services, presented by <@U1>."
    live = await room.live_slide("C1")
    assert live is not None and (live[0].key, live[1]) == ("pods", 3)
    assert "<#C1>: *Pods*, slide 3" in (await room.status_everywhere()).text
    assert await room.only_live_room() == "C1"


async def test_refresh_edits_the_slide_on_screen_in_place(
    tmp_path: Path, store: PresentationStore
) -> None:
    publisher = FakePublisher()
    room = rooms(deck(tmp_path), store, publisher).room
    await room.refresh("C1")  # nothing live: nothing edited
    assert publisher.updates == []
    await room.start("C1", "U1", None)
    await room.refresh("C1")
    channel, ts, message = publisher.updates[-1]
    assert (channel, ts) == ("C1", "1.000") and "The smallest unit." in text_of(message)


async def test_who_leads_the_workshop(tmp_path: Path, store: PresentationStore) -> None:
    room = rooms(deck(tmp_path), store, FakePublisher()).room
    assert not await room.leads_workshop("U1")
    await room.start("C1", "U1", None)
    assert await room.leads_workshop("U1") and not await room.leads_workshop("U2")
    named = rooms(deck(tmp_path), store, FakePublisher(), instructors=frozenset({"UTEACH"})).room
    assert await named.leads_workshop("UTEACH") and not await named.leads_workshop("U1")
