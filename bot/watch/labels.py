"""Label selectors (`-l app=web,tier in (a,b),!canary`) matched locally: a watch shares the whole
namespace's stream and keeps only the objects the person selected. Pure; one left-to-right scan
of a capped string, no regular expressions over the typed text.

The syntax is the API server's (apimachinery `labels.Parse`): requirements separated by commas,
each `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (v1,v2)` or
`key notin (v1,v2)`. `>`/`<` (numeric) are rare in workshops and refused with a clear line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_SELECTOR = 256  # as the policy caps -l (bot/kubectl/policy.MAX_SELECTOR_LENGTH)


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "exists", "!exists", "=", "!=", "in", "notin"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "exists":
            return self.key in labels
        if self.operator == "!exists":
            return self.key not in labels
        if self.operator in ("=", "in"):
            return self.key in labels and labels[self.key] in self.values
        # != and notin also match objects without the label, as on the API server.
        return self.key not in labels or labels[self.key] not in self.values


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        given = labels or {}
        return all(requirement.matches(given) for requirement in self.requirements)


class SelectorError(ValueError):
    """A selector the API server would refuse; the message is one line."""


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise SelectorError(f"unable to parse requirement: unexpected ')' in {text!r}")
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth:
        raise SelectorError(f"unable to parse requirement: missing ')' in {text!r}")
    parts.append(text[start:])
    return parts


def _valid_key(key: str) -> bool:
    name = key.rpartition("/")[2]
    return bool(name) and len(name) <= 63 and all(c.isalnum() or c in "-_./" for c in key)


def _requirement(part: str) -> Requirement:
    text = part.strip()
    if not text:
        raise SelectorError("found '', expected: identifier")
    if text.startswith("!"):
        key = text[1:].strip()
        if not _valid_key(key):
            raise SelectorError(f"invalid label key {key!r}")
        return Requirement(key, "!exists")
    for operator in ("!=", "==", "="):
        key, found, value = text.partition(operator)
        if found:
            key, value = key.strip(), value.strip()
            if not _valid_key(key):
                raise SelectorError(f"invalid label key {key!r}")
            if any(c in value for c in "=!() "):
                raise SelectorError(f"invalid label value {value!r}")
            return Requirement(key, "!=" if operator == "!=" else "=", frozenset({value}))
    if "<" in text or ">" in text:
        raise SelectorError(f"Podium does not watch with numeric selectors ({text!r}); use = or in")
    words = text.split(None, 1)
    if len(words) == 1:
        if not _valid_key(text):
            raise SelectorError(f"invalid label key {text!r}")
        return Requirement(text, "exists")
    key, rest = words[0], words[1].strip()
    word, _, values = rest.partition("(")
    operator = word.strip()
    if operator not in ("in", "notin") or not values.endswith(")"):
        raise SelectorError(f"unable to parse requirement: {text!r}")
    if not _valid_key(key):
        raise SelectorError(f"invalid label key {key!r}")
    items = frozenset(v.strip() for v in values[:-1].split(","))
    if "" in items and len(items) > 1:
        raise SelectorError(f"unable to parse requirement: empty value in {text!r}")
    return Requirement(key, operator, items)


def parse_selector(text: str) -> Selector:
    """The selector `text` as the API server reads it. Raises SelectorError."""
    if len(text) > MAX_SELECTOR:
        raise SelectorError(f"the label selector is longer than {MAX_SELECTOR} characters")
    if not text.strip():
        return Selector(())
    return Selector(tuple(_requirement(part) for part in _split_top_level(text)))
