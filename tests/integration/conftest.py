"""Fixtures of the in-process tier: a gateway that reaches the emulator only through a kubeconfig."""

from tests.harness.running import gateway  # noqa: F401 (fixture)
