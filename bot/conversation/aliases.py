"""Short words people type instead of kubectl lines (`kgp` → `get pods`). Pure.

The table is the defaults below, overlaid by `PODIUM_ALIASES` (`kgp=get pods;kgn=get namespaces`):
an entry adds or redefines an alias, `name=` with nothing after it removes a default one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from bot.settings import Settings, SettingsError

DEFAULT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "k": "kubectl",
        "kgp": "get pods",
        "kgd": "get deployments",
        "kgs": "get services",
        "kgrs": "get replicasets",
        "kge": "get events",
        "kga": "get all",
        "kl": "logs",
        "kd": "describe",
        "kdp": "describe pod",
    }
)

# kubectl's own commands (kubectl --help), and Podium's: an alias may never hide one of them,
# or `get pods` would stop meaning `get pods`.
KUBECTL_VERBS = frozenset(
    {
        "alpha",
        "annotate",
        "api-resources",
        "api-versions",
        "apply",
        "attach",
        "auth",
        "autoscale",
        "certificate",
        "cluster-info",
        "completion",
        "config",
        "cordon",
        "cp",
        "create",
        "debug",
        "delete",
        "describe",
        "diff",
        "drain",
        "edit",
        "events",
        "exec",
        "explain",
        "expose",
        "get",
        "kustomize",
        "label",
        "logs",
        "patch",
        "plugin",
        "port-forward",
        "proxy",
        "replace",
        "rollout",
        "run",
        "scale",
        "set",
        "taint",
        "top",
        "uncordon",
        "version",
        "wait",
    }
)
RESERVED_WORDS = KUBECTL_VERBS | {"kubectl", "help", "slides", "exercise", "ask", "questions"}

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,29}$")
MAX_EXPANSION = 200


class AliasError(ValueError):
    """One line saying which entry is wrong and how to write it."""


def parse_aliases(text: str) -> tuple[tuple[str, str], ...]:
    """`kgp=get pods;kgn=` → (("kgp", "get pods"), ("kgn", "")). Entries are separated by `;`
    or new lines; an empty expansion removes the alias. Raises AliasError."""
    entries: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in re.split(r"[;\n]", text):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, expansion = entry.partition("=")
        name, expansion = name.strip().lower(), " ".join(expansion.split())
        if not sep or not _NAME.match(name):
            raise AliasError(
                f"{entry!r} is not NAME=WORDS (a lower-case word, e.g. kgp=get pods; "
                "entries separated by ;)"
            )
        if name in RESERVED_WORDS:
            raise AliasError(f"{name!r} is a kubectl or Podium command and cannot be an alias")
        if name in seen:
            raise AliasError(f"{name!r} is defined twice")
        if len(expansion) > MAX_EXPANSION:
            raise AliasError(f"the expansion of {name!r} is longer than {MAX_EXPANSION} characters")
        seen.add(name)
        entries.append((name, expansion))
    return tuple(entries)


def alias_table(overrides: Iterable[tuple[str, str]] = ()) -> Mapping[str, str]:
    """The defaults with the configured entries applied (an empty expansion removes one)."""
    table = dict(DEFAULT_ALIASES)
    for name, expansion in overrides:
        if expansion:
            table[name] = expansion
        else:
            table.pop(name, None)
    return MappingProxyType(table)


def expand(words: list[str], aliases: Mapping[str, str]) -> list[str]:
    """Replace the first word when it is an alias (once: an expansion is not expanded again)."""
    if words and words[0].lower() in aliases:
        return aliases[words[0].lower()].split() + words[1:]
    return words


def aliases_from_settings(settings: Settings) -> Mapping[str, str]:
    """The alias table `PODIUM_ALIASES` asks for. Raises SettingsError naming the setting, so a
    bad entry stops start-up with one line, like any other bad setting."""
    try:
        return alias_table(parse_aliases(settings.aliases))
    except AliasError as error:
        raise SettingsError(f"PODIUM_ALIASES: {error}.") from None
