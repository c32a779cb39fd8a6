"""What keeps the unit tier pure: connecting, listening, resolving names and spawning programs
raise `ImpureUnitTest` after `switch_off` (tests/unit/conftest.py turns it on for every
unit test)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable
from typing import NoReturn

import pytest

# socket.socket itself stays: the asyncio event loop makes a socketpair to wake itself.
BLOCKED: tuple[tuple[object, str], ...] = (
    (socket.socket, "connect"),
    (socket.socket, "connect_ex"),
    (socket.socket, "bind"),
    (socket, "create_connection"),
    (socket, "getaddrinfo"),
    (subprocess, "Popen"),
    (os, "system"),
    (os, "fork"),
    (os, "posix_spawn"),
    (os, "posix_spawnp"),
)


class ImpureUnitTest(AssertionError):
    """A unit test reached the network or spawned a process."""


def _refuse(what: str) -> Callable[..., NoReturn]:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise ImpureUnitTest(
            f"{what} in a unit test: move the test to tests/contract, "
            "tests/integration or tests/e2e (tests/README.md)"
        )

    return refuse


def switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until `monkeypatch` undoes it at the end of the test."""
    for owner, name in BLOCKED:
        monkeypatch.setattr(owner, name, _refuse(f"{getattr(owner, '__name__', owner)}.{name}"))
