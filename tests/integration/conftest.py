"""Fixtures of the in-process tier: the stand-ins, and a gateway that reaches the emulator only
through a kubeconfig."""

from tests.harness.running import gateway  # noqa: F401 (fixture)
from tests.harness.standins import cluster, emulator, standin  # noqa: F401 (fixtures)
