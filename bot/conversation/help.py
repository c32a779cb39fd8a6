"""What `@Podium help` says, and the command list of the App Home. Pure; mrkdwn out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.conversation.text_commands import TextCommand
from bot.messages.text import Mrkdwn, join, mrkdwn

KUBECTL_EXAMPLES = (
    ("get pods", "the pods in the sandbox"),
    ("get deploy,svc -o wide", "several kinds, with more columns"),
    ("get pods -w", "a table here that updates as the pods change"),
    ("describe deploy nginx", "details and recent events"),
    ("logs deploy/nginx --tail 20", "the last lines of a pod's log"),
    ("auth can-i list pods", "what Podium's read-only credentials may do"),
)


def command_lines(commands: Iterable[TextCommand]) -> list[Mrkdwn]:
    lines = [mrkdwn("• `@Podium {}`  {}", example, what) for example, what in KUBECTL_EXAMPLES]
    lines += [mrkdwn("• `@Podium {}`  {}", c.usage, c.summary) for c in commands]
    return lines


def alias_line(aliases: Mapping[str, str]) -> Mrkdwn:
    if not aliases:
        return mrkdwn("No aliases are configured.")
    shown = join(", ", (mrkdwn("`{}` = `{}`", name, words) for name, words in aliases.items()))
    return mrkdwn("Aliases: {}.", shown)


def help_text(
    aliases: Mapping[str, str], commands: Iterable[TextCommand], namespaces: tuple[str, ...]
) -> Mrkdwn:
    return join(
        "\n",
        [
            "*Ask Podium anywhere*: mention `@Podium` in a channel or thread (it answers in the thread), "
            "or write to it here in a DM.",
            *command_lines(commands),
            "A question in plain words (`@Podium what is a replicaset?`) finds the slides about it.",
            alias_line(aliases),
            mrkdwn(
                "Read-only, in {}; `/kubectl help` lists every kubectl command Podium runs. "
                "`kubectl` or `k` in front is fine.",
                join(", ", (mrkdwn("`{}`", n) for n in namespaces)),
            ),
        ],
    )
