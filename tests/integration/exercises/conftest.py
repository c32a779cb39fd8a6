"""An emulated participant namespace per test, and the exercises as the deck defines them."""

from tests.harness.exercises import cluster  # noqa: F401 (fixture)
from tests.harness.slides import exercises  # noqa: F401 (fixture)
