"""The demo cluster plus hostile objects, and Podium running against it as a `Room`."""

from tests.harness.room import cluster, room  # noqa: F401 (fixtures)
from tests.harness.standins import emulator, standin  # noqa: F401 (fixtures)
