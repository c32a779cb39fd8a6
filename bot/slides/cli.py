"""`python -m bot slides lint [FILE…]`: check decks against Slack's limits before a workshop.

Wiring (bot/__main__.py): call `add_parser(subparsers)` while building the parser, and
`run(args)` when `args.mode == "slides"`; `run` returns the exit code (0 clean, 1 problems).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.slides.deck import deck_paths, default_slides_folder
from bot.slides.lint import lint_paths


def add_parser(subparsers: Any) -> None:
    """Add `slides` (with its `lint` sub-command) to the parser's sub-commands."""
    slides = subparsers.add_parser("slides", help="course decks: check them against Slack's limits")
    commands = slides.add_subparsers(dest="slides_command", metavar="COMMAND", required=True)
    lint = commands.add_parser(
        "lint",
        help="check decks: Block Kit limits, images, alt text, commands",
        description="Check each deck against Slack's Block Kit limits and Podium's rules; print "
        "each problem with its slide number. Exit code 1 if there are problems.",
    )
    lint.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="decks to check (default: every *.md in slides/ except README.md)",
    )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if getattr(args, "slides_command", None) != "lint":
        print("podium slides: choose a command: lint", file=out)
        return 2
    files: list[Path] = list(args.files) or _default_decks()
    if not files:
        print(f"podium slides lint: no decks found in {default_slides_folder()}", file=out)
        return 1
    problems = lint_paths(files)
    for problem in problems:
        print(problem, file=out)
    decks = "deck" if len(files) == 1 else "decks"
    if problems:
        print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {len(files)} {decks}.",
            file=out,
        )
        return 1
    print(f"{len(files)} {decks} OK: {', '.join(str(f) for f in files)}", file=out)
    return 0


def _default_decks() -> list[Path]:
    folder = default_slides_folder()
    return deck_paths(folder)
