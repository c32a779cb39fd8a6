"""Every test gets the marker of its tier from the folder it lives in (tests/README.md), so
`pytest -m unit` runs the fast tier alone. The stand-ins' fixtures live in tests/harness/standins.py
and are declared by the tiers that use them: the unit tier does not even import them."""

from __future__ import annotations

import pytest

from tests.harness.tiers import tier_of


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, tier_of(item.path)))
