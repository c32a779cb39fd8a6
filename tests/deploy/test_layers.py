"""The layers and purity rules of CONTRIBUTING.md, enforced by plain pytest as well as by
`lint-imports` in .ci/run: a broken import contract fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Modules that must stay pure: importing them loads no Kubernetes client, Slack SDK or HTTP stack.
PURE = (
    "bot.kubectl.errors",
    "bot.kubectl.flags",
    "bot.kubectl.grammar",
    "bot.kubectl.policy",
    "bot.kubectl.logs",
    "bot.kubectl.answer",
    "bot.kubectl.printers.registry",
    "bot.kubectl.describe",
    "bot.exercises.checks",
    "bot.slides.deck",
    "bot.slides.render",
    "bot.messages.text",
    "bot.messages.limits",
    "bot.messages.blocks",
)
HEAVY = ("kubernetes", "slack_bolt", "slack_sdk", "aiohttp")


def lint_imports() -> Path:
    # The console script sits next to the interpreter running the tests (the venv's bin/).
    script = Path(sys.executable).parent / "lint-imports"
    assert script.exists(), (
        f"{script} is missing: install the test extra (pip install -e '.[test]')"
    )
    return script


def test_import_contracts_are_kept() -> None:
    done = subprocess.run(
        [str(lint_imports()), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
    for contract in ("Layers:", "Pure modules", "never imports the stand-ins"):
        assert contract in done.stdout, f"contract {contract!r} was not checked:\n{done.stdout}"


def test_pure_modules_load_no_client_at_import() -> None:
    """What import-linter checks statically, checked at run time too: a lazy or indirect import
    (a package __init__ re-exporting the gateway) would show up here."""
    program = (
        "import importlib, json, sys\n"
        f"for name in {PURE!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m for m in sys.modules if m.split('.')[0] in {HEAVY!r}}})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"pure modules loaded: {done.stdout.strip()}"


def test_the_gateway_does_load_the_client() -> None:
    """The check above can fail: the gateway, which talks to the cluster, loads the client."""
    program = "import sys, bot.kubectl.gateway; print('kubernetes' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "True", done.stderr
