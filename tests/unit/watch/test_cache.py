"""The pure parts of a namespace stream: re-list differences, back-off, watch timeouts."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.settings import SettingsError, load_settings
from bot.watch.cache import Backoff, by_name, differences, must_relist, watch_seconds


def obj(name: str, version: str, uid: str = "") -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": version, "uid": uid or f"uid-{name}"}}


def test_differences_report_deleted_then_modified_and_added_by_name() -> None:
    old = by_name([obj("a", "1"), obj("b", "2"), obj("gone", "3")])
    new = by_name([obj("a", "1"), obj("b", "7"), obj("c", "8")])
    found = [(kind, o["metadata"]["name"], o["metadata"]["resourceVersion"]) for kind, o in
             differences(old, new)]  # fmt: skip
    assert found == [("DELETED", "gone", "3"), ("MODIFIED", "b", "7"), ("ADDED", "c", "8")]


def test_an_object_recreated_under_its_name_is_deleted_then_added() -> None:
    old = by_name([obj("web", "5", uid="first")])
    new = by_name([obj("web", "9", uid="second")])
    found = [(kind, o["metadata"]["uid"]) for kind, o in differences(old, new)]
    assert found == [("DELETED", "first"), ("ADDED", "second")]


def test_equal_lists_have_no_differences_and_a_deleted_object_keeps_its_last_state() -> None:
    same = by_name([obj("a", "1"), obj("b", "2")])
    assert list(differences(same, dict(same))) == []
    last = obj("a", "4")
    last["status"] = {"phase": "Running"}
    [(kind, gone)] = differences({"a": last}, {})
    assert kind == "DELETED" and gone is last


def test_nameless_items_are_dropped() -> None:
    assert by_name([{"metadata": {}}, {}, obj("a", "1")]) == {"a": obj("a", "1")}


def test_back_off_doubles_with_jitter_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(first=0.5, cap=30.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    steps = [min(30.0, 0.5 * 2**n) for n in range(12)]
    for delay, step in zip(delays, steps, strict=True):
        assert step / 2 <= delay <= step
    assert max(delays) <= 30.0 and delays[-1] >= 15.0  # at the cap, never above it
    backoff.reset()
    assert 0.25 <= backoff.next_delay() <= 0.5


def test_back_off_after_many_failures_stays_at_the_cap() -> None:
    backoff = Backoff(first=0.5, cap=30.0, rng=random.Random(1))
    for _ in range(10_000):
        delay = backoff.next_delay()
    assert 15.0 <= delay <= 30.0


def test_watch_timeouts_are_jittered_between_five_and_ten_minutes() -> None:
    rng = random.Random(3)
    seconds = {watch_seconds(rng) for _ in range(2000)}
    assert min(seconds) >= 300 and max(seconds) <= 600
    assert len(seconds) > 100  # spread, not one value for every stream


def test_podium_watch_is_on_by_default_and_can_be_switched_off() -> None:
    assert load_settings({}).watch_enabled is True
    assert load_settings({"PODIUM_WATCH": "off"}).watch_enabled is False
    assert load_settings({"PODIUM_WATCH": "ON"}).watch_enabled is True
    with pytest.raises(SettingsError, match="PODIUM_WATCH='maybe' must be on or off"):
        load_settings({"PODIUM_WATCH": "maybe"})


def test_410_and_a_too_large_version_mean_list_again_other_errors_do_not() -> None:
    assert must_relist(410, "too old resource version: 5 (9)")
    assert must_relist(504, "Too large resource version: 99, current: 12")
    assert not must_relist(504, "The request timed out")
    assert not must_relist(403, "pods is forbidden")
    assert not must_relist(None, "")
