"""Podium as a real process (`python -m bot serve`) against the stand-ins."""

from tests.harness.process import http_podium, kubeconfig, sender  # noqa: F401 (fixtures)
from tests.harness.standins import cluster, emulator, standin  # noqa: F401 (fixtures)
