"""Every test gets the marker of its tier from the folder it lives in (tests/README.md), so
`pytest -m unit` runs the fast tier alone. The stand-ins' fixtures live in tests/harness/standins.py
and are declared by the tiers that use them: the unit tier does not even import them."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "contract", "integration", "e2e", "hostile", "deploy")


def tier_of(path: Path) -> str:
    """The tier a test file belongs to: the first folder under tests/. A file outside the tiers is
    a mistake (its test would run in no tier), so it stops the run with where to put it."""
    parts = path.resolve().relative_to(TESTS).parts
    if len(parts) < 2 or parts[0] not in TIERS:
        raise pytest.UsageError(f"{path}: a test belongs under one of tests/{{{','.join(TIERS)}}}/ "
                                "(see tests/README.md)")
    return parts[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, tier_of(item.path)))
