"""Podium running in-process against the Slack stand-in and the demo cluster."""

from tests.harness.conversation import podium  # noqa: F401 (fixture)
