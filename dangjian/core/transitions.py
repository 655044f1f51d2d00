"""Workflows as data (DESIGN §6): a transitions table beside a status field, asked by services and UI alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import DomainError


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    label: Any
    action: str  # the permission action required to take it


class Workflow:
    def __init__(self, transitions: Iterable[Transition]):
        self.transitions = list(transitions)
        self._by_name = {t.name: t for t in self.transitions}

    def available(self, status: str) -> list[Transition]:
        """The transitions out of `status` (the UI shows one button for each the user may take)."""
        return [t for t in self.transitions if t.source == status]

    def get(self, name: str, status: str) -> Transition:
        """The named transition, if it leaves `status`; otherwise a coded error."""
        t = self._by_name.get(name)
        if t is None or t.source != status:
            raise DomainError(
                "bad_transition",
                _("当前状态下不能执行该操作（%(name)s）") % {"name": name},
                status=status,
            )
        return t
