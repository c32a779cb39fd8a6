"""Cluster data that tries to ping the room (`<!channel>`, `<!here>`, `<@U…>`, links, markup, a
50,000-character line) reaches Slack escaped and within Block Kit's limits, on every output path:
the slash answer, Share in channel, the @mention thread, the DM, Run in sandbox on a slide."""

from __future__ import annotations

from bot.kubectl.redact import MAX_LINE_CHARS
from bot.slack.output import SHARE_ACTION
from bot.slides.render import RUN_ACTION
from tests.harness.room import (
    CHANNEL,
    TEACHER,
    Room,
    block_kit_problems,
    raw_pings,
    text_of,
    visible_text,
)

# Every command whose output carries the hostile data somewhere.
HOSTILE_COMMANDS = (
    "get pods --show-labels",
    "get pod web-1 -o yaml",
    "get pod web-1 -o json",
    "get cm settings -o yaml",
    "get configmaps -o json",
    "get events",
    "get events -o wide",
    "describe pod web-1",
    "describe cm settings",
    "describe deploy nginx",
    "logs web-1",
    "logs web-1 --tail 1000 --timestamps",
)


def assert_every_message_is_safe(room: Room) -> None:
    outgoing = room.outgoing()
    assert outgoing, "Podium sent nothing at all"
    for where, message in outgoing:
        assert raw_pings(message) == [], (where, raw_pings(message), text_of(message)[:300])
        assert block_kit_problems(message) == [], (where, block_kit_problems(message))
    refused = [
        (c.method, c.response)
        for c in room.standin.calls()
        if not c.fault and not c.ok and c.method.startswith(("chat.", "files.", "views."))
    ]
    assert refused == []  # Slack accepted every message Podium sent
    rejected = [
        (url, p.error)
        for url in room.response_urls
        for p in room.standin.responses(url)
        if p.status != 200
    ]
    assert rejected == []


def escaped_ping_seen(message: dict) -> bool:
    return "&lt;!channel&gt;" in visible_text(message) or "&lt;!here&gt;" in visible_text(message)


async def test_slash_answers_escape_everything_and_fit_slack(room: Room):
    for text in HOSTILE_COMMANDS:
        answer = await room.ask(text)
        assert answer["blocks"], text
    carried = [m for _, m in room.outgoing() if escaped_ping_seen(m)]
    assert len(carried) >= len(HOSTILE_COMMANDS) // 2  # the data did reach Slack, escaped
    assert_every_message_is_safe(room)


async def test_a_50000_character_line_is_cut_to_fit_and_the_rest_goes_to_a_snippet(room: Room):
    answer = await room.ask("get cm settings -o json")
    sections = [b for b in answer["blocks"] if b["type"] == "section"]
    assert sections and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert "not shown here" in text_of(answer)
    await room.standin.wait_for_call("files.completeUploadExternal", timeout=10)
    [snippet] = [f for f in room.standin.files() if f.filename.endswith(".txt")]
    # The snippet carries the line up to the documented cap, and says where it was cut.
    assert "A" * MAX_LINE_CHARS in snippet.text and "A" * (MAX_LINE_CHARS + 1) not in snippet.text
    assert f"[line cut at {MAX_LINE_CHARS} characters]" in snippet.text
    assert_every_message_is_safe(room)


async def test_share_in_channel_posts_escaped_output(room: Room):
    for text in ("describe pod web-1", "get pods --show-labels", "logs web-1"):
        answer = await room.ask(text)
        [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert button["action_id"] == SHARE_ACTION
        before = len(room.standin.calls("chat.postMessage"))
        await room.press(SHARE_ACTION, button["value"])
        await room.standin.wait_for_call(
            "chat.postMessage",
            timeout=10,
            predicate=lambda c, before=before: (
                c.args.get("channel") == CHANNEL
                and len(room.standin.calls("chat.postMessage")) > before
            ),
        )
    shared = [m for m in room.standin.messages(CHANNEL) if m.get("bot_id") and not m.get("upload")]
    assert len(shared) == 3 and all(escaped_ping_seen(m) for m in shared[:2])
    assert_every_message_is_safe(room)


async def test_mention_and_dm_answers_escape_everything(room: Room):
    for text in ("describe pod web-1", "logs web-1", "get cm settings -o yaml"):
        asked = await room.mention(text)
        [answer] = room.thread_answers(CHANNEL, asked["ts"])
        assert escaped_ping_seen(answer), text
    for text in ("get pods --show-labels", "describe cm settings", "get events"):
        asked = await room.direct(text)
        [answer] = room.dm_answers_after(asked["channel"], asked["ts"])
        assert "ran `kubectl" in text_of(answer), text
    assert_every_message_is_safe(room)


async def test_run_in_sandbox_on_a_slide_escapes_the_events(room: Room):
    await room.ask("start", command="/slides", user=TEACHER)
    await room.ask("goto 33", command="/slides", user=TEACHER)  # describe deployment nginx
    live = [
        m
        for m in room.standin.messages(CHANNEL)
        if any(b["type"] == "header" for b in m.get("blocks", []))
    ][-1]
    run = next(
        e
        for b in live["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if str(e.get("action_id", "")).startswith(RUN_ACTION) and "describe" in e.get("value", "")
    )
    sent = await room.press(run["action_id"], run["value"], user="U0ALICE", message_ts=live["ts"])
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), count=1, timeout=10)
    assert "Hostile" in text_of(answer) and escaped_ping_seen(answer)
    assert_every_message_is_safe(room)
