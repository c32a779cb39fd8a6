"""The room board as data and as a message: who is on top, what each row says, the Describe
buttons, Slack's limits with a crowded room, and hostile names escaped once."""

from __future__ import annotations

import json

from bot.messages.limits import MAX_BUTTON_VALUE, MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT
from bot.messages.text import seal_message
from bot.notify.board import (
    CLEAR_ROWS,
    DESCRIBE_ACTION,
    STUCK_ROWS,
    TROUBLES_PER_ROW,
    DescribeTarget,
    board_message,
    board_rows,
    describe_target,
    describe_value,
    parse_describe_value,
    stuck_for,
)
from bot.notify.model import Trouble

NOW = 1_800_000_000.0


def trouble(
    user: str,
    name: str = "web-7d4",
    *,
    ago: float = 60.0,
    reason: str = "ImagePullBackOff",
    kind: str = "pods",
    summary: str = 'Back-off pulling image "ngnix:1.27"',
) -> Trouble:
    return Trouble(user, f"ws-{user.lower()}", kind, name, reason, NOW - ago, summary)


def texts(message: dict) -> str:
    parts = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(e.get("text", "") for e in block.get("elements", []))
    return "\n".join(parts)


def buttons(message: dict) -> list[dict]:
    return [b["accessory"] for b in message["blocks"] if "accessory" in b]


def test_the_one_stuck_longest_is_on_top_then_the_others_fewest_passed_first():
    troubles = {
        "U0BOB": (trouble("U0BOB", ago=120),),
        "U0CAROL": (trouble("U0CAROL", ago=900), trouble("U0CAROL", "db-0", ago=30)),
        "U0DAN": (),  # was stuck, is well again
    }
    passed = {"U0ALICE": 3, "U0DAN": 1, "U0ERIN": 0, "U0BOB": 2}
    rows = board_rows(troubles, passed)
    assert [r.user_id for r in rows] == ["U0CAROL", "U0BOB", "U0ERIN", "U0DAN", "U0ALICE"]
    assert rows[0].stuck_since == NOW - 900 and rows[0].passed == 0
    assert [t.name for t in rows[0].troubles] == ["web-7d4", "db-0"]  # oldest first
    assert rows[2].troubles == () and rows[2].stuck_since is None


def test_a_row_says_who_how_far_how_long_and_what_fails():
    rows = board_rows({"U0BOB": (trouble("U0BOB", ago=4 * 60 + 30),)}, {"U0BOB": 2})
    message = board_message(rows, exercises=4, now=NOW, notifications=True)
    stuck = message["blocks"][1]
    assert stuck["text"]["text"] == (
        ":rotating_light: <@U0BOB> · 2/4 passed · *stuck 4m*\n"
        'pod `web-7d4` *ImagePullBackOff*: Back-off pulling image "ngnix:1.27"'
    )
    assert message["text"] == "Room board: 1 stuck of 1"
    assert "*Room board* · 1 participant · 1 stuck" in texts(message)
    assert "Room notifications: on" in texts(message)


def test_durations_are_counted_in_minutes():
    assert stuck_for(-5) == "stuck <1m"
    assert stuck_for(59) == "stuck <1m"
    assert stuck_for(4 * 60 + 59) == "stuck 4m"
    assert stuck_for(60 * 60) == "stuck 1h"
    assert stuck_for(75 * 60) == "stuck 1h15m"
    assert stuck_for(50 * 3600) == "stuck 2d2h"
    assert stuck_for(48 * 3600) == "stuck 2d"


def test_each_stuck_row_has_a_describe_button_naming_the_oldest_failing_pod():
    rows = board_rows(
        {"U0BOB": (trouble("U0BOB", "new-pod", ago=10), trouble("U0BOB", "old-pod", ago=600))},
        {},
    )
    [describe] = buttons(board_message(rows, exercises=4, now=NOW))
    assert describe["action_id"] == DESCRIBE_ACTION and describe["text"]["text"] == "Describe"
    target = parse_describe_value(describe["value"])
    assert target == DescribeTarget("U0BOB", "ws-u0bob", "pods", "old-pod")
    assert target.command == "describe pod old-pod -n ws-u0bob"


def test_a_failed_job_is_described_as_a_job():
    target = describe_target(trouble("U0BOB", "migrate", kind="jobs", reason="Failed"))
    assert target is not None and target.command == "describe job migrate -n ws-u0bob"


def test_the_all_clear_board():
    message = board_message(board_rows({"U0BOB": ()}, {"U0BOB": 4}), exercises=4, now=NOW)
    body = texts(message)
    assert "All clear: nobody is stuck right now." in body
    assert "<@U0BOB> · 4/4 passed" in body
    assert buttons(message) == [] and message["text"] == "Room board: 0 stuck of 1"


def test_an_empty_room_says_the_board_fills_in():
    message = board_message([], exercises=4, now=NOW, notifications=False)
    assert "Nobody has checked an exercise or run into trouble yet" in texts(message)
    assert "Room notifications: off" in texts(message)
    assert message["text"] == "Room board: nobody yet"


def test_notifications_line_is_left_out_when_unknown():
    message = board_message([], exercises=4, now=NOW, notifications=None)
    assert "Room notifications" not in texts(message)


def test_a_crowded_room_stays_within_slacks_limits_and_says_how_many_more():
    troubles = {
        f"U{i:04d}X": tuple(trouble(f"U{i:04d}X", f"pod-{j}", ago=1000 - i) for j in range(8))
        for i in range(150)
    }
    passed = {f"U{i:04d}Y": i % 5 for i in range(300)}
    message = board_message(board_rows(troubles, passed), exercises=4, now=NOW)
    blocks = message["blocks"]
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    assert len(buttons(message)) == STUCK_ROWS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
    body = texts(message)
    assert f"… and {150 - STUCK_ROWS} more stuck" in body
    assert f"… and {300 - CLEAR_ROWS} more" in body
    assert f"_+{8 - TROUBLES_PER_ROW} more_" in body
    # The one on top has been stuck longest: U0000X (1000 s).
    assert blocks[1]["text"]["text"].startswith(":rotating_light: <@U0000X>")


def test_hostile_names_and_summaries_are_escaped_once():
    evil = Trouble(
        "U0BOB",
        "ws-u0bob",
        "pods",
        "web",
        "<!channel> CrashLoopBackOff",
        NOW - 300,
        "exit 1: <!here> & <https://evil.example|click> \u202egnp.exe",
    )
    message = seal_message(board_message(board_rows({"U0BOB": (evil,)}, {}), exercises=1, now=NOW))
    body = texts(message)
    assert "<!channel>" not in body and "<!here>" not in body and "<https://evil" not in body
    assert "&lt;!channel&gt; CrashLoopBackOff" in body
    assert (
        "&lt;!here&gt; &amp; &lt;https://evil.example|click&gt; &lt;U+202E&gt;gnp.exe" in body
    )  # bidi made visible
    assert "&amp;amp;" not in body and "&amp;lt;" not in body  # not escaped twice


def test_a_long_summary_is_cut_with_an_ellipsis():
    long = trouble("U0BOB", summary="x" * 5000)
    text = board_message(board_rows({"U0BOB": (long,)}, {}), exercises=1, now=NOW)["blocks"][1]
    assert "x" * 160 + "…" in text["text"]["text"] and "x" * 161 not in text["text"]["text"]


def test_a_name_that_is_not_a_kubernetes_name_gets_no_button():
    odd = trouble("U0BOB", "web -o yaml")
    assert describe_target(odd) is None
    message = board_message(board_rows({"U0BOB": (odd,)}, {}), exercises=1, now=NOW)
    assert buttons(message) == []
    assert "`web -o yaml`" in texts(message)  # still shown, as text


def test_button_values_are_small_and_round_trip():
    target = DescribeTarget("U0BOB", "n" * 63, "pods", "p" * 253)
    value = describe_value(target)
    assert len(value) < MAX_BUTTON_VALUE and parse_describe_value(value) == target


def test_forged_button_values_are_refused():
    good = json.loads(describe_value(DescribeTarget("U0BOB", "ws-u0bob", "pods", "web")))
    forged = [
        None,
        "",
        "not json",
        "[1, 2]",
        json.dumps({**good, "n": "web; rm -rf /"}),
        json.dumps({**good, "n": "web -n kube-system"}),
        json.dumps({**good, "ns": "--all-namespaces"}),
        json.dumps({**good, "k": "secrets"}),
        json.dumps({**good, "u": "<!channel>"}),
        json.dumps({**good, "extra": "x"}),
        json.dumps({**good, "n": 5}),
        json.dumps({**good, "n": "a" * 700}),
    ]
    assert [parse_describe_value(v) for v in forged] == [None] * len(forged)
