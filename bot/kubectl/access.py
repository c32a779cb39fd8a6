"""Who may read which namespace: the per-person half of Podium's policy. Pure: no I/O.

- Everyone may read the sandbox and the shared namespaces of `PODIUM_NAMESPACES`.
- A participant may also read their own namespace (`PODIUM_PARTICIPANT_NAMESPACE` with their
  user ID), with no further setting, and never another participant's: a namespace that has the
  shape of someone else's participant namespace is refused even if it is listed in
  `PODIUM_NAMESPACES` (it is somebody's own, not a shared one).
- Instructors (`PODIUM_INSTRUCTORS`) may also read every participant namespace, by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kubectl.policy import Policy, participant_pattern
from bot.settings import Settings


def participant_namespace(template: str, user_id: str) -> str:
    """The participant's namespace, as `python -m bot participants manifests` names it."""
    return template.format(user=user_id.lower(), user_id=user_id)


@dataclass(frozen=True)
class NamespaceAccess:
    sandbox: str
    shared: tuple[str, ...]  # PODIUM_NAMESPACES as configured
    participant_template: str
    instructors: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> NamespaceAccess:
        return cls(
            settings.sandbox_namespace,
            settings.extra_namespaces,
            settings.participant_namespace,
            settings.instructors,
        )

    @property
    def participants_in_shared(self) -> tuple[str, ...]:
        """Namespaces in PODIUM_NAMESPACES that are someone's participant namespace: only their
        owner (and the instructors) may read them, whatever the setting says."""
        return tuple(ns for ns in self.shared if self.is_participant_namespace(ns))

    def is_participant_namespace(self, namespace: str) -> bool:
        return participant_pattern(self.participant_template).fullmatch(namespace) is not None

    def own_namespace(self, user_id: str | None) -> str | None:
        return participant_namespace(self.participant_template, user_id) if user_id else None

    def work_namespace(self, user_id: str | None) -> str | None:
        """Where this person's own work lives, for the commands Podium suggests they run in their
        terminal: a participant's own namespace. Instructors work in the sandbox (their demo is
        there, and their `/kubectl` reads it by default): None."""
        return None if self.is_instructor(user_id) else self.own_namespace(user_id)

    def is_instructor(self, user_id: str | None) -> bool:
        return user_id is not None and user_id in self.instructors

    def namespaces_for(self, user_id: str | None) -> tuple[str, ...]:
        """The namespaces this person may read, by name: the sandbox first (the default), the
        shared ones, then their own participant namespace."""
        own = self.own_namespace(user_id)
        instructor = self.is_instructor(user_id)
        shared = [
            ns
            for ns in self.shared
            if instructor or ns == own or not self.is_participant_namespace(ns)
        ]
        return tuple(dict.fromkeys((self.sandbox, *shared, *((own,) if own else ()))))

    def policy_for(self, user_id: str | None) -> Policy:
        """The policy one person's commands are decided by."""
        return Policy(
            self.namespaces_for(user_id),
            any_participant=self.participant_template if self.is_instructor(user_id) else None,
            own_namespace=self.work_namespace(user_id),
        )

    def may_read(self, user_id: str | None, namespace: str) -> bool:
        return self.policy_for(user_id).may_read(namespace)


__all__ = ["NamespaceAccess", "participant_namespace", "participant_pattern"]
