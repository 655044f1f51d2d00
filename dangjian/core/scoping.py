"""Scoped reads (DESIGN §4): `Model.objects.visible_to(user, action)` and `access_object(...)`.

A role held on a unit covers the unit and every unit below it. Units carry a materialised path
(`/12/40/`), so "below" is a prefix match. Each scoped model names the path it hangs from
(`scope_path`, e.g. `"unit__path"`, or a tuple of paths when a row concerns several units — a transfer is
seen from both branches) and, optionally, the lookup that makes a row the viewer's own
(`own_lookup`, e.g. `"pk"` on Person), because everyone sees their own records.
"""

from __future__ import annotations

import operator
from datetime import date
from functools import reduce

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .permissions import Action, roles_with

# Actions a person always has on their own records.
SELF_ACTIONS = frozenset(
    {Action.PEOPLE_VIEW, Action.ORG_VIEW, Action.MEETINGS_VIEW, Action.TALKS_VIEW, Action.RECRUITMENT_VIEW}
)


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter one: ['/1/', '/1/4/'] → ['/1/']."""
    kept: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_paths(user, action: str, on: date | None = None) -> list[str]:
    """Paths of the units where `user` holds, on `on` (today), a role that grants `action`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.person_id:
        return []
    from dangjian.organizations.selectors import role_unit_paths

    return collapse_paths(role_unit_paths(person_id=user.person_id, roles=roles_with(action), on=on))


def can(user, action: str, unit=None) -> bool:
    """Whether `user` may take `action` on `unit` (or anywhere, when unit is None)."""
    paths = scope_paths(user, action)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str) -> ScopedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        model = self.model
        lookups = (model.scope_path,) if isinstance(model.scope_path, str) else model.scope_path
        conditions = [Q(**{f"{lookup}__startswith": p}) for p in scope_paths(user, action) for lookup in lookups]
        own = getattr(model, "own_lookup", None)
        if own and user.person_id and action in SELF_ACTIONS:
            conditions.append(Q(**{own: user.person_id}))
        if not conditions:
            return self.none()
        condition = reduce(operator.or_, conditions)
        if getattr(model, "scope_subquery", False):
            # Lookups through multi-valued relations would repeat rows; filter by a subquery of ids instead.
            return self.filter(pk__in=model._default_manager.filter(condition).values("pk"))
        return self.filter(condition)


def access_object(queryset: models.QuerySet, user, pk, action: str):
    """Fetch one object the user may act on; 404 for missing and out-of-scope alike."""
    try:
        return queryset.visible_to(user, action).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404


def today() -> date:
    return timezone.localdate()
