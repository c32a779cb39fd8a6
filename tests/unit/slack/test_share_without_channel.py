"""A Share button pressed where Slack names no channel (a button in a view) answers why nothing was
posted, and claims nothing, so the same answer can still be shared from a channel."""

from __future__ import annotations

from typing import Any, cast

from bot.slack.button_values import sign_button_value
from bot.slack.kubectl_command import (
    FORGED_SHARE,
    NO_SHARE_CHANNEL,
    SHARE_ACTION,
    KubectlListeners,
    share_in_channel,
)

KEY = b"k" * 32


class RecordingButtons:
    """A ButtonStore that records what the listener asked of it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def was_shared(self, button_id: str) -> bool:
        self.calls.append(f"was_shared {button_id}")
        return False

    async def claim_share(self, button_id: str, user: str, channel: str) -> bool:
        self.calls.append(f"claim_share {button_id} {channel}")
        return True


def listeners(buttons: RecordingButtons) -> KubectlListeners:
    # The service, delivery and cache are never reached on these paths: None proves it (a call
    # on them would raise AttributeError and fail the test).
    return KubectlListeners(
        service=cast(Any, None),
        delivery=cast(Any, None),
        cache=cast(Any, None),
        signing_key=KEY,
        buttons=cast(Any, buttons),
    )


async def press(deps: KubectlListeners, body: dict[str, Any], value: str) -> list[dict[str, Any]]:
    said: list[dict[str, Any]] = []
    acked: list[bool] = []

    async def ack() -> None:
        acked.append(True)

    async def respond(**kwargs: Any) -> None:
        said.append(kwargs)

    await share_in_channel(deps, cast(Any, ack), body, {"value": value}, cast(Any, respond))
    assert acked == [True]
    return said


async def test_a_share_press_without_a_channel_says_why_and_claims_nothing() -> None:
    buttons = RecordingButtons()
    value = sign_button_value(KEY, SHARE_ACTION, {"k": "answer-1", "t": "get pods"})
    said = await press(listeners(buttons), {"user": {"id": "U1"}, "view": {"id": "V1"}}, value)
    assert [s["text"] for s in said] == [NO_SHARE_CHANNEL]
    assert said[0]["response_type"] == "ephemeral"
    assert buttons.calls == []


async def test_a_forged_value_is_refused_before_the_channel_is_looked_at() -> None:
    buttons = RecordingButtons()
    forged = sign_button_value(b"x" * 32, SHARE_ACTION, {"k": "answer-1", "t": "get pods"})
    said = await press(listeners(buttons), {"user": {"id": "U1"}, "channel": {"id": "C1"}}, forged)
    assert [s["text"] for s in said] == [FORGED_SHARE]
    assert buttons.calls == []
