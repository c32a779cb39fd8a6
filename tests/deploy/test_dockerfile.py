"""The image installs the same package the README's `pip install .` does, from one build, runs as
a non-root user the Deployment can verify, and starts what the Procfile starts. (No Docker engine
in CI: these are checks of the Dockerfile's text.)"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.harness.manifests import MANIFESTS, REPO, load_all

LOCK = REPO / "requirements.lock"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]


def stages() -> list[Stage]:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    args: dict[str, str] = {}
    result: list[Stage] = []
    for line in logical.splitlines():
        if not line.strip():
            continue
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "ARG" and not result:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            result.append(
                Stage(base, words[2] if len(words) > 2 and words[1].upper() == "AS" else None)
            )
        else:
            result[-1].instructions.append((keyword, rest))
    return result


def project() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_two_stages_on_a_slim_python_matching_requires_python() -> None:
    build, final = stages()
    assert build.name == "build" and final.name is None
    for stage in (build, final):
        assert re.fullmatch(r"python:3\.11-slim(-\w+)?", stage.base), stage.base
    assert str(project()["requires-python"]) == ">=3.11"


def locked() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {canonical name: (version, hashes)}."""
    logical = re.sub(r"\\\n", " ", LOCK.read_text(encoding="utf-8"))
    pins: dict[str, tuple[str, list[str]]] = {}
    for line in logical.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        assert version, f"not an exact pin: {line}"
        pins[canonicalize_name(name)] = (version, [o.removeprefix("--hash=") for o in options])
    return pins


def test_the_build_stage_builds_the_locked_dependencies_then_the_project_without_resolving() -> (
    None
):
    build, _ = stages()
    copied = [shlex.split(c) for c in build.all("COPY")]
    sources = {src for args in copied for src in args[:-1]}
    # The lock, and what `pip install .` reads: the metadata (readme included) and the package(s).
    assert {LOCK.name, "pyproject.toml", str(project()["readme"]), "bot"} == sources
    [run] = build.all("RUN")
    dependencies, project_itself = (part.strip() for part in run.split("&&"))
    wheels = re.fullmatch(
        r"pip wheel --wheel-dir (\S+) --require-hashes -r requirements\.lock", dependencies
    )
    assert wheels, dependencies
    assert project_itself == f"pip wheel --wheel-dir {wheels.group(1)} --no-deps .", project_itself


def test_the_lock_pins_every_runtime_dependency_within_its_declared_range_with_hashes() -> None:
    pins = locked()
    declared = [Requirement(r) for r in project()["dependencies"]]
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, (
            f"{requirement.name} is not in {LOCK.name}: refresh it (CONTRIBUTING.md)"
        )
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCK.name} pins {name}=={version}, outside pyproject's {requirement}"
        )
    for name, (version, hashes) in pins.items():
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), (
            name,
            version,
        )


def test_the_lock_holds_the_runtime_only_not_the_test_or_lint_tools() -> None:
    pins = locked()
    extras = project()["optional-dependencies"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project()["dependencies"]}
    for extra, requirements in extras.items():
        for requirement in requirements:
            name = canonicalize_name(Requirement(requirement).name)
            assert name in runtime or name not in pins, (
                f"{name} (extra {extra!r}) is in the image's lock"
            )


def test_the_final_stage_installs_that_wheel_only_and_no_other_requirements() -> None:
    _, final = stages()
    [run] = final.all("RUN")
    install = re.search(r"pip install (.*?)(?:&&|$)", run)
    assert install, run
    words = install.group(1).split()
    assert "--no-index" in words and words[-1] == project()["name"], (
        words
    )  # same name the wheel has
    assert "from=build" in run and "/wheels" in run
    assert "-r" not in words and "requirements" not in run
    # No build tools reach the final image, and nothing else is installed beside the project.
    assert not re.search(r"\b(apt-get|apk|gcc|build-essential|make)\b", run)
    # Dependencies are declared in pyproject.toml only; requirements.lock pins them, nothing more.
    assert not list(REPO.glob("requirements*.txt")), "dependencies live in pyproject.toml only"


def test_it_runs_as_a_numeric_non_root_user_the_deployment_matches() -> None:
    _, final = stages()
    [user] = final.all("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit() and int(gid) > 0
    deployment = next(
        d
        for d in load_all((MANIFESTS / "bot" / "base" / "deployment.yaml").read_text())
        if d["kind"] == "Deployment"
    )
    security = deployment["spec"]["template"]["spec"]["securityContext"]
    assert (security["runAsUser"], security["runAsGroup"]) == (int(uid), int(gid))
    # USER comes after every RUN: nothing the user runs has root.
    keywords = [key for key, _ in final.instructions]
    assert keywords.index("USER") > max(i for i, key in enumerate(keywords) if key == "RUN")


def test_default_command_and_port_are_the_procfiles_web_process() -> None:
    _, final = stages()
    procfile = dict(
        line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if ":" in line
    )
    [cmd] = final.all("CMD")
    assert json.loads(cmd) == procfile["web"].split()
    assert final.all("EXPOSE") == ["3000"]
    env = " ".join(final.all("ENV"))
    assert "PORT=3000" in env
    # The worker is the documented alternative command.
    assert procfile["worker"].strip() in (REPO / "Dockerfile").read_text()


def test_state_and_decks_have_their_places_in_the_image() -> None:
    _, final = stages()
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(final.all("ENV"))))
    assert env["PODIUM_STATE"].startswith("/var/lib/podium/")
    assert any("/var/lib/podium" in run and "podium" in run for run in final.all("RUN"))
    [decks] = [shlex.split(c) for c in final.all("COPY") if "slides" in c]
    assert decks[-2:] == ["slides", env["PODIUM_SLIDES"]]


@pytest.mark.parametrize(
    "needed", ["pyproject.toml", "requirements.lock", "README.md", "bot/", "slides/"]
)
def test_dockerignore_lets_through_exactly_what_the_build_copies(needed: str) -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"  # everything else (virtualenvs, *.db, kubeconfigs) stays out
    assert f"!{needed}" in lines
