"""A cluster seeded with participants set up for kubectl access, and Podium running against it."""

from tests.harness.access import cluster, room  # noqa: F401 (fixtures)
