"""The demo cluster behind the emulator and the Slack stand-in, for the deployment tests that apply
manifests or run `python -m bot participants` against them."""

from tests.harness.standins import cluster, emulator, standin  # noqa: F401 (fixtures)
