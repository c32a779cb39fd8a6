"""The demo emulator (unstarted, running, threaded), raw HTTP against it and the real kubectl."""

from tests.harness.emulator import demo_emulator, http, kubectl, running_demo, threaded_demo  # noqa: F401 (fixtures)
