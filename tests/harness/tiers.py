"""The test tiers, one folder and one marker each (registered in pyproject.toml; tests/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
TIERS = ("unit", "contract", "integration", "e2e", "hostile", "deploy")


def tier_of(path: Path) -> str:
    """The tier a test file belongs to: the first folder under tests/. A file outside the tiers is
    a mistake (its tests would run in no tier), so it stops the run with where to put it."""
    parts = path.resolve().relative_to(TESTS).parts
    if len(parts) < 2 or parts[0] not in TIERS:
        raise pytest.UsageError(
            f"{path}: a test belongs under one of tests/{{{','.join(TIERS)}}}/ "
            "(see tests/README.md)"
        )
    return parts[0]
