"""One tag per image: what the deck shows, what `/exercise show|solution` prints, the reference
solutions, the demo and Podium's own hints all name the same, pinned, tag of each image.

The scan reads every file of those folders (not a list of known files), so a new exercise or a
changed solution is covered the day it lands.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.harness.paths import REPO

# Where participants read or copy an image name. slides/CHANGES.md is left out on purpose: it
# quotes the tags the deck used to name. tests/ holds deliberately wrong tags (fixtures).
SCANNED = ("slides", "manifests/exercises", "manifests/demo", "bot")
SKIPPED = ("slides/CHANGES.md", "devkit/podium_devkit")
SUFFIXES = {".md", ".yaml", ".yml", ".py"}

_FIELD = re.compile(r"^\s*(?:-\s*)?image:\s*[\"']?(?P<ref>[A-Za-z0-9][^\s\"'#`]*)", re.MULTILINE)
_FLAG = re.compile(r"--image[= ](?P<ref>[A-Za-z0-9][^\s\"'`,)]*)")


def _split(ref: str) -> tuple[str, str]:
    """`registry/repo:tag` → (`registry/repo`, `tag`); no tag → (ref, "")."""
    ref = ref.split("@", 1)[0].rstrip(".")
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:  # no colon, or the colon belongs to a registry port
        return ref, ""
    return name, tag


def image_references(root: Path) -> dict[str, dict[str, list[str]]]:
    """Every image named under `root`'s scanned folders: repository → tag → ["path:line", …].
    Tags written in prose (`nginx:1.27` in a summary or a hint) count once the repository is
    known from an `image:` field or an `--image` flag."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    texts: list[tuple[str, str]] = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root).as_posix()
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            if any(relative == s or relative.startswith(s + "/") for s in SKIPPED):
                continue
            texts.append((relative, path.read_text(encoding="utf-8")))
    for relative, text in texts:
        # `image:` fields only in manifests and decks: in Python it is an annotation.
        patterns = (_FLAG,) if relative.endswith(".py") else (_FIELD, _FLAG)
        for pattern in patterns:
            for match in pattern.finditer(text):
                name, tag = _split(match["ref"])
                line = text.count("\n", 0, match.start("ref")) + 1
                found[name][tag].append(f"{relative}:{line}")
    prose = {
        name: re.compile(rf"(?<![\w/.-]){re.escape(name)}:(?P<tag>[0-9][\w.-]*[\w])")
        for name in found
    }
    for relative, text in texts:
        for name, pattern in prose.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                where = f"{relative}:{line}"
                if where not in found[name][match["tag"]]:
                    found[name][match["tag"]].append(where)
    return found


def tag_problems(found: dict[str, dict[str, list[str]]]) -> list[str]:
    problems = []
    for name, tags in sorted(found.items()):
        for unpinned in ("", "latest"):
            if unpinned in tags:
                problems.append(f"{name} is not pinned to a version at {', '.join(tags[unpinned])}")
        pinned = {tag: places for tag, places in tags.items() if tag not in ("", "latest")}
        if len(pinned) > 1:
            listed = "; ".join(
                f"{tag} at {', '.join(places)}" for tag, places in sorted(pinned.items())
            )
            problems.append(f"{name} has {len(pinned)} tags: {listed}")
    return problems


def test_every_image_has_one_pinned_tag_everywhere() -> None:
    found = image_references(REPO)
    assert tag_problems(found) == []
    # The scan sees the places the issue named: the deck's exercise 1, its solution, the demo.
    assert {"nginx", "busybox"} <= set(found)
    busybox = found["busybox"]["1.37"]
    assert any(p.startswith("slides/kubernetes-101.md:") for p in busybox)
    assert any(p.startswith("manifests/exercises/01-multi-container-pod/") for p in busybox)
    nginx = found["nginx"]["1.27"]
    assert any(p.startswith("manifests/demo/") for p in nginx)
    assert any(p.startswith("slides/exercises/") for p in nginx)
    assert any(p.startswith("bot/kubectl/") for p in nginx)  # the refusal hint for `run`


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_two_tags_of_one_image_are_reported_with_their_places(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "slides/deck.md": "```yaml\n    - name: s\n      image: busybox:1.36\n```\n",
            "manifests/exercises/01/pod.yaml": "spec:\n  containers:\n    - image: busybox:1.37\n",
            "slides/exercises/01.yaml": "summary: a busybox:1.35 sidecar\n",
            "slides/CHANGES.md": "was busybox:1.30\n",  # history, not read
        },
    )
    problems = tag_problems(image_references(root))
    assert len(problems) == 1
    assert "busybox has 3 tags" in problems[0]
    for place in (
        "slides/deck.md:3",
        "manifests/exercises/01/pod.yaml:3",
        "slides/exercises/01.yaml:1",
    ):
        assert place in problems[0]
    assert "1.30" not in problems[0]


def test_unpinned_and_latest_images_are_reported(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "slides/exercises/01.yaml": 'hints:\n  - "`kubectl run c --image=curlimages/curl -- curl x`"\n',
            "manifests/demo/d.yaml": "      image: nginx:latest\n",
            "bot/kubectl/hints.py": 'HINT = "kubectl run x --image=registry:5000/tools/dig:1.2"\n'
            'image: str = "not an image field in Python"\n',
        },
    )
    found = image_references(root)
    assert set(found) == {"curlimages/curl", "nginx", "registry:5000/tools/dig"}
    assert found["registry:5000/tools/dig"] == {"1.2": ["bot/kubectl/hints.py:1"]}
    problems = tag_problems(found)
    assert problems == [
        "curlimages/curl is not pinned to a version at slides/exercises/01.yaml:2",
        "nginx is not pinned to a version at manifests/demo/d.yaml:1",
    ]
