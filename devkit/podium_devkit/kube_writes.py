"""What the API server does to an object on its way in: patching, pruning, defaulting, validation.

Pure functions over plain dicts, used by ``kube_api`` for create (POST), replace (PUT), patch
(PATCH) and delete. They mirror apiserver behaviour that kubectl's output depends on:

- ``strategic_merge_patch`` (``application/strategic-merge-patch+json``, what ``kubectl apply``,
  ``set image`` and ``rollout restart`` send), ``merge_patch`` (RFC 7386) and ``json_patch``
  (RFC 6902);
- ``prune_unknown``: fields the schema does not know are dropped (``fieldValidation=Warn``, the
  default) or refused (``Strict``, what kubectl sends): "strict decoding error: unknown field";
- ``apply_defaults``: the defaulting (and Pod admission) a real server performs, reusing the seed
  time defaulting of ``kube_materialize`` so written and seeded objects look alike;
- ``validate`` and ``immutable_errors``: the field errors kubectl prints as
  ``The Deployment "x" is invalid: ...``;
- ``apply_limit_ranges`` and ``quota_refusal``: the LimitRanger and ResourceQuota admission
  plugins for pods (the controllers should call them too before they create pods).

Errors are ``ApiError``: a Status code, reason, message and details, rendered by ``kube_api``.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from podium_devkit.kube_materialize import Materializer, default_pod_spec, stable_uid, suffix

Obj = dict[str, Any]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Kinds whose metadata.generation the API server maintains (bumped on spec changes only).
GENERATION_KINDS = frozenset({"Pod", "Deployment", "ReplicaSet", "Job", "EndpointSlice"})
# Kinds whose status is the API server's, not the writer's: reset on create, kept on update.
STATUS_KINDS = frozenset(
    {"Pod", "Deployment", "ReplicaSet", "Job", "Service", "Namespace", "ResourceQuota"}
)


@dataclass
class ApiError(Exception):
    """A refusal in the API server's words; ``kube_api`` turns it into a Status body."""

    code: int
    message: str
    reason: str
    details: Obj | None = None

    def __str__(self) -> str:
        return self.message


# ----------------------------------------------------------------------------------------------
# Patches
# ----------------------------------------------------------------------------------------------

# patchMergeKey of the built-in types' lists (k8s.io/api struct tags), by field name.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "ownerReferences": "uid",
    "resourceClaims": "name",
    "conditions": "type",
}
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# Lists of scalars with patchStrategy=merge (union instead of replace).
_PRIMITIVE_MERGE = {("metadata", "finalizers")}


def merge_key(kind: str, path: tuple[str, ...]) -> str | None:
    """The merge key of the list at ``path`` (field names, no indices), or None: replaced whole."""
    name = path[-1] if path else ""
    if name == "ports":
        if len(path) >= 2 and path[-2] in _CONTAINER_LISTS:
            return "containerPort"
        if kind == "Service" and path == ("spec", "ports"):
            return "port"
        return None
    if name == "conditions":
        return "type" if path[:1] == ("status",) else None
    if name in ("env", "volumeMounts", "volumeDevices") and not (
        len(path) >= 2 and path[-2] in _CONTAINER_LISTS
    ):
        return None
    return _MERGE_KEYS.get(name)


def _strip(value: Any) -> Any:
    """A patch value stored as-is: without ``$``-directives."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [
            _strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "delete")
        ]
    return value


def strategic_merge_patch(original: Mapping[str, Any], patch: Mapping[str, Any], kind: str) -> Obj:
    """Apply a strategic merge patch to ``original`` (not modified); see ``apimachinery``'s
    ``strategicpatch.StrategicMergePatch``."""
    if not isinstance(patch, Mapping):
        raise ApiError(400, "strategic merge patch must be a JSON object", "BadRequest")
    merged = _merge_map(copy.deepcopy(dict(original)), patch, kind, ())
    return merged if merged is not None else {}


def _merge_map(
    original: Obj, patch: Mapping[str, Any], kind: str, path: tuple[str, ...]
) -> Obj | None:
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip(dict(patch))
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise ApiError(400, f"Unknown patch type: {directive} in map: {dict(patch)}", "BadRequest")
    result = original
    retain = patch.get("$retainKeys")
    if retain is not None:
        result = {k: v for k, v in result.items() if k in retain}
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = list(value or [])
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            target = key.split("/", 1)[1]
            if isinstance(result.get(target), list):
                result[target] = [v for v in result[target] if v not in (value or [])]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            current = result.get(key)
            merged = _merge_map(
                current if isinstance(current, dict) else {}, value, kind, (*path, key)
            )
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            current = result.get(key)
            result[key] = _merge_list(
                current if isinstance(current, list) else [], value, kind, (*path, key)
            )
        else:
            result[key] = value
    for key, order in orders.items():
        if isinstance(result.get(key), list):
            result[key] = _set_order(result[key], order, merge_key(kind, (*path, key)))
    return result


def _merge_list(
    original: list[Any], patch: list[Any], kind: str, path: tuple[str, ...]
) -> list[Any]:
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [
            _strip(p) for p in patch if not (isinstance(p, dict) and p.get("$patch") == "replace")
        ]
    key = merge_key(kind, path)
    if key is None:
        if path[-1:] and (path[0:1] + path[-1:]) in _PRIMITIVE_MERGE:
            return original + [v for v in patch if v not in original]
        return _strip(patch)
    result = original
    for item in patch:
        if not isinstance(item, dict):
            raise ApiError(400, f"unable to find api field in struct for the list item {item!r} of {'.'.join(path)}",
                           "BadRequest")  # fmt: skip
        if key not in item:
            raise ApiError(
                400, f"map: {item} does not contain declared merge key: {key}", "BadRequest"
            )
        index = next(
            (i for i, o in enumerate(result) if isinstance(o, dict) and o.get(key) == item[key]),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
            continue
        if index is None:
            result.append(_strip(item))
        else:
            merged = _merge_map(result[index], item, kind, path)
            result[index] = merged if merged is not None else result[index]
    return result


def _set_order(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    """``$setElementOrder``: the listed elements in that order; others keep their positions."""

    def ident(item: Any) -> Any:
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [o.get(key) if key and isinstance(o, dict) else o for o in order]
    ordered = sorted((i for i in items if ident(i) in wanted), key=lambda i: wanted.index(ident(i)))
    out, it = [], iter(ordered)
    for item in items:
        out.append(next(it) if ident(item) in wanted else item)
    return out


def merge_patch(original: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``application/merge-patch+json``)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(original: Any, operations: Any) -> Any:
    """RFC 6902 JSON patch (``application/json-patch+json``)."""
    if not isinstance(operations, list):
        raise ApiError(400, "the body of the request was in an unknown format - accepted media types include: "
                       "application/json-patch+json, application/merge-patch+json, "
                       "application/apply-patch+yaml", "BadRequest")  # fmt: skip
    doc = copy.deepcopy(original)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise ApiError(400, f"invalid JSON patch operation: {op!r}", "BadRequest")
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = _pointer_set(doc, path, copy.deepcopy(op.get("value")), insert=True)
        elif kind == "remove":
            doc, _ = _pointer_remove(doc, path)
        elif kind == "replace":
            _pointer_get(doc, path)
            doc = _pointer_set(doc, path, copy.deepcopy(op.get("value")), insert=False)
        elif kind in ("move", "copy"):
            value = _pointer_get(doc, op.get("from", ""))
            if kind == "move":
                doc, value = _pointer_remove(doc, op.get("from", ""))
            doc = _pointer_set(doc, path, copy.deepcopy(value), insert=True)
        elif kind == "test":
            if _pointer_get(doc, path) != op.get("value"):
                raise ApiError(422, f"the server rejected our request due to an error in our request: "
                               f"testing value {path} failed", "Invalid")  # fmt: skip
        else:
            raise ApiError(400, f"Unexpected kind: {kind}", "BadRequest")
    return doc


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ApiError(400, f'JSON pointer "{pointer}" must start with "/"', "BadRequest")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _missing(pointer: str) -> ApiError:
    return ApiError(422, f"the server rejected our request due to an error in our request: "
                    f"doc is missing path: \"{pointer}\": missing value", "Invalid")  # fmt: skip


def _step(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    raise _missing(pointer)


def _pointer_get(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _tokens(pointer):
        node = _step(node, token, pointer)
    return node


def _pointer_set(doc: Any, pointer: str, value: Any, *, insert: bool) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent = (
        _pointer_get(
            doc, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1])
        )
        if tokens[:-1]
        else doc
    )
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent) - (0 if insert else 1):
            if insert:
                parent.insert(int(last), value)
            else:
                parent[int(last)] = value
        else:
            raise _missing(pointer)
    else:
        raise _missing(pointer)
    return doc


def _pointer_remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    tokens = _tokens(pointer)
    if not tokens:
        raise _missing(pointer)
    parent = doc
    for token in tokens[:-1]:
        parent = _step(parent, token, pointer)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return doc, parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return doc, parent.pop(int(last))
    raise _missing(pointer)


# ----------------------------------------------------------------------------------------------
# Schema: which fields exist (unknown ones are dropped, or refused with fieldValidation=Strict)
# ----------------------------------------------------------------------------------------------

ANY = "any"  # not modelled here: accepted as written
MAP = "map"  # string → anything (labels, annotations, data, nodeSelector...)


def _fields(*names: str, **nested: Any) -> dict[str, Any]:
    return {**dict.fromkeys(names, ANY), **nested}


_SELECTOR = _fields(matchLabels=MAP, matchExpressions=ANY)
_META = _fields(
    "name",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "selfLink",
    labels=MAP,
    annotations=MAP,
)
_CONTAINER = _fields(
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "envFrom",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
    ports=[_fields("name", "hostPort", "containerPort", "protocol", "hostIP")],
    env=[_fields("name", "value", "valueFrom")],
    volumeMounts=[
        _fields(
            "name",
            "readOnly",
            "recursiveReadOnly",
            "mountPath",
            "subPath",
            "mountPropagation",
            "subPathExpr",
        )
    ],
)
_POD_SPEC = _fields(
    "volumes",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "shareProcessNamespace",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "dnsConfig",
    "readinessGates",
    "runtimeClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "setHostnameAsFQDN",
    "os",
    "hostUsers",
    "schedulingGates",
    "resourceClaims",
    "resources",
    "hostnameOverride",
    nodeSelector=MAP,
    containers=[_CONTAINER],
    initContainers=[_CONTAINER],
)
_TEMPLATE = _fields(metadata=_META, spec=_POD_SPEC)
_SPECS: dict[str, Any] = {
    "Pod": _POD_SPEC,
    "Deployment": _fields(
        "replicas",
        "strategy",
        "minReadySeconds",
        "revisionHistoryLimit",
        "paused",
        "progressDeadlineSeconds",
        selector=_SELECTOR,
        template=_TEMPLATE,
    ),
    "ReplicaSet": _fields("replicas", "minReadySeconds", selector=_SELECTOR, template=_TEMPLATE),
    "Job": _fields(
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "podFailurePolicy",
        "successPolicy",
        "backoffLimit",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
        "manualSelector",
        "ttlSecondsAfterFinished",
        "completionMode",
        "suspend",
        "podReplacementPolicy",
        "managedBy",
        selector=_SELECTOR,
        template=_TEMPLATE,
    ),
    "Service": _fields(
        "clusterIP",
        "clusterIPs",
        "type",
        "externalIPs",
        "sessionAffinity",
        "loadBalancerIP",
        "loadBalancerSourceRanges",
        "externalName",
        "externalTrafficPolicy",
        "healthCheckNodePort",
        "publishNotReadyAddresses",
        "sessionAffinityConfig",
        "ipFamilies",
        "ipFamilyPolicy",
        "allocateLoadBalancerNodePorts",
        "loadBalancerClass",
        "internalTrafficPolicy",
        "trafficDistribution",
        selector=MAP,
        ports=[_fields("name", "protocol", "appProtocol", "port", "targetPort", "nodePort")],
    ),
}
_TOP: dict[str, dict[str, Any]] = {
    "ConfigMap": _fields("immutable", data=MAP, binaryData=MAP),
    "Secret": _fields("type", "immutable", data=MAP, stringData=MAP),
    "ServiceAccount": _fields("secrets", "imagePullSecrets", "automountServiceAccountToken"),
    "Role": _fields("rules"),
    "ClusterRole": _fields("rules", "aggregationRule"),
    "RoleBinding": _fields("roleRef", "subjects"),
    "ClusterRoleBinding": _fields("roleRef", "subjects"),
}


def _schema(kind: str) -> dict[str, Any] | None:
    if kind in _SPECS:
        return _fields("apiVersion", "kind", "status", metadata=_META, spec=_SPECS[kind])
    if kind in _TOP:
        return _fields("apiVersion", "kind", **_TOP[kind], metadata=_META)
    return None  # kinds whose fields are not modelled here (Namespace, ResourceQuota...): accepted as written


def prune_unknown(obj: Obj, kind: str) -> tuple[Obj, list[str]]:
    """``obj`` without the fields the kind does not have, and their paths (``spec.replica``)."""
    schema = _schema(kind)
    if schema is None:
        return obj, []
    unknown: list[str] = []
    return _prune(obj, schema, "", unknown), unknown


def _prune(value: Any, schema: Any, path: str, unknown: list[str]) -> Any:
    if schema in (ANY, MAP):
        return value
    if isinstance(schema, list):
        if not isinstance(value, list):
            return value
        return [_prune(v, schema[0], f"{path}[{i}]", unknown) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out: Obj = {}
    for key, child in value.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            unknown.append(where)
            continue
        out[key] = _prune(child, schema[key], where, unknown)
    return out


def strict_decoding_error(unknown: Iterable[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown)


# ----------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")

MSG_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")  # fmt: skip
MSG_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                 "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")  # fmt: skip
MSG_DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")  # fmt: skip
MSG_LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                   "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
                   "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")  # fmt: skip
MSG_QUALIFIED = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                 "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                 "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")  # fmt: skip


@dataclass(frozen=True)
class FieldError:
    field: str
    kind: str  # "Required value" | "Invalid value" | "Unsupported value" | "Forbidden"
    value: Any = None
    detail: str = ""

    @property
    def reason(self) -> str:
        return {"Required value": "FieldValueRequired", "Invalid value": "FieldValueInvalid",
                "Unsupported value": "FieldValueNotSupported", "Forbidden": "FieldValueForbidden"}[self.kind]  # fmt: skip

    def error_body(self) -> str:
        """``field.Error.ErrorBody``: what follows the field path."""
        if self.kind in ("Required value", "Forbidden"):
            return f"{self.kind}: {self.detail}" if self.detail else self.kind
        return f"{self.kind}: {go_value(self.value)}" + (f": {self.detail}" if self.detail else "")

    def __str__(self) -> str:
        return f"{self.field}: {self.error_body()}"


class GoText(str):
    """A value already printed the Go way (a struct dump): shown as is, not quoted."""


def go_value(value: Any) -> str:
    """How ``field.Error`` prints a value (Go's ``%#v``-ish for maps, quoted strings)."""
    if isinstance(value, GoText):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        inner = ", ".join(f"{go_value(k)}:{go_value(v)}" for k, v in sorted(value.items()))
        return f"map[string]string{{{inner}}}"
    if value is None:
        return "null"
    return str(value)


def invalid(kind: str, group: str, name: str, errors: list[FieldError]) -> ApiError:
    qualified = f"{kind}.{group}" if group else kind
    listed = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(map(str, errors)) + "]"
    details: Obj = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [
        {"reason": e.reason, "message": e.error_body(), "field": e.field} for e in errors
    ]
    return ApiError(422, f'{qualified} "{name}" is invalid: {listed}', "Invalid", details)


def _name_errors(kind: str, meta: Mapping[str, Any]) -> list[FieldError]:
    name = meta.get("name")
    if not name:
        return [
            FieldError("metadata.name", "Required value", detail="name or generateName is required")
        ]
    if not isinstance(name, str):
        return [FieldError("metadata.name", "Invalid value", name, MSG_SUBDOMAIN)]
    if kind == "Namespace":
        ok, message = bool(_DNS1123_LABEL.match(name)) and len(name) <= 63, MSG_LABEL
    elif kind == "Service":
        ok, message = bool(_DNS1035_LABEL.match(name)) and len(name) <= 63, MSG_DNS1035
    elif kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        ok, message = "/" not in name and name not in (".", ".."), "may not contain '/'"
    else:
        ok, message = bool(_DNS1123_SUBDOMAIN.match(name)) and len(name) <= 253, MSG_SUBDOMAIN
    return [] if ok else [FieldError("metadata.name", "Invalid value", name, message)]


def _label_errors(labels: Any, where: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(labels, dict):
        return errors
    for key, value in labels.items():
        prefix, _, name = str(key).rpartition("/")
        if (
            not _QUALIFIED_NAME.match(name)
            or len(name) > 63
            or (prefix and not _DNS1123_SUBDOMAIN.match(prefix))
        ):
            errors.append(FieldError(where, "Invalid value", key, MSG_QUALIFIED))
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            errors.append(FieldError(where, "Invalid value", value, MSG_LABEL_VALUE))
    return errors


def _pod_spec_errors(spec: Any, where: str) -> list[FieldError]:
    if not isinstance(spec, dict):
        return [FieldError(f"{where}.containers", "Required value")]
    errors: list[FieldError] = []
    containers = spec.get("containers")
    if not containers:
        errors.append(FieldError(f"{where}.containers", "Required value"))
    for group in ("initContainers", "containers"):
        seen: set[str] = set()
        for i, container in enumerate(spec.get(group) or []):
            at = f"{where}.{group}[{i}]"
            name = container.get("name") if isinstance(container, dict) else None
            if not name:
                errors.append(FieldError(f"{at}.name", "Required value"))
            elif not _DNS1123_LABEL.match(str(name)):
                errors.append(FieldError(f"{at}.name", "Invalid value", name, MSG_LABEL))
            elif name in seen:
                errors.append(FieldError(f"{at}.name", "Invalid value", name, "must be unique"))
            seen.add(str(name))
            if isinstance(container, dict) and not container.get("image"):
                errors.append(FieldError(f"{at}.image", "Required value"))
            for j, port in enumerate((container or {}).get("ports") or []):
                number = port.get("containerPort") if isinstance(port, dict) else None
                if number is None:
                    errors.append(FieldError(f"{at}.ports[{j}].containerPort", "Required value"))
                elif not isinstance(number, int) or not 1 <= number <= 65535:
                    errors.append(FieldError(f"{at}.ports[{j}].containerPort", "Invalid value", number,
                                             "must be between 1 and 65535, inclusive"))  # fmt: skip
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        errors.append(FieldError(f"{where}.restartPolicy", "Unsupported value", policy,
                                 'supported values: "Always", "OnFailure", "Never"'))  # fmt: skip
    return errors


def _selector_errors(spec: Mapping[str, Any], *, optional: bool = False) -> list[FieldError]:
    selector = spec.get("selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selector:
        return [] if optional else [FieldError("spec.selector", "Required value")]
    match = selector.get("matchLabels") or {}
    if not match and not selector.get("matchExpressions"):
        return [
            FieldError(
                "spec.selector", "Invalid value", "{}", "empty selector is invalid for deployment"
            )
        ]
    errors = _label_errors(match, "spec.selector.matchLabels")
    if any(labels.get(k) != v for k, v in match.items()):
        errors.append(FieldError("spec.template.metadata.labels", "Invalid value", dict(labels),
                                 "`selector` does not match template `labels`"))  # fmt: skip
    return errors


def validate(obj: Mapping[str, Any], kind: str) -> list[FieldError]:
    """Field errors for a create or update of ``obj`` (already defaulted)."""
    meta = obj.get("metadata") or {}
    errors = _name_errors(kind, meta) + _label_errors(meta.get("labels"), "metadata.labels")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        errors += _pod_spec_errors(spec, "spec")
    elif kind in ("Deployment", "ReplicaSet", "Job"):
        replicas = spec.get("replicas")
        if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
            errors.append(FieldError("spec.replicas", "Invalid value", replicas,
                                     "must be greater than or equal to 0"))  # fmt: skip
        errors += _selector_errors(spec, optional=kind == "Job")
        template = spec.get("template") or {}
        errors += _label_errors(
            (template.get("metadata") or {}).get("labels"), "spec.template.metadata.labels"
        )
        errors += _pod_spec_errors(template.get("spec"), "spec.template.spec")
        policy = (template.get("spec") or {}).get("restartPolicy")
        if kind == "Job" and policy not in ("OnFailure", "Never"):
            errors.append(FieldError("spec.template.spec.restartPolicy", "Required value",
                                     detail='valid values: "OnFailure", "Never"') if policy is None else
                          FieldError("spec.template.spec.restartPolicy", "Unsupported value", policy,
                                     'supported values: "OnFailure", "Never"'))  # fmt: skip
        elif kind != "Job" and policy not in (None, "Always"):
            errors.append(FieldError("spec.template.spec.restartPolicy", "Unsupported value", policy,
                                     'supported values: "Always"'))  # fmt: skip
    elif kind == "Service":
        type_ = spec.get("type", "ClusterIP")
        ports = spec.get("ports") or []
        if not ports and type_ != "ExternalName" and spec.get("clusterIP") != "None":
            errors.append(FieldError("spec.ports", "Required value"))
        for i, port in enumerate(ports):
            number = port.get("port") if isinstance(port, dict) else None
            if number is None:
                errors.append(FieldError(f"spec.ports[{i}].port", "Required value"))
            elif not isinstance(number, int) or not 1 <= number <= 65535:
                errors.append(FieldError(f"spec.ports[{i}].port", "Invalid value", number,
                                         "must be between 1 and 65535, inclusive"))  # fmt: skip
            if len(ports) > 1 and not port.get("name"):
                errors.append(FieldError(f"spec.ports[{i}].name", "Required value"))
        if type_ not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
            errors.append(FieldError("spec.type", "Unsupported value", type_,
                                     'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'))  # fmt: skip
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = obj.get("roleRef") or {}
        if not ref.get("name"):
            errors.append(FieldError("roleRef.name", "Required value"))
        if ref.get("kind") not in ("Role", "ClusterRole"):
            errors.append(FieldError("roleRef.kind", "Unsupported value", ref.get("kind", ""),
                                     'supported values: "ClusterRole", "Role"'))  # fmt: skip
    return errors


POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def _pod_spec_mutable_parts_cleared(spec: Mapping[str, Any]) -> Obj:
    """A pod spec without what an update may change (images, activeDeadlineSeconds, tolerations)."""
    out = copy.deepcopy(dict(spec))
    for group in ("containers", "initContainers"):
        for container in out.get(group) or []:
            if isinstance(container, dict):
                container.pop("image", None)
    out.pop("activeDeadlineSeconds", None)
    out.pop("tolerations", None)
    out.pop("terminationGracePeriodSeconds", None)
    return out


def immutable_errors(old: Mapping[str, Any], new: Mapping[str, Any], kind: str) -> list[FieldError]:
    """Fields an update may not change."""
    errors: list[FieldError] = []
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    if kind == "Pod" and _pod_spec_mutable_parts_cleared(
        old_spec
    ) != _pod_spec_mutable_parts_cleared(new_spec):
        errors.append(FieldError("spec", "Forbidden", detail=POD_UPDATE_FORBIDDEN))
    if (
        kind == "Service"
        and old_spec.get("clusterIP")
        and new_spec.get("clusterIP") != old_spec.get("clusterIP")
    ):
        errors.append(FieldError("spec.clusterIPs[0]", "Invalid value", new_spec.get("clusterIP", ""),
                                 "may not change once set"))  # fmt: skip
    if kind in ("Deployment", "ReplicaSet") and old_spec.get("selector") != new_spec.get(
        "selector"
    ):
        errors.append(FieldError("spec.selector", "Invalid value", _selector_text(new_spec.get("selector")),
                                 "field is immutable"))  # fmt: skip
    if kind == "Job" and old_spec.get("template") != new_spec.get("template"):
        errors.append(
            FieldError(
                "spec.template",
                "Invalid value",
                GoText("core.PodTemplateSpec{...}"),
                "field is immutable",
            )
        )
    if kind in ("RoleBinding", "ClusterRoleBinding") and old.get("roleRef") != new.get("roleRef"):
        errors.append(
            FieldError(
                "roleRef", "Invalid value", GoText("rbac.RoleRef{...}"), "cannot change roleRef"
            )
        )
    return errors


def _selector_text(selector: Any) -> GoText:
    labels = (selector or {}).get("matchLabels") or {}
    return GoText(
        f"v1.LabelSelector{{MatchLabels:{go_value(labels)}, "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
    )


# ----------------------------------------------------------------------------------------------
# Defaulting and bookkeeping
# ----------------------------------------------------------------------------------------------


def generated_name(prefix: str, taken: Iterable[str], seed: str) -> str:
    """``generateName``: the prefix plus five random-looking characters, unique among ``taken``."""
    used = set(taken)
    for attempt in range(1000):
        candidate = f"{prefix}{suffix(seed, prefix, str(attempt))}"
        if candidate not in used:
            return candidate
    raise ApiError(500, f"unable to generate a unique name for prefix {prefix!r}", "InternalError")


def apply_defaults(
    obj: Obj, kind: str, *, creating: bool, used_cluster_ips: Iterable[str] = ()
) -> Obj:
    """Defaulting as the API server does it on decode (and Pod admission on create)."""
    spec = obj.get("spec")
    if kind == "Pod":
        if creating:
            Materializer(now=None).admit_pod(obj)  # type: ignore[arg-type]  # admission reads no clock
        else:
            default_pod_spec(obj.setdefault("spec", {}))
    elif kind in ("Deployment", "ReplicaSet", "Job") and isinstance(spec, dict):
        template = spec.setdefault("template", {})
        template.setdefault("metadata", {})
        default_pod_spec(template.setdefault("spec", {}))
        if kind == "Deployment":
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
            strategy.setdefault("type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate":
                rolling = strategy.setdefault("rollingUpdate", {})
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
        elif kind == "ReplicaSet":
            spec.setdefault("replicas", 1)
        else:
            _default_job(obj, spec, template)
    elif kind == "Service" and isinstance(spec, dict):
        _default_service(obj, spec, used_cluster_ips)
    elif kind == "Namespace":
        meta = obj["metadata"]
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = obj.get("status") or {"phase": "Active"}
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None) or {}
        if string_data:  # the server folds stringData into data and never returns it
            data = obj.setdefault("data", {})
            for key, value in string_data.items():
                data[key] = base64.b64encode(str(value).encode()).decode()
    elif kind == "RoleBinding" or kind == "ClusterRoleBinding":
        for subject in obj.get("subjects") or []:
            if subject.get("kind") in ("User", "Group"):
                subject.setdefault("apiGroup", "rbac.authorization.k8s.io")
    return obj


def _default_job(obj: Obj, spec: Obj, template: Obj) -> None:
    uid = obj["metadata"].get("uid", "")
    name = obj["metadata"].get("name", "")
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    if not spec.get("selector") and uid:
        # The job controller's labels: the generated selector matches exactly this Job's pods.
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        labels = template["metadata"].setdefault("labels", {})
        labels.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
                       "controller-uid": uid, "job-name": name})  # fmt: skip
        obj["metadata"].setdefault("labels", {}).update({"batch.kubernetes.io/controller-uid": uid,
                                                         "batch.kubernetes.io/job-name": name,
                                                         "controller-uid": uid, "job-name": name})  # fmt: skip


def _default_service(obj: Obj, spec: Obj, used_cluster_ips: Iterable[str]) -> None:
    meta = obj["metadata"]
    type_ = spec.setdefault("type", "ClusterIP")
    if type_ != "ExternalName":
        if not spec.get("clusterIP"):
            used = set(used_cluster_ips)
            n = int(
                stable_uid("clusterip", meta.get("namespace", ""), meta.get("name", "")).replace(
                    "-", ""
                )[:8],
                16,
            )
            while True:
                ip = f"10.100.{(n >> 8) % 254 + 1}.{n % 254 + 1}"
                if ip not in used:
                    break
                n += 1
            spec["clusterIP"] = ip
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("sessionAffinity", "None")
    for i, port in enumerate(spec.get("ports") or []):
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if port.get("port") is not None:
                port.setdefault("targetPort", port.get("port"))
            if type_ in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
                seed = stable_uid(
                    "nodeport", meta.get("namespace", ""), meta.get("name", ""), str(i)
                )
                port["nodePort"] = 30000 + int(seed.replace("-", "")[:8], 16) % 2768
    if type_ in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if type_ == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def spec_of(obj: Mapping[str, Any]) -> Obj:
    """Everything but metadata and status: what a generation bump is about."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def owned_by(obj: Mapping[str, Any], uid: str) -> bool:
    return any(
        ref.get("uid") == uid for ref in (obj.get("metadata") or {}).get("ownerReferences") or []
    )


# ----------------------------------------------------------------------------------------------
# Admission: LimitRange defaults and ResourceQuota (for pods)
# ----------------------------------------------------------------------------------------------

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}  # fmt: skip
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)(e[+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_COMPUTE = ("cpu", "memory", "ephemeral-storage")


def parse_quantity(value: Any) -> Fraction:
    """``resource.Quantity``: ``100m`` → 1/10, ``64Mi`` → 67108864, ``1e3`` → 1000."""
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"quantities must match the regular expression "
                         f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text!r}")  # fmt: skip
    number, unit = Fraction(match.group(1)), match.group(2) or ""
    if unit.startswith("e"):
        return number * Fraction(10) ** int(unit[1:])
    return number * (_BINARY[unit] if unit in _BINARY else _DECIMAL[unit])


def format_quantity(amount: Fraction, binary: bool) -> str:
    """A canonical-enough Quantity: ``128Mi``, ``1500m``, ``2``."""
    if binary and amount and amount.denominator == 1:
        for unit, size in sorted(_BINARY.items(), key=lambda kv: -kv[1]):
            if amount % size == 0:
                return f"{amount // size}{unit}"
        return str(amount.numerator)
    if amount.denominator == 1:
        return str(amount.numerator)
    millis = amount * 1000
    return f"{millis.numerator // millis.denominator}m"


def apply_limit_ranges(pod: Obj, limit_ranges: Iterable[Mapping[str, Any]]) -> None:
    """The LimitRanger admission plugin: containers without requests/limits get the defaults."""
    for limit_range in limit_ranges:
        for item in (limit_range.get("spec") or {}).get("limits") or []:
            if item.get("type") != "Container":
                continue
            for container in [
                *pod["spec"].get("initContainers", []),
                *pod["spec"].get("containers", []),
            ]:
                resources = container.setdefault("resources", {})
                for key, defaults in (
                    ("limits", item.get("default") or {}),
                    ("requests", item.get("defaultRequest") or {}),
                ):
                    for resource, value in defaults.items():
                        if resource not in (resources.get(key) or {}):
                            resources.setdefault(key, {})[resource] = value
    for container in [*pod["spec"].get("initContainers", []), *pod["spec"].get("containers", [])]:
        resources = container.get("resources") or {}
        for resource, value in (
            resources.get("limits") or {}
        ).items():  # requests default to limits
            if resource in _COMPUTE and resource not in (resources.get("requests") or {}):
                resources.setdefault("requests", {})[resource] = value


def _pod_usage(pod: Mapping[str, Any]) -> dict[str, Fraction]:
    usage: dict[str, Fraction] = {"pods": Fraction(1), "count/pods": Fraction(1)}
    for container in (pod.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for resource, value in (resources.get(kind) or {}).items():
                key = f"{kind}.{resource}"
                usage[key] = usage.get(key, Fraction(0)) + parse_quantity(value)
                if (
                    kind == "requests" and resource in _COMPUTE
                ):  # "cpu" in a quota means requests.cpu
                    usage[resource] = usage.get(resource, Fraction(0)) + parse_quantity(value)
    return usage


def quota_refusal(
    pod: Mapping[str, Any], quotas: Iterable[Mapping[str, Any]], pods: Iterable[Mapping[str, Any]]
) -> str | None:
    """The ResourceQuota admission plugin for a new pod: None, or why it is forbidden."""
    active = [
        p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]
    wanted = _pod_usage(pod)
    containers = (pod.get("spec") or {}).get("containers") or []
    for quota in sorted(quotas, key=lambda q: q["metadata"]["name"]):
        name = quota["metadata"]["name"]
        hard = {
            k: parse_quantity(v) for k, v in ((quota.get("spec") or {}).get("hard") or {}).items()
        }
        missing = []
        for key in sorted(hard):
            kind, _, resource = key.partition(".")
            if kind in ("requests", "limits") and resource in _COMPUTE:
                lacking = [c.get("name", "") for c in containers
                           if resource not in ((c.get("resources") or {}).get(kind) or {})]  # fmt: skip
                if lacking:
                    missing.append(f"{key} for: {','.join(lacking)}")
        if missing:
            return f"failed quota: {name}: must specify {'; '.join(missing)}"
        tracked = sorted(k for k in hard if k in wanted)
        used = {
            k: sum((_pod_usage(p).get(k, Fraction(0)) for p in active), Fraction(0))
            for k in tracked
        }
        over = [k for k in tracked if used[k] + wanted[k] > hard[k]]
        if over:

            def show(values: Mapping[str, Fraction], keys: list[str] = over) -> str:
                return ",".join(
                    f"{k}={format_quantity(values[k], 'memory' in k or 'storage' in k)}"
                    for k in keys
                )

            return (f"exceeded quota: {name}, requested: {show(wanted)}, used: {show(used)}, "
                    f"limited: {show(hard)}")  # fmt: skip
    return None


def quota_status(
    quota: Mapping[str, Any], counts: Mapping[str, int], pods: Iterable[Mapping[str, Any]]
) -> Obj:
    """What the resource quota controller writes: ``status.hard`` and ``status.used``.

    ``counts`` are the namespace's objects per plural resource (``services``, ``configmaps``...);
    ``pods`` its pods (finished ones use nothing)."""
    hard = dict((quota.get("spec") or {}).get("hard") or {})
    usage: dict[str, Fraction] = {}
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for key, amount in _pod_usage(pod).items():
            usage[key] = usage.get(key, Fraction(0)) + amount
    used: dict[str, str] = {}
    for key in hard:
        if (
            key in usage
            or key in ("pods", "count/pods")
            or key.startswith(("requests.", "limits."))
            or key in _COMPUTE
        ):
            used[key] = format_quantity(
                usage.get(key, Fraction(0)), "memory" in key or "storage" in key
            )
        else:
            resource = key.removeprefix("count/").split(".", 1)[0]
            used[key] = str(counts.get(resource, 0))
    return {"hard": hard, "used": used}
