"""An emulated participant namespace per test, and the exercises as the deck defines them."""

from tests.harness.exercises import cluster, exercises  # noqa: F401 (fixtures)
