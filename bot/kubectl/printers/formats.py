"""kubectl's other output formats: ``-o name``, ``-o json``, ``-o yaml``, and ``--sort-by``.

Everything returns kubectl's stdout without the final newline (like ``render_table``):
``kubectl ... == result + "\\n"``.

* ``-o json`` (cli-runtime ``JSONPrinter``): Go's ``json.MarshalIndent(obj, "", "    ")``
  of the unstructured object: keys sorted, 4-space indent, ``<``, ``>``, ``&``, U+2028 and
  U+2029 escaped as ``\\u003c`` etc., integral numbers without a fraction.
* ``-o yaml`` (``YAMLPrinter``): sigs.k8s.io/yaml, i.e. JSON re-read by go-yaml v2 and
  emitted with its rules: keys in go-yaml's "natural" order (letters before other
  characters, digit runs compared as numbers), strings that would read back as something
  else (``"123"``, ``"yes"``, ``"n"``, ``"1.5"``, ``""``, timestamps) double-quoted,
  multi-line strings as ``|`` blocks, no line folding.
* One object prints as itself; several (or a list request) as a ``v1`` ``List``.
  ``metadata.managedFields`` is dropped (``--show-managed-fields=false``).
"""

from __future__ import annotations

import copy
import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from bot.kubectl.resources import lookup

__all__ = ["parse_sort_path", "sort_objects", "to_json", "to_name", "to_yaml"]

Obj = Mapping[str, Any]

_REFUSED_KINDS = frozenset({"Secret"})


# --- -o name --------------------------------------------------------------------------


def _kind_and_group(plural: str) -> tuple[str, str]:
    kind = lookup(plural)
    if kind is None:
        raise ValueError(f"unknown resource type {plural!r}")
    return kind.kind, kind.group


def to_name(plural: str, objects: list[dict[str, Any]]) -> str:
    """``-o name``: ``kind/name`` (core group) or ``kind.group/name``, kind lower-cased:
    ``pod/nginx``, ``deployment.apps/web``, ``endpoints/web``. One line per object."""
    kind, group = _kind_and_group(plural)
    prefix = kind.lower() + (f".{group}" if group else "")
    return "\n".join(f"{prefix}/{(obj.get('metadata') or {}).get('name', '')}" for obj in objects)


# --- preparing objects like kubectl ----------------------------------------------------


def _prepared(objects: list[dict[str, Any]], *, single: bool, plural: str | None) -> dict[str, Any]:
    """Copy, fill kind/apiVersion (list items lack them), drop managedFields, wrap in a List."""
    kind = api_version = None
    if plural is not None:
        kind, group = _kind_and_group(plural)
        api_version = f"{group}/v1" if group else "v1"
    items: list[dict[str, Any]] = []
    for obj in objects:
        item = copy.deepcopy(dict(obj))
        if kind is not None:
            item.setdefault("kind", kind)
            item.setdefault("apiVersion", api_version)
        if item.get("kind") in _REFUSED_KINDS or kind in _REFUSED_KINDS:
            raise ValueError("refusing to print a Secret")
        metadata = item.get("metadata")
        if isinstance(metadata, dict):
            metadata.pop("managedFields", None)
        items.append(item)
    if single:
        if len(items) != 1:
            raise ValueError(f"single=True needs exactly one object, got {len(items)}")
        return items[0]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# --- -o json ---------------------------------------------------------------------------

# encoding/json's HTML-safe escaping, applied on top of Python's escaping (which already
# matches Go for quotes, backslashes, \n \r \t \b \f and other control characters).
_GO_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_GO_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def _json_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    return _GO_JSON_ESCAPE_RE.sub(lambda m: _GO_JSON_ESCAPES[m.group()], encoded)


def _go_json_float(value: float) -> str:
    # encoding/json: 'f' format for 1e-6 <= |v| < 1e21, else 'e' with "e-07" -> "e-7".
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-6 <= abs(value) < 1e21:
        return format(Decimal(repr(value)), "f")
    text = repr(value)
    return re.sub(r"e([+-])0(\d)$", r"e\1\2", text)


def _json_value(value: Any, indent: str) -> str:
    inner = indent + "    "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        parts = [
            f"{inner}{_json_string(str(k))}: {_json_value(value[k], inner)}" for k in sorted(value)
        ]
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return (
            "[\n" + ",\n".join(inner + _json_value(v, inner) for v in value) + "\n" + indent + "]"
        )
    if isinstance(value, str):
        return _json_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_json_float(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def to_json(objects: list[dict[str, Any]], *, single: bool, plural: str | None = None) -> str:
    """``-o json``. ``single``: the user named exactly one object (else a List is printed,
    even for one item). ``plural`` fills a missing kind/apiVersion. Refuses Secrets."""
    return _json_value(_prepared(objects, single=single, plural=plural), "")


# --- -o yaml: go-yaml v2 rules ----------------------------------------------------------

_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_GO_YAML_WORDS = {
    **dict.fromkeys(
        [
            "y",
            "Y",
            "yes",
            "Yes",
            "YES",
            "true",
            "True",
            "TRUE",
            "on",
            "On",
            "ON",
            "n",
            "N",
            "no",
            "No",
            "NO",
            "false",
            "False",
            "FALSE",
            "off",
            "Off",
            "OFF",
        ],
        _BOOL,
    ),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], _NULL),
    **dict.fromkeys(
        [
            ".nan",
            ".NaN",
            ".NAN",
            ".inf",
            ".Inf",
            ".INF",
            "+.inf",
            "+.Inf",
            "+.INF",
            "-.inf",
            "-.Inf",
            "-.INF",
        ],
        _FLOAT,
    ),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# `\d+(\.\d*)?`, not `\d+\.?\d*`: the same strings, but a run of digits can be split only one
# way, so a long digit run that fails at its end costs linear time, not quadratic.
_GO_FLOAT = re.compile(
    r"[-+]?(\d+(?:\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(inf|infinity|nan)", re.IGNORECASE
)
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?"
)


def _is_go_timestamp(text: str) -> bool:
    # go-yaml parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00",
    # the same with "t", "2006-1-2 15:4:5.999999999" and "2006-1-2".
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.groups()[:3])
    hms = [int(g) for g in match.groups()[3:] if g is not None]
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return not hms or (hms[0] < 24 and hms[1] < 60 and hms[2] < 60)


def _go_int(text: str) -> bool:
    # strconv.ParseInt/ParseUint(s, 0, 64) on the text with "_" removed.
    if not _GO_INT.fullmatch(text):
        return False
    body = text.lstrip("+-")
    base = {"x": 16, "o": 8, "b": 2}.get(
        body[1:2].lower(), 8 if len(body) > 1 and body[0] == "0" else 10
    )
    digits = body[2:] if base in (16, 2) or body[1:2] in ("o", "O") else body
    magnitude = int(digits, base)
    limit = 2**64 - 1 if not text.startswith("-") else 2**63
    return magnitude <= limit


def go_yaml_resolve(text: str) -> str:
    """The tag go-yaml v2 ``resolve("", text)`` gives an unquoted scalar."""
    if text in _GO_YAML_WORDS:
        return _GO_YAML_WORDS[text]
    hint = text[:1]
    if hint == ".":
        return _FLOAT if _GO_FLOAT.fullmatch(text) else _STR
    if hint and (hint in "+-" or (hint.isdigit() and hint.isascii())):
        if _is_go_timestamp(text):
            return _TIMESTAMP
        plain = text.replace("_", "")
        if _go_int(plain):
            return _INT
        if _YAML_STYLE_FLOAT.fullmatch(plain) and _GO_FLOAT.fullmatch(plain):
            return _FLOAT
        if re.fullmatch(r"-?0b[01]+", plain):
            return _INT
    return _STR


def _needs_double_quotes(text: str) -> bool:
    # encoder.stringv: quote when the plain form would not read back as this string;
    # base-60 floats ("1:20") are quoted for YAML 1.1 parsers.
    if go_yaml_resolve(text) != _STR:
        return True
    return (
        bool(text[:1])
        and (text[0] in "+-" or text[0].isdigit())
        and ":" in text
        and bool(_BASE60_FLOAT.fullmatch(text))
    )


def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"  # Go unicode.IsDigit


def _go_yaml_key_less(a: str, b: str) -> bool:
    """yaml.v2 ``keyList.Less`` for string keys (the version kubectl vendors): at the
    first difference two letters compare by code point, a letter sorts after a
    non-letter, and runs of digits compare as numbers (``a2`` < ``a10``)."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()  # unicode.IsLetter
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        ai = i
        while ai < len(a) and _is_digit(a[ai]):
            an = an * 10 + ord(a[ai]) - ord("0")
            ai += 1
        bi = i
        while bi < len(b) and _is_digit(b[bi]):
            bn = bn * 10 + ord(b[bi]) - ord("0")
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _go_yaml_key_cmp(a: str, b: str) -> int:
    return -1 if _go_yaml_key_less(a, b) else (1 if _go_yaml_key_less(b, a) else 0)


def _go_yaml_float(value: float) -> str:
    # A non-integral JSON number becomes float64, printed with FormatFloat(f, 'g', -1, 64).
    if value.is_integer() and abs(value) < 2**63:
        return str(int(value))  # encoding/json wrote it as an integer: go-yaml reads an int
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)  # decimal point position
    exp = point - 1
    neg = "-" if sign else ""
    if exp < -4 or exp >= 6:  # shortest 'g' decides with precision 6
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{neg}0.{'0' * -point}{text}"
    return f"{neg}{text[:point]}{'.' + text[point:] if len(text) > point else ''}"


class _GoYamlDumper(yaml.SafeDumper):
    """PyYAML's (pure-Python, libyaml-derived) emitter with go-yaml v2's resolver."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return go_yaml_resolve(value)
        # types-PyYAML leaves BaseResolver.resolve unannotated.
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    def analyze_scalar(self, scalar: str) -> Any:
        analysis = super().analyze_scalar(scalar)
        if any(ord(ch) > 0xFFFF for ch in scalar):
            # go-yaml does not print characters outside the BMP raw: it double-quotes
            # the scalar and writes them as an 8-digit \U escape (as PyYAML's writer then does).
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        """libyaml/go-yaml's double-quoted writer: a long line breaks only at a space
        (which the break replaces), never mid-word with a trailing backslash."""
        self.write_indicator('"', True)
        spaces = False
        for i, ch in enumerate(text):
            if ch in '"\\\x85\u2028\u2029\ufeff' or not (
                "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
            ):
                escape = self.ESCAPE_REPLACEMENTS.get(ch)
                if escape is None:
                    code = ord(ch)
                    escape = (
                        f"x{code:02X}"
                        if code <= 0xFF
                        else f"u{code:04X}"
                        if code <= 0xFFFF
                        else f"U{code:08X}"
                    )
                self._put("\\" + escape)
                spaces = False
            elif ch == " ":
                if split and not spaces and self.column > self.best_width and 0 < i < len(text) - 1:
                    self.write_indent()
                    if text[i + 1] == " ":
                        self._put("\\")
                else:
                    self._put(ch)
                spaces = True
            else:
                self._put(ch)
                spaces = False
        self.write_indicator('"', False)

    def _put(self, data: str) -> None:
        self.column += len(data)
        self.stream.write(data.encode(self.encoding) if self.encoding else data)

    def check_simple_key(self) -> bool:
        # libyaml accepts an empty scalar as a simple key (``"": x``); PyYAML does not.
        if isinstance(self.event, yaml.ScalarEvent) and self.event.value == "":
            return True
        return bool(super().check_simple_key())


def _represent_str(dumper: _GoYamlDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        style = "|"
    elif _needs_double_quotes(value):
        style = '"'
    else:
        style = None  # plain, or quoted by the emitter when plain is impossible
    return yaml.ScalarNode(_STR, value, style=style)


def _represent_mapping(dumper: _GoYamlDumper, value: Mapping[str, Any]) -> yaml.MappingNode:
    keys = sorted((str(k) for k in value), key=functools.cmp_to_key(_go_yaml_key_cmp))
    lookup_by_str = {str(k): v for k, v in value.items()}
    pairs = [(dumper.represent_data(k), dumper.represent_data(lookup_by_str[k])) for k in keys]
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=not pairs)


def _represent_float(dumper: _GoYamlDumper, value: float) -> yaml.ScalarNode:
    text = _go_yaml_float(value)
    return yaml.ScalarNode(go_yaml_resolve(text), text)


_GoYamlDumper.add_representer(str, _represent_str)
_GoYamlDumper.add_representer(dict, _represent_mapping)
_GoYamlDumper.add_representer(float, _represent_float)


def to_yaml(objects: list[dict[str, Any]], *, single: bool, plural: str | None = None) -> str:
    """``-o yaml``. ``single``: the user named exactly one object (else a List is printed,
    even for one item). ``plural`` fills a missing kind/apiVersion. Refuses Secrets."""
    document = _prepared(objects, single=single, plural=plural)
    text = yaml.dump(
        document,
        Dumper=_GoYamlDumper,
        default_flow_style=False,
        allow_unicode=True,
        indent=2,
        width=80,  # go-yaml's best_width: long plain/quoted strings fold at spaces
        sort_keys=False,
    )
    return text.removesuffix("\n")


# --- --sort-by -------------------------------------------------------------------------

# get.RelaxedJSONPathExpression: "a.b", ".a.b", "{a.b}" and "{.a.b}" are all accepted.
_RELAXED_PATH = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")
_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[-?\d+\])*)")


def parse_sort_path(path: str) -> list[str | int]:
    """Split a ``--sort-by`` expression into keys and list indexes.

    ``{.status.containerStatuses[0].restartCount}`` -> ``["status", "containerStatuses",
    0, "restartCount"]``. Only dotted fields with ``[N]`` indexes are supported; anything
    else raises ValueError.
    """
    match = _RELAXED_PATH.match(path)
    if match is None:
        raise ValueError(
            f"unexpected path string {path!r}, expected a 'name1.name2' or '.name1.name2' "
            "or '{name1.name2}' or '{.name1.name2}'"
        )
    spec = match.group(1) or match.group(2)
    steps: list[str | int] = []
    for segment in spec.split("."):
        part = _SEGMENT.fullmatch(segment)
        if part is None:
            raise ValueError(
                f"unsupported --sort-by path {path!r}: bad segment {segment!r} "
                "(only .field and [N] are supported)"
            )
        steps.append(part.group(1))
        steps.extend(int(index) for index in re.findall(r"-?\d+", part.group(2)))
    return steps


_MISSING = object()


def _lookup(obj: Any, steps: list[str | int]) -> Any:
    value = obj
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, Mapping) or step not in value:
                return _MISSING
            value = value[step]
    return value


_QUANTITY = re.compile(  # digits split one way only (see _GO_FLOAT): linear on cluster values
    r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?"
)
_SUFFIX_FACTOR = {
    None: Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def _quantity(text: str) -> Decimal | None:
    """resource.ParseQuantity, enough to compare: ``100m``, ``1Gi``, ``2e3``, ``5``."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, suffix = match.groups()
    if suffix is not None and suffix[0] in "eE":
        return Decimal(number) * Decimal(10) ** int(suffix[1:])
    return Decimal(number) * _SUFFIX_FACTOR[suffix]


def _is_less(a: Any, b: Any, path: str) -> bool:
    """kubectl's sorter ``isLess`` for the JSON values of unstructured objects."""
    if a is None or b is None:
        return a is None and b is not None
    if isinstance(a, str) and isinstance(b, str):
        qa, qb = _quantity(a), _quantity(b)
        if qa is not None and qb is not None:
            return qa < qb  # both quantities ("100m", "1Gi"): by amount
        return a < b  # else byte order: "pod-10" < "pod-9", "Z" < "a"
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return a < b  # (kubectl refuses to mix int and float; comparing them is harmless)
    # kubectl exits with "unsortable type" for booleans, lists, maps and mixed types.
    raise ValueError(
        f"field {path} is an unsortable type: {type(a).__name__} vs {type(b).__name__}"
    )


def sort_objects(objects: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    """``--sort-by``: a new list sorted by the value at ``path`` (see ``parse_sort_path``).

    Comparison follows kubectl (checked against kubectl 1.37): numbers numerically;
    strings that are both quantities (``100m`` < ``2`` < ``500Mi`` < ``1Gi``) by amount,
    other strings by byte order (so RFC 3339 timestamps sort chronologically, and
    ``pod-10`` < ``pod-9``); ``null`` before other values. Objects without the field come
    first, in reverse order of appearance (Go's insertion sort with kubectl's Less; exact
    for up to 12 objects, beyond that Go's pdqsort may order ties differently). Booleans,
    lists, maps and mixed types raise ValueError (kubectl exits with "unsortable type").
    An empty path means no sorting; a path that no object has raises ValueError, as in
    kubectl.
    """
    if path == "":
        return list(objects)
    steps = parse_sort_path(path)
    values = [_lookup(obj, steps) for obj in objects]
    if objects and all(v is _MISSING for v in values):
        raise ValueError(f"couldn't find any field with path {path!r} in the list of objects")
    missing = [obj for obj, v in zip(objects, values) if v is _MISSING]
    present = [(v, obj) for obj, v in zip(objects, values) if v is not _MISSING]

    def cmp(x: tuple[Any, Any], y: tuple[Any, Any]) -> int:
        return -1 if _is_less(x[0], y[0], path) else (1 if _is_less(y[0], x[0], path) else 0)

    present.sort(key=functools.cmp_to_key(cmp))
    return list(reversed(missing)) + [obj for _, obj in present]
