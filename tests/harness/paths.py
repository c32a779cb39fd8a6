"""Where the repository's files are, for tests of every tier (no imports beyond the standard library,
so the unit tier can use it)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SLIDES = REPO / "slides"
COURSE = SLIDES / "kubernetes-101.md"
EXERCISES = SLIDES / "exercises"
MANIFESTS = REPO / "manifests"
SOLUTIONS = MANIFESTS / "exercises"
FIXTURES = REPO / "tests" / "fixtures"
