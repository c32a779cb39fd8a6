"""The instructor's room board, as data and as a Slack message. Pure: no I/O.

One row per participant Podium knows of (from what is failing in their namespace now and from
the exercises they checked), the people stuck longest first, each stuck row with a Describe
button that opens their failing pod for the instructor. The message stays within Block Kit's
limits however many people are in the room: at most `STUCK_ROWS` stuck rows (one section each),
the rest as "… and N more", and everyone else on one line each in one section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages.blocks import button, context, section
from bot.messages.limits import MAX_SECTION_TEXT, fit_text
from bot.messages.text import Mrkdwn, inline_code, join, mrkdwn
from bot.notify.model import Trouble

DESCRIBE_ACTION = "room_board_describe"
# Stuck people shown with their own section and button (one block each); the board's other
# blocks are a handful, so the message stays far below Slack's 50.
STUCK_ROWS = 20
# Troubles shown per stuck person (their oldest first); more say "+N more".
TROUBLES_PER_ROW = 3
# People who are not stuck, on one line each in one section (3,000 characters at most).
CLEAR_ROWS = 60
SUMMARY_CHARS = 160  # a trouble's one-line summary, as the cluster worded it
REASON_CHARS = 60
# What a Describe button may name: Kubernetes names (DNS-1123), checked again when pressed.
_DNS_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_USER_ID = re.compile(r"[A-Z0-9]{2,32}")
_DESCRIBED_KINDS = {"pods": "pod", "jobs": "job"}


@dataclass(frozen=True)
class BoardRow:
    """One participant: how many exercises they passed and what is failing for them now."""

    user_id: str
    passed: int
    troubles: tuple[Trouble, ...]  # oldest first

    @property
    def stuck_since(self) -> float | None:
        return self.troubles[0].since if self.troubles else None


def board_rows(
    troubles: Mapping[str, Sequence[Trouble]], passed: Mapping[str, int]
) -> list[BoardRow]:
    """Everyone in either mapping; stuck people first, the one stuck longest on top; then the
    others, fewest exercises passed first (they may need a look too). Ties by user ID, so the
    order is stable between updates."""
    people = set(troubles) | set(passed)
    rows = [
        BoardRow(
            user,
            passed.get(user, 0),
            tuple(sorted(troubles.get(user, ()), key=lambda t: (t.since, t.namespace, t.name))),
        )
        for user in people
    ]
    stuck = sorted((r for r in rows if r.troubles), key=lambda r: (r.stuck_since or 0.0, r.user_id))
    clear = sorted((r for r in rows if not r.troubles), key=lambda r: (r.passed, r.user_id))
    return stuck + clear


def stuck_for(seconds: float) -> str:
    """`stuck 4m`: minutes are what an instructor acts on, and a board that changes at most once
    a minute on its own costs Slack little."""
    minutes = int(max(seconds, 0.0) // 60)
    if minutes < 1:
        return "stuck <1m"
    if minutes < 60:
        return f"stuck {minutes}m"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"stuck {hours}h{rest}m" if rest else f"stuck {hours}h"
    return f"stuck {hours // 24}d{hours % 24}h" if hours % 24 else f"stuck {hours // 24}d"


@dataclass(frozen=True)
class DescribeTarget:
    """What a Describe button asks for: `kubectl describe KIND NAME -n NAMESPACE`."""

    user_id: str  # whose namespace, for the answer's wording and the audit
    namespace: str
    kind: str  # "pods" or "jobs"
    name: str

    @property
    def command(self) -> str:
        return f"describe {_DESCRIBED_KINDS[self.kind]} {self.name} -n {self.namespace}"


def describe_target(trouble: Trouble) -> DescribeTarget | None:
    """The object a Describe button opens for this trouble; None when it is not one kubectl's
    describe names safely (an odd kind, a name that is not a Kubernetes name)."""
    target = DescribeTarget(trouble.user_id, trouble.namespace, trouble.kind, trouble.name)
    return target if _valid(target) else None


def describe_value(target: DescribeTarget) -> str:
    return json.dumps(
        {"u": target.user_id, "ns": target.namespace, "k": target.kind, "n": target.name},
        separators=(",", ":"),
    )


def parse_describe_value(value: str | None) -> DescribeTarget | None:
    """The button's value back, or None for anything Podium would not have made. The value is
    not trusted for access: the presser's own policy decides what they may describe."""
    if not value or len(value) > 600:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"u", "ns", "k", "n"}:
        return None
    if not all(isinstance(v, str) for v in data.values()):
        return None
    target = DescribeTarget(data["u"], data["ns"], data["k"], data["n"])
    return target if _valid(target) else None


def _valid(target: DescribeTarget) -> bool:
    return (
        target.kind in _DESCRIBED_KINDS
        and _USER_ID.fullmatch(target.user_id) is not None
        and _NAMESPACE.fullmatch(target.namespace) is not None
        and _DNS_NAME.fullmatch(target.name) is not None
    )


def _trouble_line(trouble: Trouble) -> Mrkdwn:
    kind = _DESCRIBED_KINDS.get(trouble.kind, trouble.kind[:20])
    summary = trouble.summary[:SUMMARY_CHARS] + (
        "…" if len(trouble.summary) > SUMMARY_CHARS else ""
    )
    return mrkdwn(
        "{} {} *{}*{}",
        kind,
        inline_code(trouble.name[:253]),
        trouble.reason[:REASON_CHARS],
        mrkdwn(": {}", summary) if summary else "",
    )


def _passed(passed: int, exercises: int) -> str:
    return f"{passed}/{exercises} passed" if exercises else f"{passed} passed"


def _stuck_block(row: BoardRow, exercises: int, now: float) -> dict[str, Any]:
    shown = row.troubles[:TROUBLES_PER_ROW]
    lines = [_trouble_line(t) for t in shown]
    if len(row.troubles) > len(shown):
        lines.append(mrkdwn("_+{} more_", len(row.troubles) - len(shown)))
    text = mrkdwn(
        ":rotating_light: <@{}> · {} · *{}*\n{}",
        row.user_id,
        _passed(row.passed, exercises),
        stuck_for(now - (row.stuck_since or now)),
        join("\n", lines),
    )
    block = section(fit_text(text, MAX_SECTION_TEXT))
    target = next((t for t in map(describe_target, row.troubles) if t is not None), None)
    if target is not None:
        block["accessory"] = button("Describe", DESCRIBE_ACTION, describe_value(target))
    return block


def board_message(
    rows: Sequence[BoardRow],
    *,
    exercises: int,
    now: float,
    notifications: bool | None = None,
) -> dict[str, Any]:
    """The board as a chat message (`text` and `blocks`): values escaped here, once."""
    stuck = [r for r in rows if r.troubles]
    clear = [r for r in rows if not r.troubles]
    people = len(rows)
    headline = (
        mrkdwn(
            "*Room board* · {} participant{} · {} stuck",
            people,
            "" if people == 1 else "s",
            len(stuck),
        )
        if people
        else mrkdwn("*Room board*")
    )
    blocks: list[dict[str, Any]] = [section(headline)]
    if not people:
        blocks.append(
            section(
                mrkdwn(
                    "Nobody has checked an exercise or run into trouble yet: the board fills in "
                    "as people work."
                )
            )
        )
    elif not stuck:
        blocks.append(section(mrkdwn(":white_check_mark: All clear: nobody is stuck right now.")))
    for row in stuck[:STUCK_ROWS]:
        blocks.append(_stuck_block(row, exercises, now))
    if len(stuck) > STUCK_ROWS:
        blocks.append(
            context(
                mrkdwn(
                    "… and {} more stuck (shorter than the ones above).", len(stuck) - STUCK_ROWS
                )
            )
        )
    if clear:
        blocks.append(section(_clear_text(clear, exercises)))
    blocks.append(context(_footer(notifications)))
    text = (
        mrkdwn("Room board: {} stuck of {}", len(stuck), people)
        if people
        else mrkdwn("Room board: nobody yet")
    )
    return {"text": text, "blocks": blocks}


def _clear_text(clear: Sequence[BoardRow], exercises: int) -> Mrkdwn:
    lines: list[Mrkdwn] = [
        mrkdwn("<@{}> · {}", row.user_id, _passed(row.passed, exercises))
        for row in clear[:CLEAR_ROWS]
    ]
    if len(clear) > CLEAR_ROWS:
        lines.append(mrkdwn("… and {} more", len(clear) - CLEAR_ROWS))
    return fit_text(
        mrkdwn(":large_green_circle: *Not stuck*\n{}", join("\n", lines)), MAX_SECTION_TEXT
    )


def _footer(notifications: bool | None) -> Mrkdwn:
    parts: Iterable[Mrkdwn] = (
        *(
            [mrkdwn("Room notifications: {}", "on" if notifications else "off")]
            if notifications is not None
            else []
        ),
        mrkdwn("*Describe* opens that person's failing pod for you"),
        mrkdwn("`/workshop board` brings this board to the bottom of the DM"),
    )
    return join(" · ", parts)
