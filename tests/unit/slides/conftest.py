"""The course deck, loaded once per session."""

from tests.harness.slides import course  # noqa: F401 (fixture)
