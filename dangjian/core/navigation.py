"""The navigation shows only what is built and what the viewer may open (DESIGN §9)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .permissions import Action, has_system_action
from .scoping import can


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: object
    icon: str
    action: str | None = None  # unit-scoped action; None = every logged-in user
    system_action: str | None = None


NAV = [
    NavItem("home", _("首页"), "house"),
    NavItem("organizations:tree", pgettext_lazy("navbar", "党组织"), "diagram-3", action=Action.ORG_VIEW),
    NavItem("people:roster", _("花名册"), "people", action=Action.PEOPLE_VIEW),
    NavItem("meetings:list", _("组织生活"), "calendar3", action=Action.MEETINGS_VIEW),
    NavItem("talks:list", _("谈心谈话"), "chat-heart", action=Action.TALKS_VIEW),
    NavItem("recruitment:list", _("发展党员"), "person-up", action=Action.RECRUITMENT_VIEW),
    NavItem("core:audit", _("审计日志"), "journal-text", system_action=Action.AUDIT_VIEW),
    NavItem("accounts:users", _("账号管理"), "person-gear", system_action=Action.ACCOUNTS_MANAGE),
    NavItem("accounts:users", _("账号安全"), "shield-check", system_action=Action.SECURITY_MANAGE),
    NavItem("core:settings", _("系统设置"), "gear", system_action=Action.SETTINGS_MANAGE),
]


def nav_items(request) -> list[dict]:
    user = request.user
    items, seen = [], set()
    for item in NAV:
        if item.url_name in seen:
            continue
        if item.action and not can(user, item.action):
            continue
        if item.system_action and not has_system_action(user, item.system_action):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # not built yet: not shown
        seen.add(item.url_name)
        items.append({"url": url, "label": item.label, "icon": item.icon, "active": False})
    # Only the longest link that the current page is under is active (花名册 /people/ vs 导入 /people/import/).
    matches = [i for i in items if (request.path == i["url"] if i["url"] == "/" else request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
