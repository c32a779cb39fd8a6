"""The real kubectl against a throw-away API that serves Podium's cells as a server-side Table."""

from tests.harness.pods_only_api import kubectl  # noqa: F401 (fixture)
