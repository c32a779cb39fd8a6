"""`python -m bot audit`: who ran what, where, and how it ended, from the state database."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

from bot.messages.text import neutralise
from bot.settings import SettingsError, load_settings
from bot.store import open_database
from bot.store.audit import AuditEntry, AuditLog


def add_parser(subparsers: Any) -> None:
    audit = subparsers.add_parser(
        "audit", help="show the audit log of commands (from PODIUM_STATE)"
    )
    audit.add_argument(
        "--limit", type=int, default=50, help="how many of the latest entries (default 50)"
    )
    audit.add_argument("--user", help="only this Slack user ID")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"podium: {error}", file=sys.stderr)
        return 2
    if not settings.state_file.exists():
        print(
            f"podium audit: no state database at {settings.state_file} (set PODIUM_STATE)",
            file=sys.stderr,
        )
        return 1
    entries = asyncio.run(_read(str(settings.state_file), args.limit, args.user))
    for entry in entries:
        print(json.dumps(entry.__dict__) if args.json else format_entry(entry))
    if not entries and not args.json:
        print("No commands recorded yet.")
    return 0


def format_entry(entry: AuditEntry) -> str:
    """One line per command. What people typed is shown, never obeyed by the terminal: ESC (ANSI
    sequences), NUL and bidi overrides made visible, newlines and tabs as `\\n` and `\\t` so one
    entry cannot pass for two. (`--json` escapes them as JSON does.)"""
    when = datetime.fromtimestamp(entry.at, UTC).strftime("%Y-%m-%d %H:%M:%S")
    ran = entry.command_line or entry.text
    return (
        f"{when}Z  {_one_line(entry.user_id or '-'):12} {_one_line(entry.channel_id or '-'):12} "
        f"{_one_line(entry.source):8} {_one_line(entry.outcome):12} {entry.millis:>6}ms  {_one_line(ran)}"
    )


def _one_line(text: str) -> str:
    return neutralise(text).replace("\n", "\\n").replace("\t", "\\t")


async def _read(path: str, limit: int, user: str | None) -> list[AuditEntry]:
    db = await open_database(path)
    try:
        return await AuditLog(db).recent(limit=limit, user_id=user)
    finally:
        await db.close()
