"""The unit tier is pure: every test here runs with sockets and processes switched off, so a test
that reaches the network or spawns a program fails and belongs in another tier (tests/README.md)."""

from __future__ import annotations

import pytest

from tests.harness.purity import switch_off


@pytest.fixture(autouse=True)
def pure(monkeypatch: pytest.MonkeyPatch) -> None:
    switch_off(monkeypatch)
