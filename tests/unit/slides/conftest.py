"""The course deck, loaded once per session, and a presentation store in a temp file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import open_database
from bot.store.presentations import PresentationStore
from tests.harness.slides import course  # noqa: F401 (fixture)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[PresentationStore]:
    database = await open_database(tmp_path / "state.db")
    yield PresentationStore(database)
    await database.close()
