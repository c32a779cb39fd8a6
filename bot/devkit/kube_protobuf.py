"""Just enough Kubernetes protobuf to read the request bodies kubectl sends as protobuf.

kubectl's typed clients POST ``SelfSubjectAccessReview``/``SelfSubjectRulesReview`` as
``application/vnd.kubernetes.protobuf`` and do not retry as JSON when a server answers 415, so
``kubectl auth can-i`` needs the emulator to read them. Responses may be JSON: client-go decodes by
the response's Content-Type. The envelope is the ``k8s\\0`` magic followed by a ``runtime.Unknown``
whose ``raw`` field holds the object; field numbers come from ``authorization/v1/generated.proto``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

Fields = dict[int, list[Any]]

# generated.proto field numbers → JSON names, per message.
_RESOURCE_ATTRIBUTES = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
_NON_RESOURCE_ATTRIBUTES = {1: "path", 2: "verb"}


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def parse_message(data: bytes) -> Fields:
    """Wire format → {field number: [values]} (ints for varints, bytes for everything else)."""
    fields: Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        value: Any
        if wire_type == 0:
            value, pos = _varint(data, pos)
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire_type == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire_type == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def _strings(message: bytes, names: Mapping[int, str]) -> dict[str, str]:
    fields = parse_message(message)
    return {name: fields[number][-1].decode() for number, name in names.items() if number in fields}


def decode_review(body: bytes) -> dict[str, Any]:
    """A protobuf SelfSubjectAccessReview/SelfSubjectRulesReview → its JSON form (spec only)."""
    if not body.startswith(_MAGIC):
        raise ProtobufError("missing k8s protobuf magic")
    unknown = parse_message(body[len(_MAGIC) :])
    type_meta = _strings(unknown.get(1, [b""])[-1], {1: "apiVersion", 2: "kind"})
    raw = parse_message(unknown.get(2, [b""])[-1])
    spec_fields = parse_message(raw.get(2, [b""])[-1])
    spec: dict[str, Any] = {}
    if type_meta.get("kind") == "SelfSubjectRulesReview":
        spec = _strings(raw.get(2, [b""])[-1], {1: "namespace"})
    else:
        if 1 in spec_fields:
            spec["resourceAttributes"] = _strings(spec_fields[1][-1], _RESOURCE_ATTRIBUTES)
        if 2 in spec_fields:
            spec["nonResourceAttributes"] = _strings(spec_fields[2][-1], _NON_RESOURCE_ATTRIBUTES)
    return {**type_meta, "spec": spec}
