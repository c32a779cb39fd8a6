"""The pure parts of slide images as Slack files: the polling schedule, what files.info says,
which file IDs Slack's refusal names."""

from __future__ import annotations

import pytest

from bot.slack.slide_images import (
    FileState,
    ImageWait,
    file_state,
    poll_delays,
    rejected_file_ids,
    slack_file_ids,
)


def test_polls_back_off_and_stop_at_the_bound() -> None:
    delays = poll_delays(ImageWait(first=0.25, factor=2, longest=2, bound=15))
    assert delays[:4] == [0.25, 0.5, 1.0, 2.0]
    assert all(d <= 2 for d in delays)
    assert sum(delays) == pytest.approx(15)
    default = poll_delays(ImageWait())
    assert (
        default[:3] == [1.0, 1.5, 2.25]
        and max(default) == 3.0
        and sum(default) == pytest.approx(15)
    )
    assert poll_delays(ImageWait(bound=0)) == []
    assert sum(poll_delays(ImageWait(first=0.25, bound=1))) == pytest.approx(1)


def test_a_file_is_processed_when_slack_knows_its_type() -> None:
    assert (
        file_state({"id": "F1", "mimetype": "", "filetype": "", "pretty_type": ""})
        is FileState.PROCESSING
    )
    assert file_state({"id": "F1"}) is FileState.PROCESSING
    assert file_state({"id": "F1", "mimetype": "image/png", "original_w": 800}) is FileState.READY
    assert file_state({"id": "F1", "mimetype": "application/octet-stream"}) is FileState.UNUSABLE


MESSAGE = {
    "text": "slide",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Pictures"}},
        {"type": "image", "alt_text": "a", "slack_file": {"id": "F0AAAAAAAA"}},
        {"type": "image", "alt_text": "b", "slack_file": {"id": "F0BBBBBBBB"}},
        {
            "type": "context",
            "elements": [{"type": "image", "alt_text": "c", "slack_file": {"id": "F0CCCCCCCC"}}],
        },
    ],
}


def refusal(*errors: str, error: str = "invalid_blocks") -> dict:
    return {
        "ok": False,
        "error": error,
        "errors": list(errors),
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }


def test_the_refused_file_is_the_one_the_pointer_names() -> None:
    assert rejected_file_ids(
        refusal("invalid slack file [json-pointer:/blocks/2/slack_file]"), MESSAGE
    ) == {"F0BBBBBBBB"}
    assert rejected_file_ids(
        refusal("invalid slack file [json-pointer:/blocks/3/elements/0/slack_file]"), MESSAGE
    ) == {"F0CCCCCCCC"}


def test_a_refusal_that_cannot_be_followed_blames_every_slack_file() -> None:
    assert (
        rejected_file_ids(
            refusal("invalid slack file [json-pointer:/blocks/9/slack_file]"), MESSAGE
        )
        == slack_file_ids(MESSAGE["blocks"])
        == {"F0AAAAAAAA", "F0BBBBBBBB", "F0CCCCCCCC"}
    )


def test_other_errors_are_not_about_files() -> None:
    assert (
        rejected_file_ids(
            refusal("must be less than 3001 characters [json-pointer:/blocks/0/text]"), MESSAGE
        )
        == set()
    )
    assert rejected_file_ids({"ok": False, "error": "channel_not_found"}, MESSAGE) == set()
    assert rejected_file_ids(refusal("invalid slack file", error="ratelimited"), MESSAGE) == set()
