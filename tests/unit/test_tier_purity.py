"""The unit tier proves its own purity: the guard in tests/unit/conftest.py is on for every test
here, and no unit test module (nor a harness module it imports) loads the stand-ins. And every
test carries its tier's marker, so `pytest -m unit` runs exactly this tier."""

from __future__ import annotations

import ast
import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.purity import ImpureUnitTest
from tests.harness.tiers import TESTS, TIERS, tier_of

UNIT = TESTS / "unit"
STAND_INS = ("podium_devkit", "podium_devkit")


def test_connecting_listening_and_resolving_are_refused() -> None:
    with socket.socket() as sock:
        with pytest.raises(ImpureUnitTest, match="connect in a unit test"):
            sock.connect(("127.0.0.1", 9))
        with pytest.raises(ImpureUnitTest, match="bind in a unit test"):
            sock.bind(("127.0.0.1", 0))
    with pytest.raises(ImpureUnitTest, match="getaddrinfo"):
        socket.getaddrinfo("example.com", 443)


def test_spawning_a_process_is_refused() -> None:
    with pytest.raises(ImpureUnitTest, match="Popen in a unit test"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)


async def test_the_event_loop_still_works_and_its_subprocesses_are_refused() -> None:
    await asyncio.sleep(0)  # the loop's own socketpair is allowed
    with pytest.raises(ImpureUnitTest):
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def harness_file(module: str) -> Path | None:
    if not module.startswith("tests.harness."):
        return None
    return TESTS / "harness" / f"{module.removeprefix('tests.harness.').replace('.', '/')}.py"


def stand_in_imports(path: Path) -> list[str]:
    """Stand-in modules `path` imports, directly or through the harness modules it imports."""
    found: list[str] = []
    seen: set[Path] = set()
    pending = [path]
    while pending:
        current = pending.pop()
        if current in seen or not current.is_file():
            continue
        seen.add(current)
        for module in imported_modules(current):
            if module.startswith(STAND_INS):
                where = (
                    current.relative_to(TESTS) if current.is_relative_to(TESTS) else current.name
                )
                found.append(f"{where}: {module}")
            if (harness := harness_file(module)) is not None:
                pending.append(harness)
    return found


def test_no_unit_test_loads_the_stand_ins() -> None:
    offenders = [line for path in sorted(UNIT.rglob("*.py")) for line in stand_in_imports(path)]
    assert offenders == [], "unit tests test bot/ alone; stand-in tests go to tests/contract/devkit"


def test_the_stand_in_check_sees_through_the_harness(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text("import json\nfrom tests.harness.standins import standin\n", encoding="utf-8")
    found = stand_in_imports(probe)
    assert found and all(line.startswith("harness/standins.py: ") for line in found), found
    probe.write_text("from tests.harness.clock import ManualClock\n", encoding="utf-8")
    assert stand_in_imports(probe) == []


def test_every_test_is_marked_with_the_tier_of_its_folder(request: pytest.FixtureRequest) -> None:
    marked = {name for name in TIERS if request.node.get_closest_marker(name)}
    assert marked == {"unit"}
    assert tier_of(TESTS / "contract" / "kubectl" / "test_x.py") == "contract"
    assert tier_of(TESTS / "hostile" / "test_x.py") == "hostile"


@pytest.mark.parametrize("where", ["test_x.py", "devkit/test_x.py", "kubectl/test_x.py"])
def test_a_test_outside_the_tiers_stops_the_run(where: str) -> None:
    with pytest.raises(pytest.UsageError, match="a test belongs under one of tests/"):
        tier_of(TESTS / where)
