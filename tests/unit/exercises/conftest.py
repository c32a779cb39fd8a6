"""The exercises as the deck defines them (read from slides/exercises, no cluster)."""

from tests.harness.slides import exercises  # noqa: F401 (fixture)
