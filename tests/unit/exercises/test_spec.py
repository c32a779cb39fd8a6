"""The exercise files: the shipped ones load and agree with the deck and the reference solutions;
malformed ones stop loading with one line naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.exercises import Exercise, ExerciseError, load_exercise, load_exercises
from bot.exercises.checks import (
    Comparison,
    CountIs,
    EndpointsCount,
    Exists,
    FieldCondition,
    JobComplete,
    LogsContain,
    NumberIs,
    PodReady,
    Selector,
    ServiceSelects,
    StartsWith,
)
from bot.slides.deck import load_deck
from tests.harness.paths import EXERCISES, REPO

VALID = """\
title: Create a Deployment
hints:
  - first
  - second
solution:
  path: manifests/exercises/02-deployment/
  summary: three nginx replicas
  run:
    - kubectl apply -f deployment.yaml
checks:
  - exists: {kind: deployment, name: hello}
"""


def write(tmp_path: Path, text: str, name: str = "02-deployment.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_checks(*checks: str) -> str:
    return VALID.replace(
        "  - exists: {kind: deployment, name: hello}\n", "".join(f"  - {c}\n" for c in checks)
    )


def error_of(tmp_path: Path, text: str, name: str = "02-deployment.yaml") -> str:
    with pytest.raises(ExerciseError) as raised:
        load_exercise(write(tmp_path, text, name))
    return str(raised.value)


# ----------------------------------------------------------------------------------------------
# The shipped exercises
# ----------------------------------------------------------------------------------------------


def test_shipped_exercises_match_the_deck_and_the_solutions(exercises: dict[int, Exercise]) -> None:
    deck = load_deck(REPO / "slides" / "kubernetes-101.md")
    assert sorted(exercises) == sorted(deck.exercises) == [1, 2, 3, 4]
    for number, exercise in exercises.items():
        # The deck's slide title is "Exercise N: <title>".
        assert deck.exercises[number].title == f"Exercise {number}: {exercise.title}"
        assert (REPO / exercise.solution.path).is_dir()
        assert Path(exercise.solution.path).name == f"{number:02d}-{exercise.key}"
        assert exercise.hints and exercise.checks
        # The solution ends with commands a participant can run: files by the names the
        # solution shows them under (every file of the folder), never a repository path.
        shown = {p.name for p in (REPO / exercise.solution.path).glob("*.yaml")}
        assert exercise.solution.run and exercise.solution.run[0].startswith("kubectl apply -f ")
        applied = {
            w
            for c in exercise.solution.run
            for i, w in enumerate(c.split())
            if c.split()[i - 1] == "-f"
        }
        assert applied == shown, number


def test_an_exercise_file_holds_no_instructions_of_its_own(tmp_path: Path) -> None:
    """One source: what to do is the deck's exercise slide. A file that brings its own text back
    (which would drift from the slide) is refused, naming the field and where the text goes."""
    text = VALID.replace("hints:", "instructions: |\n  Create the Deployment `hello`.\nhints:")
    assert error_of(tmp_path, text) == (
        f"{tmp_path / '02-deployment.yaml'}: instructions: the instructions are the deck's "
        "`<!-- exercise: 2 -->` slide; write them there and remove this field"
    )
    for path in sorted(EXERCISES.glob("*.yaml")):
        assert "instructions" not in path.read_text(encoding="utf-8"), path


def test_what_participants_read_about_an_exercise_runs_in_their_own_namespace(
    exercises: dict[int, Exercise],
) -> None:
    """The exercise slides and hints are for a participant's own kubectl in their own namespace:
    no command in them names the sandbox (or any namespace)."""
    deck = load_deck(REPO / "slides" / "kubernetes-101.md")
    for number, exercise in exercises.items():
        slide = deck.exercises[number]
        for text in (slide.markdown, *exercise.hints, *slide.commands):
            assert "sandbox" not in text and " -n " not in text and "--namespace" not in text, (
                number,
                text,
            )


def test_shipped_exercises_read_only_what_podium_reads(exercises: dict[int, Exercise]) -> None:
    allowed = {
        "pods",
        "deployments",
        "replicasets",
        "services",
        "endpoints",
        "endpointslices",
        "configmaps",
        "jobs",
    }
    for exercise in exercises.values():
        assert {q.plural for check in exercise.checks for q in check.queries()} <= allowed


def test_load_parses_every_check_kind(tmp_path: Path) -> None:
    text = with_checks(
        "exists: {kind: pod, selector: 'app=hello,tier=web', count: '>= 3'}",
        "field: {kind: deployment, name: hello, path: spec.replicas, value: '>= 2'}",
        "field: {kind: pod, name: p, path: spec.containers, count: 2}",
        "field: {kind: deployment, name: web, path: 'spec.template.spec.containers[0].image', startswith: nginx}",
        "pod_ready: {selector: app=web, all: true}\n    description: All web Pods are ready",
        "service_selects: {service: web, deployment: web}",
        "job_complete: {name: web-client}",
        "logs_contain: {job: web-client, text: Welcome to nginx}",
        "endpoints_count: {service: web, ready: '>= 4'}",
    )
    exercise = load_exercise(write(tmp_path, text))
    assert (exercise.number, exercise.key) == (2, "deployment")
    assert exercise.hints == ["first", "second"]
    exists, replicas, containers, image, ready, selects, job, logs, endpoints = exercise.checks
    assert exists == Exists(
        "pod", None, Selector((("app", "hello"), ("tier", "web"))), Comparison(">=", 3)
    )
    assert isinstance(replicas, FieldCondition) and replicas.test == NumberIs(Comparison(">=", 2))
    assert isinstance(containers, FieldCondition) and containers.test == CountIs(
        Comparison("==", 2)
    )
    assert isinstance(image, FieldCondition) and image.test == StartsWith("nginx")
    assert image.path.parts == ("spec", "template", "spec", "containers", 0, "image")
    assert ready == PodReady(None, Selector((("app", "web"),)), True, "All web Pods are ready")
    assert selects == ServiceSelects("web", "web")
    assert job == JobComplete("web-client")
    assert logs == LogsContain("Welcome to nginx", job="web-client")
    assert endpoints == EndpointsCount("web", Comparison(">=", 4))
    assert endpoints.title == "The Service web has at least 4 ready endpoints"
    assert exercise.solution.run == ("kubectl apply -f deployment.yaml",)


def test_load_exercises_orders_by_number_and_skips_readme(tmp_path: Path) -> None:
    write(tmp_path, VALID.replace("Create a Deployment", "Second"), "10-later.yaml")
    write(tmp_path, VALID, "02-deployment.yaml")
    (tmp_path / "README.md").write_text("# not an exercise\n")
    assert [(e.number, e.title) for e in load_exercises(tmp_path)] == [
        (2, "Create a Deployment"),
        (10, "Second"),
    ]


# ----------------------------------------------------------------------------------------------
# Malformed files: one line, naming the file and the field
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            VALID.replace("title: Create a Deployment\n", ""),
            "02-deployment.yaml: title: is required",
        ),
        (
            VALID.replace("title: Create a Deployment", "title: ''"),
            "title: must be a non-empty string",
        ),
        (
            VALID.replace("title: Create a Deployment", "title: [a]"),
            "title: must be a non-empty string",
        ),
        (VALID + "author: me\n", "author: is not a known field here"),
        (VALID.replace("  - second\n", "  - 2\n"), "hints: must be a list of non-empty strings"),
        (
            VALID.replace("path: manifests", "path: /etc/manifests"),
            "solution.path: must be relative",
        ),
        (VALID.replace("path: manifests", "path: ../manifests"), "solution.path: must be relative"),
        (VALID.replace("  summary: three nginx replicas\n", ""), "solution.summary: is required"),
        (
            VALID.replace("  run:\n    - kubectl apply -f deployment.yaml\n", ""),
            "solution.run: is required",
        ),
        (
            VALID.replace("    - kubectl apply -f deployment.yaml", "    - rm -rf /"),
            "solution.run[0]: 'rm -rf /' must be a kubectl command",
        ),
        (
            VALID.replace("apply -f deployment.yaml", "apply -f deployment.yaml -n sandbox"),
            "solution.run[0]: 'kubectl apply -f deployment.yaml -n sandbox' names a namespace (-n)",
        ),
        (
            VALID.replace("apply -f deployment.yaml", "apply --namespace=ws-u1 -f deployment.yaml"),
            "names a namespace (--namespace=ws-u1)",
        ),
        (
            VALID.replace(
                "apply -f deployment.yaml", "apply -f manifests/exercises/02-deployment/"
            ),
            "solution.run[0]: 'manifests/exercises/02-deployment/' is a path: name the file the solution shows",
        ),
        (
            VALID.replace("apply -f deployment.yaml", "apply --filename=../deployment.yaml"),
            "is a path",
        ),
        (
            VALID.replace("    - kubectl apply -f deployment.yaml", "    - ''"),
            "solution.run: must be a list of non-empty strings",
        ),
        (
            VALID.replace("checks:\n  - exists: {kind: deployment, name: hello}\n", "checks: []\n"),
            "checks: must be a non-empty list",
        ),
        (VALID + "title: again\n", "is not valid YAML (duplicate key 'title'"),
        ("title: [unclosed\n", "is not valid YAML"),
        ("- a list\n", "(top level): must be a mapping"),
    ],
)
def test_malformed_document(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


@pytest.mark.parametrize(
    "check, expected",
    [
        (
            "shell: {command: rm -rf /}",
            "checks[0]: needs exactly one check kind out of exists, field, "
            "deployment_available, pod_ready, service_selects, endpoints_count, job_complete, logs_contain",
        ),
        ("endpoints_count: {service: web}", "checks[0].endpoints_count.ready: is required"),
        (
            "endpoints_count: {service: web, ready: 'lots'}",
            "checks[0].endpoints_count.ready: 'lots' is not a comparison",
        ),
        ("endpoints_count: {ready: 4}", "checks[0].endpoints_count.service: is required"),
        (
            "endpoints_count: {service: Web, ready: 4}",
            "checks[0].endpoints_count.service: 'Web' is not a Kubernetes name",
        ),
        (
            "endpoints_count: {service: web, ready: 4, deployment: web}",
            "checks[0].endpoints_count.deployment: is not a known field here",
        ),
        (
            "{exists: {kind: pod, name: a}, job_complete: {name: b}}",
            "checks[0]: needs exactly one check kind",
        ),
        (
            "exists: {kind: secret, name: db-password}",
            "checks[0].exists.kind: Podium never reads Secrets",
        ),
        (
            "exists: {kind: node, name: n}",
            "checks[0].exists.kind: 'node' is not one of pod, deployment",
        ),
        ("exists: {kind: pod}", "checks[0].exists: needs exactly one of name or selector"),
        (
            "exists: {kind: pod, name: a, selector: app=a}",
            "checks[0].exists: needs exactly one of name or selector",
        ),
        (
            "exists: {kind: pod, name: a, count: 2}",
            "checks[0].exists.count: only goes with selector",
        ),
        (
            "exists: {kind: pod, name: Web_1}",
            "checks[0].exists.name: 'Web_1' is not a Kubernetes name",
        ),
        (
            "exists: {kind: pod, selector: 'app in (a,b)'}",
            "checks[0].exists.selector: 'app in (a' is not key=value",
        ),
        ("exists: {kind: pod, selector: '!app'}", "checks[0].exists.selector:"),
        (
            "exists: {kind: pod, name: a, namespace: kube-system}",
            "checks[0].exists.namespace: is not a known field",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, value: '>> 2'}",
            "checks[0].field.value: '>> 2' is not a comparison: use one of >=, <=, ==, !=, >, < and a number",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, value: '=~ ^2$'}",
            "checks[0].field.value: '=~ ^2$' is not a comparison",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, value: true}",
            "checks[0].field.value: True is not a comparison",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, value: '>= nan'}",
            "checks[0].field.value: '>= nan' is not a finite number",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, matches: '(a+)+$'}",
            "checks[0].field: needs exactly one test out of value, count, equals, startswith, contains; found none",
        ),
        (
            "field: {kind: deployment, name: web, path: spec.replicas, value: 2, equals: 2}",
            "checks[0].field: needs exactly one test",
        ),
        (
            "field: {kind: deployment, name: web, path: 'spec..replicas', value: 2}",
            "checks[0].field.path: 'spec..replicas': empty key before '.'",
        ),
        (
            "field: {kind: deployment, name: web, path: 'spec.containers[x]', value: 2}",
            "checks[0].field.path: 'spec.containers[x]': [x] is not [N], [*] or ['key']",
        ),
        (
            "field: {kind: deployment, name: web, path: '__class__.__init__()', value: 2}",
            "checks[0].field.path: '__class__.__init__()': '(' is not allowed",
        ),
        (
            "field: {kind: pod, name: web, path: 'spec.containers[*].ports', count: 1}",
            "checks[0].field.path: count needs one list, not [*]",
        ),
        (
            "field: {kind: pod, selector: app=web, path: spec, count: 1}",
            "checks[0].field.name: is required",
        ),
        (
            "field: {kind: pod, name: web, path: spec.hostname, startswith: ''}",
            "checks[0].field.startswith: must be a non-empty string",
        ),
        ("pod_ready: {name: web, all: true}", "checks[0].pod_ready.all: only goes with selector"),
        (
            "pod_ready: {selector: app=web, all: yes please}",
            "checks[0].pod_ready.all: must be true or false",
        ),
        ("logs_contain: {text: hello}", "checks[0].logs_contain: needs exactly one of pod or job"),
        (
            "logs_contain: {pod: a, job: b, text: hello}",
            "checks[0].logs_contain: needs exactly one of pod or job",
        ),
        ("logs_contain: {job: b}", "checks[0].logs_contain.text: is required"),
        ("service_selects: {deployment: web}", "checks[0].service_selects.service: is required"),
        ("deployment_available: web", "checks[0].deployment_available: must be a mapping"),
        (
            "exists: {kind: pod, name: a}\n    description: 3",
            "checks[0].description: must be a non-empty string",
        ),
    ],
)
def test_malformed_check(tmp_path: Path, check: str, expected: str) -> None:
    # The bad check comes second, so the index in the message is checked too.
    message = error_of(tmp_path, with_checks("exists: {kind: deployment, name: hello}", check))
    assert message.startswith(str(tmp_path / "02-deployment.yaml") + ": ")
    assert expected.replace("checks[0]", "checks[1]") in message


@pytest.mark.parametrize(
    "name", ["2-deployment.yaml", "00-intro.yaml", "02_deployment.yaml", "02-Deployment.yaml"]
)
def test_file_name_gives_number_and_key(tmp_path: Path, name: str) -> None:
    assert "the file name must be NN-key.yaml" in error_of(tmp_path, VALID, name)


def test_two_files_for_one_exercise(tmp_path: Path) -> None:
    write(tmp_path, VALID, "02-deployment.yaml")
    write(tmp_path, VALID, "02-hello.yaml")
    with pytest.raises(
        ExerciseError, match=r"02-hello\.yaml: exercise 2 is also defined by 02-deployment\.yaml"
    ):
        load_exercises(tmp_path)


def test_shipped_folder_has_only_exercises_and_readme() -> None:
    assert {p.name for p in EXERCISES.iterdir()} - {"README.md"} == {
        p.name for p in EXERCISES.glob("*.yaml")
    }
