"""Exercises as data: `slides/exercises/NN-key.yaml`, loaded and validated strictly.

Every field is checked for type and meaning, unknown keys and duplicate keys are errors, and the
first problem stops loading with an ExerciseError naming the file and the field (`checks[2].field.value`).
The number and key come from the file name, so a file and the deck's `<!-- exercise: N -->` agree
by construction. What the participant reads is that slide, and only that slide (`/exercise show`
renders it): a file holds no instructions of its own that could drift from it. The format is
described in slides/exercises/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from bot.exercises.checks import (
    KINDS,
    Check,
    Comparison,
    Contains,
    CountIs,
    DeploymentAvailable,
    EndpointsCount,
    Equals,
    Exists,
    FieldCondition,
    FieldPath,
    FieldTest,
    JobComplete,
    LogsContain,
    NumberIs,
    PodReady,
    Selector,
    ServiceSelects,
    StartsWith,
    parse_comparison,
    parse_path,
)

FILE_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")
# DNS-1123 subdomain: what Kubernetes allows as an object name.
_OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
MAX_TITLE = 150
MAX_TEXT = 200  # startswith / contains / logs text


class ExerciseError(Exception):
    """A malformed exercise file: `str()` is one line naming the file, the field and the fix."""

    def __init__(self, file: str | Path, field: str, message: str) -> None:
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{self.file}: {field}: {message}" if field else f"{self.file}: {message}")


@dataclass(frozen=True)
class Solution:
    path: str  # relative to the repository root, e.g. manifests/exercises/02-deployment/
    summary: str
    # What the participant runs, last: their own kubectl in their own namespace, on the files
    # shown with the solution (by file name: they save them; no repository path).
    run: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exercise:
    number: int
    key: str
    title: str  # the deck's slide title without "Exercise N: "
    hints: list[str]
    solution: Solution
    checks: list[Check]


def load_exercises(folder: str | Path) -> list[Exercise]:
    """Every `NN-key.yaml` in `folder`, by number. Other `*.yaml` names are errors (a typo would
    otherwise hide an exercise); non-YAML files such as README.md are ignored."""
    exercises: list[Exercise] = []
    seen: dict[int, Path] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        exercise = load_exercise(path)
        if exercise.number in seen:
            raise ExerciseError(
                path,
                "",
                f"exercise {exercise.number} is also defined by {seen[exercise.number].name}",
            )
        seen[exercise.number] = path
        exercises.append(exercise)
    return sorted(exercises, key=lambda e: e.number)


def load_exercise(path: str | Path) -> Exercise:
    path = Path(path)
    match = FILE_NAME.match(path.name)
    if not match or int(match.group(1)) == 0:
        raise ExerciseError(
            path, "", "the file name must be NN-key.yaml, e.g. 02-deployment.yaml (NN from 01)"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseError(path, "", f"cannot be read ({exc})") from None
    return parse_exercise(text, path, number=int(match.group(1)), key=match.group(2))


def parse_exercise(text: str, file: str | Path, *, number: int, key: str) -> Exercise:
    try:
        raw = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise ExerciseError(file, "", f"is not valid YAML ({_yaml_problem(exc)})") from None
    doc = _Fields(raw, "", file)
    title = doc.text("title", limit=MAX_TITLE)
    if "instructions" in doc.raw:
        # One source: the slide is what the room sees and what `/exercise show` sends.
        doc.fail(
            "instructions",
            f"the instructions are the deck's `<!-- exercise: {number} -->` slide; "
            "write them there and remove this field",
        )
    hints = doc.text_list("hints", required=False)
    solution_fields = doc.mapping("solution")
    solution = Solution(
        _solution_path(solution_fields),
        solution_fields.text("summary", limit=None),
        _solution_run(solution_fields),
    )
    solution_fields.done()
    raw_checks = doc.value("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise ExerciseError(file, "checks", "must be a non-empty list of checks")
    checks = [_parse_check(item, f"checks[{i}]", file) for i, item in enumerate(raw_checks)]
    doc.done()
    return Exercise(number, key, title, hints, solution, checks)


# ----------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------


def _parse_check(raw: Any, where: str, file: str | Path) -> Check:
    if not isinstance(raw, dict):
        raise ExerciseError(file, where, "must be a mapping like {exists: {kind: pod, name: web}}")
    kinds = [k for k in raw if k != "description"]
    if len(kinds) != 1 or kinds[0] not in _PARSERS:
        found = ", ".join(map(str, kinds)) or "none"
        raise ExerciseError(
            file,
            where,
            f"needs exactly one check kind out of {', '.join(_PARSERS)} "
            f"(and optionally description); found {found}",
        )
    kind = kinds[0]
    description = None
    if "description" in raw:
        description = _Fields(raw, where, file).text("description", limit=MAX_TITLE)
    args = _Fields(raw[kind], f"{where}.{kind}", file)
    check = _PARSERS[kind](args, description)
    args.done()
    return check


def _exists(args: _Fields, description: str | None) -> Check:
    kind = args.kind()
    name, selector = args.name_or_selector()
    count = args.comparison("count", required=False)
    if count is not None and name:
        args.fail("count", "only goes with selector (a name matches one object at most)")
    return Exists(kind, name, selector, count, description)


_FIELD_TESTS: Mapping[str, Callable[[_Fields, str], FieldTest]] = MappingProxyType(
    {
        "value": lambda f, k: NumberIs(f.required_comparison(k)),
        "count": lambda f, k: CountIs(f.required_comparison(k)),
        "equals": lambda f, k: Equals(f.scalar(k)),
        "startswith": lambda f, k: StartsWith(f.text(k, limit=MAX_TEXT)),
        "contains": lambda f, k: Contains(f.text(k, limit=MAX_TEXT)),
    }
)


def _field(args: _Fields, description: str | None) -> Check:
    kind = args.kind()
    name = args.object_name("name")
    path = args.path("path")
    tests = [key for key in _FIELD_TESTS if key in args.raw]
    if len(tests) != 1:
        args.fail(
            "",
            f"needs exactly one test out of {', '.join(_FIELD_TESTS)}; found {', '.join(tests) or 'none'}",
        )
    test = _FIELD_TESTS[tests[0]](args, tests[0])
    if isinstance(test, CountIs) and path.has_wildcard:
        args.fail("path", "count needs one list, not [*]")
    return FieldCondition(kind, name, path, test, description)


def _deployment_available(args: _Fields, description: str | None) -> Check:
    return DeploymentAvailable(args.object_name("name"), description)


def _pod_ready(args: _Fields, description: str | None) -> Check:
    name, selector = args.name_or_selector()
    every = args.boolean("all", default=False)
    if every and name:
        args.fail("all", "only goes with selector")
    return PodReady(name, selector, every, description)


def _service_selects(args: _Fields, description: str | None) -> Check:
    service = args.object_name("service")
    deployment = args.optional_name("deployment")
    return ServiceSelects(service, deployment, description)


def _endpoints_count(args: _Fields, description: str | None) -> Check:
    return EndpointsCount(
        args.object_name("service"), args.required_comparison("ready"), description
    )


def _job_complete(args: _Fields, description: str | None) -> Check:
    return JobComplete(args.object_name("name"), description)


def _logs_contain(args: _Fields, description: str | None) -> Check:
    pod = args.optional_name("pod")
    job = args.optional_name("job")
    if bool(pod) == bool(job):
        args.fail("", "needs exactly one of pod or job")
    container = args.optional_name("container")
    text = args.text("text", limit=MAX_TEXT)
    return LogsContain(text, pod, job, container, description)


_PARSERS: Mapping[str, Callable[[_Fields, str | None], Check]] = MappingProxyType(
    {
        "exists": _exists,
        "field": _field,
        "deployment_available": _deployment_available,
        "pod_ready": _pod_ready,
        "service_selects": _service_selects,
        "endpoints_count": _endpoints_count,
        "job_complete": _job_complete,
        "logs_contain": _logs_contain,
    }
)


# ----------------------------------------------------------------------------------------------
# Strict field access
# ----------------------------------------------------------------------------------------------


class _Fields:
    """A mapping read key by key; `done()` rejects whatever was not read. Errors name the field."""

    def __init__(self, raw: Any, where: str, file: str | Path) -> None:
        if not isinstance(raw, dict):
            raise ExerciseError(file, where or "(top level)", "must be a mapping")
        self.raw, self.where, self.file = raw, where, file
        self._read: set[str] = set()

    def fail(self, key: str, message: str) -> NoReturn:
        where = ".".join(part for part in (self.where, key) if part)
        raise ExerciseError(self.file, where, message)

    def value(self, key: str, *, required: bool = True) -> Any:
        self._read.add(key)
        if key not in self.raw or self.raw[key] is None:
            if required:
                self.fail(key, "is required")
            return None
        return self.raw[key]

    def text(self, key: str, *, limit: int | None, required: bool = True) -> str:
        value = self.value(key, required=required)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        if limit is not None and len(value) > limit:
            self.fail(key, f"must be at most {limit} characters")
        return value.strip()

    def text_list(self, key: str, *, required: bool) -> list[str]:
        value = self.value(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "must be a list of non-empty strings")
        return [v.strip() for v in value]

    def mapping(self, key: str) -> _Fields:
        return _Fields(self.value(key), ".".join(p for p in (self.where, key) if p), self.file)

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.value(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def scalar(self, key: str) -> str | int | float | bool:
        value = self.value(key)
        if not isinstance(value, (str, int, float, bool)):
            self.fail(key, "must be a string, a number or true/false")
        return value

    def comparison(self, key: str, *, required: bool = True) -> Comparison | None:
        value = self.value(key, required=required)
        if value is None:
            return None
        try:
            return parse_comparison(value)
        except ValueError as exc:
            return self.fail(key, str(exc))

    def required_comparison(self, key: str) -> Comparison:
        comparison = self.comparison(key)
        assert comparison is not None  # required: a missing value has raised
        return comparison

    def path(self, key: str) -> FieldPath:
        try:
            return parse_path(self.text(key, limit=None))
        except ValueError as exc:
            return self.fail(key, str(exc))

    def kind(self) -> str:
        value = self.value("kind")
        if value in ("secret", "secrets", "Secret"):
            self.fail("kind", "Podium never reads Secrets; check something else")
        if value not in KINDS:
            self.fail("kind", f"{value!r} is not one of {', '.join(KINDS)}")
        return str(value)

    def object_name(self, key: str) -> str:
        name = self.optional_name(key)
        return name if name is not None else self.fail(key, "is required")

    def optional_name(self, key: str) -> str | None:
        value = self.value(key, required=False)
        if value is None:
            return None
        if not isinstance(value, str) or not _OBJECT_NAME.match(value):
            self.fail(
                key, f"{value!r} is not a Kubernetes name (lower-case letters, digits, '-' and '.')"
            )
        return str(value)

    def name_or_selector(self) -> tuple[str | None, Selector | None]:
        name = self.optional_name("name")
        raw = self.value("selector", required=False)
        if (name is None) == (raw is None):
            self.fail("", "needs exactly one of name or selector")
        return name, (_selector(raw, self) if raw is not None else None)

    def done(self) -> None:
        unknown = [str(k) for k in self.raw if k not in self._read]
        if unknown:
            self.fail(unknown[0], "is not a known field here")


def _selector(raw: Any, fields: _Fields) -> Selector:
    """`app=web,tier=front`: equality only, as kubectl's `-l` reads it."""
    if not isinstance(raw, str) or not raw.strip():
        fields.fail("selector", "must be a string like app=web")
    pairs: list[tuple[str, str]] = []
    for part in raw.split(","):
        key, equals, value = part.strip().partition("=")
        key, value = key.strip(), value.strip()
        if (
            not equals
            or not _label_key_ok(key)
            or not _LABEL_VALUE.match(value)
            or value.startswith("=")
        ):
            fields.fail(
                "selector",
                f"{part.strip()!r} is not key=value (labels only; no set-based selectors)",
            )
        pairs.append((key, value))
    return Selector(tuple(pairs))


def _label_key_ok(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    return bool(_LABEL_NAME.match(name)) and (not slash or bool(_LABEL_PREFIX.match(prefix)))


def _solution_path(fields: _Fields) -> str:
    text = fields.text("path", limit=None)
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts or "\\" in text:
        fields.fail(
            "path",
            "must be relative to the repository root, e.g. manifests/exercises/02-deployment/",
        )
    return text


_NAMESPACE_FLAGS = ("-n", "--namespace", "-A", "--all-namespaces")


def _solution_run(fields: _Fields) -> tuple[str, ...]:
    """`run`: the commands that end a solution. Each is `kubectl …` for the participant's own
    context: no namespace flag (their kubeconfig sets it), and `-f` names a file they saved from
    the solution (`web-client.yaml`), never a repository path they do not have."""
    commands = fields.text_list("run", required=True)
    if not commands:
        fields.fail("run", "must list at least one command, e.g. kubectl apply -f deployment.yaml")
    for i, command in enumerate(commands):
        words = command.split()
        if words[0] != "kubectl":
            fields.fail(f"run[{i}]", f"{command!r} must be a kubectl command")
        flag = next(
            (w for w in words if w in _NAMESPACE_FLAGS or w.startswith(("--namespace=", "-n="))),
            None,
        )
        if flag:
            fields.fail(
                f"run[{i}]",
                f"{command!r} names a namespace ({flag}): participants work in their own, "
                "which their kubeconfig sets",
            )
        files = [words[j + 1] for j, w in enumerate(words[:-1]) if w in ("-f", "--filename")]
        files += [w.split("=", 1)[1] for w in words if w.startswith(("--filename=", "-f="))]
        for name in files:
            if name != "-" and ("/" in name or "\\" in name):
                fields.fail(
                    f"run[{i}]",
                    f"{name!r} is a path: name the file the solution shows (its file name)",
                )
    return tuple(commands)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: YAML would otherwise keep the last one silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)
