"""Label and field selectors, parsed and matched the way the Kubernetes API server does.

The grammar follows apimachinery's ``labels.Parse`` (a small lexer plus recursive descent) and
``fields.ParseSelector`` (comma-separated ``key=value`` terms with backslash escapes), so that the
emulator accepts exactly what a real API server accepts and rejects the rest with a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class SelectorError(ValueError):
    """A selector string the API server would reject (answered with 400 BadRequest)."""


# ----------------------------------------------------------------------------------------------
# Label selectors
# ----------------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

SET_OPERATORS = frozenset({"in", "notin"})
EQUALITY_OPERATORS = frozenset({"=", "==", "!="})
UNARY_OPERATORS = frozenset({"exists", "!"})
NUMERIC_OPERATORS = frozenset({"gt", "lt"})


@dataclass(frozen=True)
class Requirement:
    """One clause of a label selector: ``key op values``."""

    key: str
    operator: str  # one of "=", "==", "!=", "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        match self.operator:
            case "=" | "==" | "in":
                return present and value in self.values
            case "!=" | "notin":
                # Absent labels satisfy negative requirements, as in apimachinery.
                return not present or value not in self.values
            case "exists":
                return present
            case "!":
                return not present
            case "gt" | "lt":
                if not present:
                    return False
                try:
                    have, want = int(value or ""), int(self.values[0])
                except ValueError:
                    return False
                return have > want if self.operator == "gt" else have < want
        raise AssertionError(self.operator)  # pragma: no cover

    def __str__(self) -> str:
        match self.operator:
            case "exists":
                return self.key
            case "!":
                return f"!{self.key}"
            case "in" | "notin":
                return f"{self.key} {self.operator} ({','.join(self.values)})"
            case "gt":
                return f"{self.key}>{self.values[0]}"
            case "lt":
                return f"{self.key}<{self.values[0]}"
            case _:
                return f"{self.key}{self.operator}{self.values[0]}"


@dataclass(frozen=True)
class LabelSelector:
    """All requirements must hold; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


# Token kinds of apimachinery's label lexer.
_SPECIAL = {
    "(": "(",
    ")": ")",
    ",": ",",
    "!": "!",
    "=": "=",
    "==": "==",
    "!=": "!=",
    ">": ">",
    "<": "<",
}
_SPECIAL_CHARS = set("=!(),><")
_WHITESPACE = set(" \t\r\n")


@dataclass(frozen=True)
class _Token:
    kind: str  # "id", "in", "notin", "end", or the operator/punctuation itself
    text: str


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch in _SPECIAL_CHARS:
            j = i + 1
            while j < len(text) and text[j] in _SPECIAL_CHARS and text[i : j + 1] in _SPECIAL:
                j += 1
            word = text[i:j]
            if word not in _SPECIAL:
                raise SelectorError(
                    f"unable to parse requirement: found '{word}', expected: identifier"
                )
            tokens.append(_Token(_SPECIAL[word], word))
            i = j
        else:
            j = i
            while j < len(text) and text[j] not in _WHITESPACE and text[j] not in _SPECIAL_CHARS:
                j += 1
            word = text[i:j]
            kind = word if word in ("in", "notin") else "id"
            tokens.append(_Token(kind, word))
            i = j
    tokens.append(_Token("end", ""))
    return tokens


class _LabelParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def fail(self, found: _Token, expected: str) -> SelectorError:
        shown = found.text or "end of string"
        return SelectorError(f"unable to parse requirement: found '{shown}', expected: {expected}")

    def parse(self) -> LabelSelector:
        requirements: list[Requirement] = []
        if self.peek().kind == "end":
            return LabelSelector()
        while True:
            token = self.peek()
            if token.kind not in ("id", "!"):
                raise self.fail(token, "!, identifier, or 'end of string'")
            requirements.append(self.requirement())
            after = self.take()
            if after.kind == "end":
                break
            if after.kind != ",":
                raise self.fail(after, "',' or 'end of string'")
            if self.peek().kind not in ("id", "!"):
                raise self.fail(self.peek(), "identifier after ','")
        return LabelSelector(tuple(requirements))

    def requirement(self) -> Requirement:
        negated = False
        if self.peek().kind == "!":
            self.take()
            negated = True
        key_token = self.take()
        if key_token.kind != "id":
            raise self.fail(key_token, "identifier")
        key = _validate_key(key_token.text)
        if negated:
            return Requirement(key, "!")
        following = self.peek().kind
        if following in (",", "end"):
            return Requirement(key, "exists")
        op_token = self.take()
        if op_token.kind in ("in", "notin"):
            return Requirement(key, op_token.kind, self.value_set())
        if op_token.kind in ("=", "==", "!="):
            return Requirement(key, op_token.kind, (self.single_value(),))
        if op_token.kind in (">", "<"):
            value = self.single_value()
            if not re.fullmatch(r"-?\d+", value):
                raise SelectorError(
                    f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {value!r}"
                )
            return Requirement(key, "gt" if op_token.kind == ">" else "lt", (value,))
        raise self.fail(op_token, "'=', '!=', '==', 'in', 'notin'")

    def single_value(self) -> str:
        token = self.peek()
        if token.kind in (",", "end"):
            return ""  # "key=" selects the empty value, as upstream.
        if token.kind not in ("id", "in", "notin"):
            raise self.fail(token, "identifier")
        self.take()
        return _validate_value(token.text)

    def value_set(self) -> tuple[str, ...]:
        opening = self.take()
        if opening.kind != "(":
            raise self.fail(opening, "'('")
        values: list[str] = []
        expect_value = True
        while True:
            token = self.take()
            if token.kind == ")":
                if expect_value and values:
                    values.append("")  # "(a,)" carries an empty value, as upstream.
                break
            if token.kind == ",":
                if expect_value:
                    values.append("")
                expect_value = True
                continue
            if token.kind in ("id", "in", "notin") and expect_value:
                values.append(_validate_value(token.text))
                expect_value = False
                continue
            raise self.fail(token, "',', ')' or identifier")
        if not values:
            raise SelectorError(
                "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty"
            )
        return tuple(values)


def _validate_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if (
        not name
        or len(name) > 63
        or not _NAME_RE.match(name)
        or ("/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN_RE.match(prefix)))
    ):
        raise SelectorError(
            f'unable to parse requirement: key: Invalid value: "{key}": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        )
    return key


def _validate_value(value: str) -> str:
    if value and (len(value) > 63 or not _NAME_RE.match(value)):
        raise SelectorError(
            f'unable to parse requirement: values[0]: Invalid value: "{value}": a valid label must be an empty '
            "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"
        )
    return value


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse ``labelSelector`` the way ``labels.Parse`` does; raise SelectorError when invalid."""
    return _LabelParser(text or "").parse()


def selector_from_match(selector: Mapping[str, Any] | None) -> LabelSelector:
    """Convert a ``metav1.LabelSelector`` (matchLabels/matchExpressions) used in specs."""
    selector = selector or {}
    requirements = [
        Requirement(k, "=", (str(v),))
        for k, v in sorted((selector.get("matchLabels") or {}).items())
    ]
    for expression in selector.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}[
            expression["operator"]
        ]
        requirements.append(
            Requirement(expression["key"], op, tuple(expression.get("values") or ()))
        )
    return LabelSelector(tuple(requirements))


# ----------------------------------------------------------------------------------------------
# Field selectors
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str  # "=", "==" or "!="
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        have = fields.get(self.field, "")
        return have != self.value if self.operator == "!=" else have == self.value


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str]) -> bool:
        return all(r.matches(fields) for r in self.requirements)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(r.field for r in self.requirements)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text[i] == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 >= len(value) or value[i + 1] not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence in {value!r}")
            out.append(value[i + 1])
            i += 2
            continue
        if ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped {ch!r} in {value!r}")
        out.append(ch)
        i += 1
    return "".join(out)


def parse_field_selector(text: str | None) -> FieldSelector:
    """Parse ``fieldSelector`` like ``fields.ParseSelector`` (``!=`` before ``==`` before ``=``)."""
    if not text:
        return FieldSelector()
    requirements: list[FieldRequirement] = []
    for term in _split_unescaped(text, ","):
        if not term:
            continue
        for operator in ("!=", "==", "="):
            index = _find_unescaped(term, operator)
            if index >= 0:
                field, value = term[:index], term[index + len(operator) :]
                requirements.append(FieldRequirement(field, operator, _unescape(value)))
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
    return FieldSelector(tuple(requirements))


def _find_unescaped(term: str, operator: str) -> int:
    i = 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        if term.startswith(operator, i):
            return i
        i += 1
    return -1


# The field labels each resource supports (from the API server's field label conversion funcs).
FieldGetter = Callable[[Mapping[str, Any]], str]


def _path(*keys: str) -> FieldGetter:
    def get(obj: Mapping[str, Any]) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return get


_COMMON_FIELDS: dict[str, FieldGetter] = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}

RESOURCE_FIELDS: dict[str, dict[str, FieldGetter]] = {
    "pods": {
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": lambda o: (
            "true" if (o.get("spec") or {}).get("hostNetwork") else "false"
        ),
        "status.phase": _path("status", "phase"),
        "status.podIP": _path("status", "podIP"),
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    "events": {
        "involvedObject.kind": _path("involvedObject", "kind"),
        "involvedObject.namespace": _path("involvedObject", "namespace"),
        "involvedObject.name": _path("involvedObject", "name"),
        "involvedObject.uid": _path("involvedObject", "uid"),
        "involvedObject.apiVersion": _path("involvedObject", "apiVersion"),
        "involvedObject.resourceVersion": _path("involvedObject", "resourceVersion"),
        "involvedObject.fieldPath": _path("involvedObject", "fieldPath"),
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _path("source", "component"),
        "type": _path("type"),
    },
    "secrets": {"type": _path("type")},
    "namespaces": {"status.phase": _path("status", "phase")},
    "nodes": {
        "spec.unschedulable": lambda o: (
            "true" if (o.get("spec") or {}).get("unschedulable") else "false"
        )
    },
    "replicasets": {"status.replicas": _path("status", "replicas")},
    "jobs": {"status.successful": _path("status", "succeeded")},
}


def field_getters(resource: str) -> dict[str, FieldGetter]:
    return {**_COMMON_FIELDS, **RESOURCE_FIELDS.get(resource, {})}


def compile_field_selector(resource: str, text: str | None) -> Callable[[Mapping[str, Any]], bool]:
    """Parse and check the fields against what ``resource`` supports; return a predicate."""
    selector = parse_field_selector(text)
    getters = field_getters(resource)
    for field in selector.fields:
        if field not in getters:
            raise SelectorError(f"field label not supported: {field}")

    def predicate(obj: Mapping[str, Any]) -> bool:
        return selector.matches({field: getters[field](obj) for field in selector.fields})

    return predicate
