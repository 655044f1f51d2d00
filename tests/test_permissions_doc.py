"""docs/permissions.md mirrors core/permissions.py exactly: one row per role, one ✓ per action it grants."""

from __future__ import annotations

import re
from pathlib import Path

from dangjian.core.permissions import ROLE_ACTIONS, SYSTEM_ROLE_ACTIONS, Action, Role, SystemRole

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
CODE = re.compile(r"^`([a-z_.]+)`$")


def section(heading: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start: end if end != -1 else len(text)]


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table(heading: str) -> dict[str, tuple[str, frozenset[str]]]:
    """The first table under `heading`: {role code: (label, actions marked ✓)}."""
    lines = [line for line in section(heading).splitlines() if line.startswith("|")]
    header, rows = cells(lines[0]), lines[2:]
    actions = [CODE.match(c).group(1) for c in header[2:]]
    parsed = {}
    for line in rows:
        row = cells(line)
        assert len(row) == len(header), line
        assert all(mark in ("", "✓") for mark in row[2:]), line
        code = CODE.match(row[0]).group(1)
        assert code not in parsed, f"{code} listed twice"
        parsed[code] = (row[1], frozenset(a for a, mark in zip(actions, row[2:], strict=True) if mark == "✓"))
    return parsed


def as_plain(mapping) -> dict[str, frozenset[str]]:
    return {str(role): frozenset(str(a) for a in actions) for role, actions in mapping.items()}


def test_unit_roles_table_equals_role_actions():
    doc = table("Unit roles")
    assert {code: actions for code, (_, actions) in doc.items()} == as_plain(ROLE_ACTIONS)


def test_system_roles_table_equals_system_role_actions():
    doc = table("System roles")
    assert {code: actions for code, (_, actions) in doc.items()} == as_plain(SYSTEM_ROLE_ACTIONS)


def test_every_role_has_a_row_with_its_chinese_label():
    for code, (label, _) in table("Unit roles").items():
        assert label == str(Role(code).label)
    for code, (label, _) in table("System roles").items():
        assert label == str(SystemRole(code).label)
    assert set(table("Unit roles")) == set(Role.values)
    assert set(table("System roles")) == set(SystemRole.values) - {SystemRole.NONE}


def test_every_action_is_explained():
    rows = [line for line in section("Actions").splitlines() if line.startswith("| `")]
    explained = {CODE.match(cells(line)[0]).group(1) for line in rows}
    defined = {value for name, value in vars(Action).items() if name.isupper() and isinstance(value, str)}
    assert explained == defined
