"""The stand-ins are not the product: the product wheel carries no stand-in code and no key, and
the two wheels installed as files (not editable, outside the checkout) still run the console.

Both wheels are built from copies of the sources in a temp dir (so parallel workers never share a
``build/`` folder) without build isolation (offline: setuptools and wheel come from the test extra).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.__main__ import devkit_missing

REPO = Path(__file__).resolve().parents[3]
DEVKIT = REPO / "devkit"
PACKAGED_FOLDERS = ("demo", "podium", "sandbox")  # what the console's demo cluster applies
SOURCE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
# The armour line of a PEM key (BEGIN, a space, maybe "EC " or "RSA ", then PRIVATE KEY); the
# pattern redact.py uses to find keys in output has no space after BEGIN, so it is not one.
KEY_ARMOUR = re.compile(
    rb"BEGIN .*"
    rb"PRIVATE KEY"
)  # two lines: so that a grep for it finds no key here


@dataclass(frozen=True)
class Wheels:
    product: Path
    devkit: Path


def _build(source: Path, out: Path) -> Path:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [wheel] = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Wheels:
    root = tmp_path_factory.mktemp("wheels")
    product_src = root / "product-src"
    product_src.mkdir()
    # Exactly what the Dockerfile's build stage copies: the metadata and the package.
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, product_src / name)
    shutil.copytree(REPO / "bot", product_src / "bot", ignore=SOURCE_IGNORE)
    devkit_src = root / "devkit-src"
    shutil.copytree(DEVKIT, devkit_src, ignore=SOURCE_IGNORE)
    return Wheels(
        product=_build(product_src, root / "product"), devkit=_build(devkit_src, root / "devkit")
    )


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_product_wheel_has_no_stand_ins_and_no_private_key(wheels: Wheels) -> None:
    members = _members(wheels.product)
    assert "bot/__main__.py" in members and "bot/app.py" in members  # it is the product
    assert not [name for name in members if "devkit" in name.lower()]
    assert not [name for name, data in members.items() if KEY_ARMOUR.search(data)]
    assert not [name for name in members if name.startswith("manifests/")]


def test_the_devkit_wheel_has_the_stand_ins_and_the_demo_but_no_key(wheels: Wheels) -> None:
    members = _members(wheels.devkit)
    assert {
        "podium_devkit/console.py",
        "podium_devkit/kube_api.py",
        "podium_devkit/slack_api.py",
        "podium_devkit/manifests/demo/nginx-deployment.yaml",
        "podium_devkit/manifests/sandbox/rolebinding.yaml",
    } <= set(members)
    assert not [name for name in members if name.startswith("bot/")]
    assert not [name for name, data in members.items() if KEY_ARMOUR.search(data)]


def test_the_packaged_demo_manifests_are_the_repository_s_byte_for_byte() -> None:
    # The repository's manifests/ are what instructors apply; the devkit's copies must not drift.
    for folder in PACKAGED_FOLDERS:
        repo_files = {p.name: p.read_bytes() for p in (REPO / "manifests" / folder).glob("*.yaml")}
        packaged = {
            p.name: p.read_bytes()
            for p in (DEVKIT / "podium_devkit" / "manifests" / folder).glob("*.yaml")
        }
        assert repo_files, folder
        assert packaged == repo_files, (
            f"devkit/podium_devkit/manifests/{folder} differs from manifests/{folder}"
        )


def test_no_private_key_in_the_sources() -> None:
    # Keys are made at start-up; only tests that generate or redact one may spell the armour.
    sources = [
        p
        for folder in (REPO / "bot", DEVKIT)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)
    ]
    assert len(sources) > 50
    assert not [str(p) for p in sources if KEY_ARMOUR.search(p.read_bytes())]


def _isolated_env(target: Path) -> Mapping[str, str]:
    """No Slack or cluster settings (so the console starts), the installed files first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "PODIUM_", "KUBECONFIG", "PYTHON"))
    }
    return {**env, "PYTHONPATH": str(target), "PYTHONNOUSERSITE": "1"}


def test_installed_wheels_run_the_console_outside_the_checkout(
    wheels: Wheels, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            "--target",
            str(target),
            str(wheels.product),
            str(wheels.devkit),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _isolated_env(target)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bot, podium_devkit; print(bot.__file__); print(podium_devkit.__file__)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert where.returncode == 0, where.stderr
    assert [Path(line).is_relative_to(target) for line in where.stdout.split()] == [True, True], (
        where.stdout
    )
    console = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="/kubectl get pods\n",
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert console.returncode == 0, console.stdout + console.stderr
    assert "Traceback" not in console.stderr, console.stderr
    lines = console.stdout.splitlines()
    assert any(line.split()[:3] == ["NAME", "READY", "STATUS"] for line in lines if line.strip()), (
        console.stdout
    )
    pods = [line.split() for line in lines if line.startswith("nginx-")]
    assert len(pods) == 3 and all(pod[1:3] == ["1/1", "Running"] for pod in pods), console.stdout


BLOCK_DEVKIT = """
import runpy, sys
class Hide:
    # As if podium-devkit were not installed: its import fails the way a missing package does.
    def find_spec(self, name, path=None, target=None):
        if name == "podium_devkit" or name.startswith("podium_devkit."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
sys.argv = ["podium", "console"]
runpy.run_module("bot", run_name="__main__")
"""


def test_the_console_without_the_devkit_says_how_to_install_it(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBECONFIG"))
    }
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_DEVKIT],
        input="/kubectl get pods\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("podium: the console needs the stand-ins (podium-devkit)"), line
    assert "pip install -e ./devkit" in line
    assert "podium>" not in result.stdout  # the console never started


def test_a_devkit_dependency_missing_is_named_with_the_same_fix() -> None:
    text = devkit_missing(
        ModuleNotFoundError("No module named 'cryptography'", name="cryptography")
    )
    assert text.startswith("the console needs cryptography, which podium-devkit depends on")
    assert "pip install -e ./devkit" in text
    own = devkit_missing(
        ModuleNotFoundError("No module named 'podium_devkit.console'", name="podium_devkit.console")
    )
    assert "podium-devkit), which are not installed" in own


def _imported_modules(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, id(node) in top))
    return found


def test_the_product_imports_the_devkit_only_lazily_for_the_console() -> None:
    uses = {
        str(p.relative_to(REPO)): [
            (m, top) for m, top in _imported_modules(p) if m.split(".")[0] == "podium_devkit"
        ]
        for p in (REPO / "bot").rglob("*.py")
    }
    assert {path: found for path, found in uses.items() if found} == {
        "bot/__main__.py": [("podium_devkit.console", False)]
    }
