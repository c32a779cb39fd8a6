"""Just enough Kubernetes protobuf to read the request bodies kubectl sends as protobuf.

kubectl's typed clients POST ``SelfSubjectAccessReview``/``SelfSubjectRulesReview`` (and the
objects of ``kubectl create namespace|configmap|secret|...``) as
``application/vnd.kubernetes.protobuf`` and do not retry as JSON when a server answers 415, so
``kubectl auth can-i`` and those generators need the emulator to read them. Responses may be JSON: client-go decodes by
the response's Content-Type. The envelope is the ``k8s\\0`` magic followed by a ``runtime.Unknown``
whose ``raw`` field holds the object; field numbers come from ``authorization/v1/generated.proto``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

Fields = dict[int, list[Any]]

# generated.proto field numbers → JSON names, per message.
_RESOURCE_ATTRIBUTES = {
    1: "namespace",
    2: "verb",
    3: "group",
    4: "version",
    5: "resource",
    6: "subresource",
    7: "name",
}
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


# Objects kubectl's typed generators (``kubectl create namespace|configmap|secret|serviceaccount|
# role|rolebinding``) POST as protobuf. A schema maps field number → (JSON name, type); types are
# "string", "int"/"bool" (Go value fields: zero means unset), "int*"/"bool*" (Go pointers: sent
# only when set, zero included), "intstr" (IntOrString), "bytes" (base64 in JSON), "map"
# (map<string,string>), "bytesmap" (map<string,bytes>), "qmap" (map<string,Quantity>), a nested
# schema, or a one-element list of one of those (repeated). Unlisted fields are dropped.
Schema = Mapping[int, tuple[str, Any]]
_OBJECT_META: Schema = {1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"),
                        11: ("labels", "map"), 12: ("annotations", "map"), 14: ("finalizers", ["string"])}  # fmt: skip
_POLICY_RULE: Schema = {1: ("verbs", ["string"]), 2: ("apiGroups", ["string"]), 3: ("resources", ["string"]),
                        4: ("resourceNames", ["string"]), 5: ("nonResourceURLs", ["string"])}  # fmt: skip
_SUBJECT: Schema = {
    1: ("kind", "string"),
    2: ("apiGroup", "string"),
    3: ("name", "string"),
    4: ("namespace", "string"),
}
_ROLE_REF: Schema = {1: ("apiGroup", "string"), 2: ("kind", "string"), 3: ("name", "string")}
_BINDING: Schema = {
    1: ("metadata", _OBJECT_META),
    2: ("subjects", [_SUBJECT]),
    3: ("roleRef", _ROLE_REF),
}
_LABEL_SELECTOR: Schema = {1: ("matchLabels", "map"),
                           2: ("matchExpressions", [{1: ("key", "string"), 2: ("operator", "string"),
                                                     3: ("values", ["string"])}])}  # fmt: skip
_CONTAINER: Schema = {
    1: ("name", "string"), 2: ("image", "string"), 3: ("command", ["string"]), 4: ("args", ["string"]),
    5: ("workingDir", "string"),
    6: ("ports", [{1: ("name", "string"), 2: ("hostPort", "int"), 3: ("containerPort", "int"),
                   4: ("protocol", "string"), 5: ("hostIP", "string")}]),
    7: ("env", [{1: ("name", "string"), 2: ("value", "string")}]),
    8: ("resources", {1: ("limits", "qmap"), 2: ("requests", "qmap")}),
    9: ("volumeMounts", [{1: ("name", "string"), 2: ("readOnly", "bool"), 3: ("mountPath", "string"),
                          4: ("subPath", "string")}]),
    13: ("terminationMessagePath", "string"), 14: ("imagePullPolicy", "string"), 16: ("stdin", "bool"),
    17: ("stdinOnce", "bool"), 18: ("tty", "bool"), 20: ("terminationMessagePolicy", "string"),
}  # fmt: skip
_POD_SPEC: Schema = {
    2: ("containers", [_CONTAINER]), 3: ("restartPolicy", "string"), 4: ("terminationGracePeriodSeconds", "int*"),
    5: ("activeDeadlineSeconds", "int*"), 6: ("dnsPolicy", "string"), 7: ("nodeSelector", "map"),
    8: ("serviceAccountName", "string"), 10: ("nodeName", "string"), 19: ("schedulerName", "string"),
    20: ("initContainers", [_CONTAINER]),
}  # fmt: skip
_POD_TEMPLATE: Schema = {1: ("metadata", _OBJECT_META), 2: ("spec", _POD_SPEC)}
_DEPLOYMENT_SPEC: Schema = {
    1: ("replicas", "int*"), 2: ("selector", _LABEL_SELECTOR), 3: ("template", _POD_TEMPLATE),
    4: ("strategy", {1: ("type", "string"), 2: ("rollingUpdate", {1: ("maxUnavailable", "intstr"),
                                                                   2: ("maxSurge", "intstr")})}),
    5: ("minReadySeconds", "int"), 6: ("revisionHistoryLimit", "int*"), 7: ("paused", "bool"),
    9: ("progressDeadlineSeconds", "int*"),
}  # fmt: skip
_JOB_SPEC: Schema = {
    1: ("parallelism", "int*"), 2: ("completions", "int*"), 3: ("activeDeadlineSeconds", "int*"),
    4: ("selector", _LABEL_SELECTOR), 5: ("manualSelector", "bool*"), 6: ("template", _POD_TEMPLATE),
    7: ("backoffLimit", "int*"), 8: ("ttlSecondsAfterFinished", "int*"), 9: ("completionMode", "string"),
    10: ("suspend", "bool*"),
}  # fmt: skip
_SERVICE_SPEC: Schema = {
    1: ("ports", [{1: ("name", "string"), 2: ("protocol", "string"), 3: ("port", "int"),
                   4: ("targetPort", "intstr"), 5: ("nodePort", "int"), 6: ("appProtocol", "string")}]),
    2: ("selector", "map"), 3: ("clusterIP", "string"), 4: ("type", "string"), 5: ("externalIPs", ["string"]),
    7: ("sessionAffinity", "string"), 10: ("externalName", "string"), 11: ("externalTrafficPolicy", "string"),
}  # fmt: skip
OBJECT_SCHEMAS: dict[str, Schema] = {
    "TokenRequest": {1: ("metadata", _OBJECT_META),
                     2: ("spec", {1: ("audiences", ["string"]), 4: ("expirationSeconds", "int*")})},
    "ResourceQuota": {1: ("metadata", _OBJECT_META), 2: ("spec", {1: ("hard", "qmap"), 2: ("scopes", ["string"])})},
    "Deployment": {1: ("metadata", _OBJECT_META), 2: ("spec", _DEPLOYMENT_SPEC)},
    "Job": {1: ("metadata", _OBJECT_META), 2: ("spec", _JOB_SPEC)},
    "Service": {1: ("metadata", _OBJECT_META), 2: ("spec", _SERVICE_SPEC)},
    "Namespace": {1: ("metadata", _OBJECT_META)},
    "ConfigMap": {1: ("metadata", _OBJECT_META), 2: ("data", "map"), 3: ("binaryData", "bytesmap"),
                  4: ("immutable", "bool*")},
    "Secret": {1: ("metadata", _OBJECT_META), 2: ("data", "bytesmap"), 3: ("type", "string"),
               4: ("stringData", "map"), 5: ("immutable", "bool*")},
    "ServiceAccount": {1: ("metadata", _OBJECT_META), 3: ("imagePullSecrets", [{1: ("name", "string")}]),
                       4: ("automountServiceAccountToken", "bool*")},
    "Role": {1: ("metadata", _OBJECT_META), 2: ("rules", [_POLICY_RULE])},
    "ClusterRole": {1: ("metadata", _OBJECT_META), 2: ("rules", [_POLICY_RULE])},
    "RoleBinding": _BINDING,
    "ClusterRoleBinding": _BINDING,
}  # fmt: skip


def _decode_value(value: Any, kind: Any) -> Any:
    if kind == "string":
        return value.decode()
    if kind in ("bool", "bool*"):
        return bool(value)
    if kind in ("int", "int*"):
        return (
            value - (1 << 64) if value >= 1 << 63 else value
        )  # negative int32/int64 are 10-byte varints
    if kind == "intstr":
        fields = parse_message(value)
        if fields.get(1, [0])[-1] == 1:
            return fields.get(3, [b""])[-1].decode()
        return _decode_value(fields.get(2, [0])[-1], "int")
    if kind == "bytes":
        return base64.b64encode(value).decode()
    if isinstance(kind, Mapping):
        return decode_with(value, kind)
    raise ProtobufError(f"unsupported schema type {kind!r}")


def decode_with(message: bytes, schema: Schema) -> dict[str, Any]:
    """A protobuf message → its JSON form, for the fields ``schema`` names (others are dropped)."""
    out: dict[str, Any] = {}
    fields = parse_message(message)
    for number, (name, kind) in schema.items():
        values = fields.get(number)
        if not values:
            continue
        if kind in ("map", "bytesmap", "qmap"):
            entries = {}
            for entry in values:
                pair = parse_message(entry)
                key = pair.get(1, [b""])[-1].decode()
                raw = pair.get(2, [b""])[-1]
                if kind == "qmap":  # resource.Quantity is {string = 1}
                    entries[key] = parse_message(raw).get(1, [b""])[-1].decode()
                else:
                    entries[key] = _decode_value(raw, "string" if kind == "map" else "bytes")
            out[name] = entries
        elif isinstance(kind, list):
            out[name] = [_decode_value(v, kind[0]) for v in values]
        else:
            decoded = _decode_value(values[-1], kind)
            # Go value fields are always sent; their zero value means unset (omitempty) in JSON.
            if not (kind in ("string", "int", "bool") and not decoded):
                out[name] = decoded
    return out


def decode_object(body: bytes) -> dict[str, Any]:
    """A protobuf API object (the kinds in ``OBJECT_SCHEMAS``) → its JSON form."""
    if not body.startswith(_MAGIC):
        raise ProtobufError("missing k8s protobuf magic")
    unknown = parse_message(body[len(_MAGIC) :])
    type_meta = _strings(unknown.get(1, [b""])[-1], {1: "apiVersion", 2: "kind"})
    schema = OBJECT_SCHEMAS.get(type_meta.get("kind", ""))
    if schema is None:
        raise ProtobufError(f"protobuf bodies of kind {type_meta.get('kind')!r} are not supported")
    return {**type_meta, **decode_with(unknown.get(2, [b""])[-1], schema)}
