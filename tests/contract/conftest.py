"""The demo cluster behind the emulator and the Slack stand-in, for the contract tier."""

from tests.harness.standins import cluster, emulator, standin  # noqa: F401 (fixtures)
