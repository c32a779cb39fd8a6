"""`/workshop board` in the console: the console's person (U0ALICE, a participant) is told in one
line who sees the board; a console started with them as the instructor shows the board posted
in the DM with Podium and where it is."""

from __future__ import annotations

from bot.notify.room_board import ONLY_INSTRUCTORS
from podium_devkit.console import CONSOLE_USER
from tests.harness.process import console_session

IN_DM = "── posted in your DM with Podium ──"


async def test_the_console_user_is_told_who_sees_the_board():
    async with console_session() as console:
        out, err = await console.type(b"/workshop board\n")
    assert console.process.returncode == 0, err
    answer = out.split("podium> /workshop board\n", 1)[1]
    assert answer.splitlines()[0] == ONLY_INSTRUCTORS
    assert IN_DM not in out and "Traceback" not in err


async def test_an_instructors_console_shows_the_board_in_the_dm():
    async with console_session(PODIUM_INSTRUCTORS=CONSOLE_USER) as console:
        out, err = await console.type(b"/workshop board\n")
    assert console.process.returncode == 0, err
    answer = out.split("podium> /workshop board\n", 1)[1]
    board = answer.split(IN_DM, 1)[1]
    assert "*Room board*" in board and "the board fills in as people work" in board
    assert "The room board is <https://" in board and "|in your DM with Podium>" in board
