"""The demo emulator (unstarted, running, threaded), raw HTTP against it and the real kubectl."""

from tests.harness.emulator import (  # noqa: F401 (fixtures)
    demo_emulator,
    http,
    kubectl,
    running_demo,
    threaded_demo,
)
