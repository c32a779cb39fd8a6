"""Shared helpers for the deployment tests: where the manifests are, the real kubectl, schema
validation for the Kubernetes version Podium targets (offline: kubernetes-validate ships schemas)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.harness.kubectl_binary import kubectl_binary
from tests.harness.paths import MANIFESTS, REPO

KUBERNETES_VERSION = "1.37.0"  # the kubectl and client Podium pins; EKS' current release train
KUSTOMIZE_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomization_dirs() -> list[Path]:
    return sorted(p.parent for name in KUSTOMIZE_FILES for p in MANIFESTS.rglob(name))


def kustomize_patches() -> set[Path]:
    """Patch files named by kustomizations: partial objects, checked through kustomize's output."""
    patches: set[Path] = set()
    for directory in kustomization_dirs():
        spec = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8")) or {}
        for patch in spec.get("patches") or ():
            if "path" in patch:
                patches.add((directory / patch["path"]).resolve())
    return patches


def kubernetes_manifest_files() -> list[Path]:
    """Every YAML file under manifests/ that holds whole Kubernetes objects (not kustomize's own
    files or patches, not the Slack app manifests)."""
    patches = kustomize_patches()
    return sorted(
        p
        for p in MANIFESTS.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.name not in KUSTOMIZE_FILES
        and p.resolve() not in patches
        and "slack" not in p.relative_to(MANIFESTS).parts
    )


def load_all(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def kustomize(directory: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl_binary(), "kustomize", str(directory)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, (
        f"kubectl kustomize {directory.relative_to(REPO)}:\n{result.stderr}"
    )
    return load_all(result.stdout)


def validate(doc: dict[str, Any], where: str) -> None:
    """Strict schema validation (unknown fields fail too) against KUBERNETES_VERSION."""
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        name = (doc.get("metadata") or {}).get("name")
        pytest.fail(
            f"{where}: {doc.get('kind')} {name}: {error.message} at {'.'.join(map(str, error.path))}"
        )


def by_kind(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)
    ]
