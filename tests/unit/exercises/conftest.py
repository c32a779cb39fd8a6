"""The exercises as the deck defines them (read from slides/exercises, no cluster)."""

from tests.harness.exercises import exercises  # noqa: F401 (fixture)
