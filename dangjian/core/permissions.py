"""Roles and the actions each allows — the one table the whole platform asks (DESIGN §4).

A role is held on an org unit (organizations.RoleAssignment) and covers that unit and every unit below it.
System, security and audit administrators hold a *system role* on their account instead: they manage
accounts and settings and read the audit log, and none of their actions reads party data (三员分立).
`docs/permissions.md` mirrors this table; `tests/test_permissions_doc.py` keeps the two in step.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Posts held on an org unit (党委 / 支部 / 党小组 posts and college administration)."""

    COMMITTEE_SECRETARY = "committee_secretary", _("党委书记")
    COMMITTEE_DEPUTY = "committee_deputy", _("党委副书记")
    ORGANISER = "organiser", _("组织员")
    COMMITTEE_MEMBER = "committee_member", _("党委委员")
    PARTY_AFFAIRS = "party_affairs", _("党务工作人员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    BRANCH_DEPUTY = "branch_deputy", _("支部副书记")
    BRANCH_COMMITTEE_MEMBER = "branch_committee_member", _("支部委员")
    GROUP_LEADER = "group_leader", _("党小组长")
    DEAN = "dean", _("院长")
    VICE_DEAN = "vice_dean", _("副院长")
    INSPECTOR = "inspector", _("督查人员")
    TALK_RECORDS_READER = "talk_records_reader", _("谈话记录查阅人")


class SystemRole(models.TextChoices):
    """Account-level administrator roles (三员分立); none of them can read party data."""

    NONE = "", _("无")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class Action:
    """Action names. `view` actions scope reads; the others guard services."""

    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"  # create/edit units, restructure, role assignments, org import
    PEOPLE_VIEW = "people.view"
    PEOPLE_MANAGE = "people.manage"  # edit people, transfers
    PEOPLE_IMPORT = "people.import"  # roster import and rollback
    PEOPLE_VIEW_ID = "people.view_id_number"  # sensitive: full 身份证号, every read logged
    PEOPLE_EXPORT = "people.export"
    AUDIT_VIEW = "audit.view"
    ACCOUNTS_MANAGE = "accounts.manage"
    SECURITY_MANAGE = "security.manage"  # unlock accounts, password policy
    SETTINGS_MANAGE = "settings.manage"  # holiday calendar, rule overrides
    MEETINGS_VIEW = "meetings.view"
    MEETINGS_MANAGE = "meetings.manage"  # plan, record, attendance, minutes, votes of the unit's meetings
    MEETINGS_REVIEW = "meetings.review"  # the committee reviews or returns a held meeting's record
    TALKS_VIEW = "talks.view"  # who talked with whom, when (not the contents), coverage
    TALKS_MANAGE = "talks.manage"  # record talks, plans
    TALKS_READ_SUMMARY = "talks.read_summary"  # sensitive: talk contents, every read logged
    RECRUITMENT_VIEW = "recruitment.view"
    RECRUITMENT_MANAGE = "recruitment.manage"  # record the branch's steps
    RECRUITMENT_APPROVE = "recruitment.approve"  # the committee's steps (预审, 审批), justified exceptions
    RECRUITMENT_VIEW_REVIEW = "recruitment.view_political_review"  # sensitive: 政审 material, reads logged

    PARTY_DATA = {
        ORG_VIEW, ORG_MANAGE, PEOPLE_VIEW, PEOPLE_MANAGE, PEOPLE_IMPORT, PEOPLE_VIEW_ID, PEOPLE_EXPORT,
        MEETINGS_VIEW, MEETINGS_MANAGE, MEETINGS_REVIEW, TALKS_VIEW, TALKS_MANAGE, TALKS_READ_SUMMARY,
        RECRUITMENT_VIEW, RECRUITMENT_MANAGE, RECRUITMENT_APPROVE, RECRUITMENT_VIEW_REVIEW,
    }


_COLLEGE_LEAD = {
    Action.ORG_VIEW,
    Action.ORG_MANAGE,
    Action.PEOPLE_VIEW,
    Action.PEOPLE_MANAGE,
    Action.PEOPLE_IMPORT,
    Action.PEOPLE_EXPORT,
    Action.MEETINGS_VIEW,
    Action.MEETINGS_MANAGE,
    Action.MEETINGS_REVIEW,
    Action.TALKS_VIEW,
    Action.TALKS_MANAGE,
    Action.RECRUITMENT_VIEW,
    Action.RECRUITMENT_MANAGE,
    Action.RECRUITMENT_APPROVE,
}
_BRANCH_LEAD = {
    Action.ORG_VIEW,
    Action.PEOPLE_VIEW,
    Action.PEOPLE_MANAGE,
    Action.PEOPLE_EXPORT,
    Action.MEETINGS_VIEW,
    Action.MEETINGS_MANAGE,
    Action.TALKS_VIEW,
    Action.TALKS_MANAGE,
    Action.RECRUITMENT_VIEW,
    Action.RECRUITMENT_MANAGE,
}
_READER = {Action.ORG_VIEW, Action.PEOPLE_VIEW, Action.MEETINGS_VIEW, Action.TALKS_VIEW, Action.RECRUITMENT_VIEW}

# Role → actions on the unit where the role is held and every unit below it.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    # The committee secretary reads talk contents (the seed: 书记 talks with every teacher) and 政审 material.
    Role.COMMITTEE_SECRETARY: frozenset(
        _COLLEGE_LEAD | {Action.TALKS_READ_SUMMARY, Action.RECRUITMENT_VIEW_REVIEW}
    ),
    Role.COMMITTEE_DEPUTY: frozenset(_COLLEGE_LEAD),
    Role.ORGANISER: frozenset(_COLLEGE_LEAD | {Action.PEOPLE_VIEW_ID, Action.RECRUITMENT_VIEW_REVIEW}),
    Role.PARTY_AFFAIRS: frozenset(_COLLEGE_LEAD),
    # Committee members talk with every activist (the seed) and interview candidates (细则 S16).
    Role.COMMITTEE_MEMBER: frozenset(_READER | {Action.PEOPLE_EXPORT, Action.TALKS_MANAGE}),
    Role.BRANCH_SECRETARY: frozenset(_BRANCH_LEAD),
    Role.BRANCH_DEPUTY: frozenset(_BRANCH_LEAD),
    Role.BRANCH_COMMITTEE_MEMBER: frozenset(_READER | {Action.TALKS_MANAGE}),
    Role.GROUP_LEADER: frozenset(_READER | {Action.MEETINGS_MANAGE}),
    Role.DEAN: frozenset({Action.ORG_VIEW, Action.MEETINGS_VIEW}),
    Role.VICE_DEAN: frozenset({Action.ORG_VIEW, Action.MEETINGS_VIEW}),
    Role.INSPECTOR: frozenset(_READER),
    # The explicit right to read talk contents, granted to a named person on a unit (DESIGN §4).
    Role.TALK_RECORDS_READER: frozenset({Action.TALKS_VIEW, Action.TALKS_READ_SUMMARY}),
}

# System role → actions that need no unit (and never touch party data).
SYSTEM_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    SystemRole.SYSTEM_ADMIN: frozenset({Action.ACCOUNTS_MANAGE, Action.SETTINGS_MANAGE}),
    SystemRole.SECURITY_ADMIN: frozenset({Action.SECURITY_MANAGE}),
    SystemRole.AUDIT_ADMIN: frozenset({Action.AUDIT_VIEW}),
}

for _actions in SYSTEM_ROLE_ACTIONS.values():
    assert not (_actions & Action.PARTY_DATA), "system roles must not read party data"


def roles_with(action: str) -> list[str]:
    """The unit roles that grant `action`."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def has_system_action(user, action: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and action in SYSTEM_ROLE_ACTIONS.get(getattr(user, "system_role", ""), frozenset())
    )
