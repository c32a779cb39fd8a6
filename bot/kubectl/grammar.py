"""Text → a typed kubectl command, the way kubectl's flag parser reads it. Pure: no I/O.

The text is split into words with POSIX quoting rules (shlex as a lexer only: nothing is ever
handed to a shell). Flags follow pflag: `-n x`, `-nx`, `-n=x`, `--namespace x`, `--namespace=x`,
booleans as `--flag` or `--flag=true|false`, and `--` ends the flags.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class FlagSpec:
    name: str  # canonical long name
    takes_value: bool
    short: str | None = None


# Flags Podium understands, or knows well enough to refuse precisely (policy decides).
FLAGS: tuple[FlagSpec, ...] = (
    FlagSpec("namespace", True, "n"),
    FlagSpec("selector", True, "l"),
    FlagSpec("output", True, "o"),
    FlagSpec("all-namespaces", False, "A"),
    FlagSpec("field-selector", True),
    FlagSpec("show-labels", False),
    FlagSpec("sort-by", True),
    FlagSpec("watch", False, "w"),
    FlagSpec("container", True, "c"),
    FlagSpec("tail", True),
    FlagSpec("since", True),
    FlagSpec("previous", False, "p"),
    FlagSpec("timestamps", False),
    FlagSpec("all-containers", False),
    FlagSpec("prefix", False),
    FlagSpec("max-log-requests", True),
    FlagSpec("follow", False, "f"),
    FlagSpec("help", False, "h"),
    # Identity and target flags: recognised only so that the policy can refuse them by name.
    FlagSpec("kubeconfig", True),
    FlagSpec("context", True),
    FlagSpec("cluster", True),
    FlagSpec("server", True, "s"),
    FlagSpec("token", True),
    FlagSpec("user", True),
    FlagSpec("as", True),
    FlagSpec("as-group", True),
    FlagSpec("as-uid", True),
    FlagSpec("username", True),
    FlagSpec("password", True),
    FlagSpec("certificate-authority", True),
    FlagSpec("client-certificate", True),
    FlagSpec("client-key", True),
    FlagSpec("tls-server-name", True),
    FlagSpec("insecure-skip-tls-verify", False),
)

_BY_LONG = {spec.name: spec for spec in FLAGS}
_BY_SHORT = {spec.short: spec for spec in FLAGS if spec.short}

# What chat clients do to typed text: smart quotes, dashes that were once "--", odd spaces.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)
# At the start of a word: em/en dashes were "--" before autocorrect; a minus sign was "-".
_LONG_DASH = re.compile(r"(?<!\S)[\u2012\u2013\u2014\u2015]{1,2}(?=\S)")
_MINUS = re.compile(r"(?<!\S)\u2212(?=\S)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class ParseError:
    """Text that is not a kubectl command Podium can read. `message` is one line."""

    message: str
    hint: str = "Try `/kubectl help` for what Podium can run."


@dataclass(frozen=True)
class Command:
    verb: str  # "" when the text was empty
    args: tuple[str, ...] = ()  # positional words after the verb
    flags: Mapping[str, str | bool] = field(default_factory=dict)  # canonical name → value
    words: tuple[str, ...] = ()  # every word as typed after normalisation (for messages)
    # Flags Podium does not know, as typed. The policy refuses them by name, after it has had
    # the chance to give a better answer (`exec -it …` is a write verb, whatever its flags).
    unknown_flags: tuple[str, ...] = ()

    def flag(self, name: str) -> str | bool | None:
        return self.flags.get(name)

    @property
    def namespace(self) -> str | None:
        value = self.flags.get("namespace")
        return value if isinstance(value, str) else None


def normalise(text: str) -> str:
    """Undo what Slack and chat clients do to typed text before we read it as words."""
    # Slack's &amp; &lt; &gt; are decoded once, where Slack's text comes in (bot/slack/incoming.py).
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = _MINUS.sub("-", _LONG_DASH.sub("--", text))
    text = _CONTROL.sub(" ", text)
    text = text.strip()
    for prefix in ("kubectl ", "k "):  # people paste whole kubectl lines
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip()
    return "" if text in ("kubectl", "k") else text


def parse(text: str) -> Command | ParseError:
    if len(text) > MAX_TEXT_LENGTH:
        return ParseError(
            f"That command is {len(text):,} characters long; Podium reads at most {MAX_TEXT_LENGTH:,}.",
            "Shorten it: a kubectl command fits on one line.",
        )
    text = normalise(text)
    try:
        words = shlex.split(text, comments=False, posix=True)
    except ValueError:
        return ParseError(
            "Unbalanced quotes in the command.", "Close the quote, or leave quotes out."
        )
    if not words:
        return Command(verb="")

    rest = words
    args: list[str] = []
    flags: dict[str, str | bool] = {}
    unknown: list[str] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        index += 1
        if word == "--":
            args.extend(rest[index:])  # everything after -- belongs to the command (exec)
            break
        if not word.startswith("-") or word == "-":
            args.append(word)
            continue
        name, inline_value = _split_flag(word)
        spec = _BY_LONG.get(name) if word.startswith("--") else _BY_SHORT.get(name)
        if spec is None:
            unknown.append(word.split("=")[0])
            continue
        if spec.takes_value:
            if inline_value is None:
                if index >= len(rest):
                    return ParseError(f"flag needs an argument: {_display(spec, word)}")
                inline_value = rest[index]
                index += 1
            flags[spec.name] = inline_value
        else:
            if inline_value is None:
                flags[spec.name] = True
            elif inline_value.lower() in ("true", "false"):
                flags[spec.name] = inline_value.lower() == "true"
            else:
                return ParseError(
                    f"invalid argument {inline_value!r} for {_display(spec, word)}: use true or false"
                )
    # Like kubectl, flags may come before the verb (`-n ws get pods`): the verb is the first word.
    verb, args = (args[0], args[1:]) if args else ("", [])
    if flags.get("help") is True and not verb:
        verb = "help"
    return Command(
        verb=verb, args=tuple(args), flags=flags, words=tuple(words), unknown_flags=tuple(unknown)
    )


def in_namespace(command: str, namespace: str) -> str:
    """`command` (words after `kubectl`) run in `namespace` unless it names one (or all) itself."""
    parsed = parse(command)
    if isinstance(parsed, Command) and (
        parsed.namespace is not None or "all-namespaces" in parsed.flags
    ):
        return command
    return f"{command} -n {namespace}"


def _split_flag(word: str) -> tuple[str, str | None]:
    """`--namespace=x` → (namespace, x); `-nx` → (n, x); `-n` → (n, None)."""
    if word.startswith("--"):
        name, sep, value = word[2:].partition("=")
        return name, (value if sep else None)
    body = word[1:]
    name, rest = body[:1], body[1:]
    if rest.startswith("="):
        return name, rest[1:]
    return name, (rest or None)


def _display(spec: FlagSpec, typed: str) -> str:
    return f"-{spec.short}, --{spec.name}" if spec.short else f"--{spec.name}"
