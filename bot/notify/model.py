"""What is wrong in a participant's namespace right now, as the notifier tells it to the room
board. Pure data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Trouble:
    """One object failing for one reason, e.g. pod web-7d4 in ImagePullBackOff since 10:02."""

    user_id: str  # whose namespace it is
    namespace: str
    kind: str  # "pods" or "jobs"
    name: str
    reason: str  # kubectl's word: CrashLoopBackOff, ImagePullBackOff, Unschedulable, Failed…
    since: float  # epoch seconds the object entered this reason (as Podium first saw it)
    summary: str  # one line in kubectl's words, unescaped (escape at the output boundary)


# Called with the user and everything failing in their namespace now (empty: all is well).
OnTroubles = Callable[[str, tuple[Trouble, ...]], None]
