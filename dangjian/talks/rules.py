"""The talks rules of RULES.md, registered into the rules registry (core.rules) at start-up."""

from dangjian.core.rules import Rule

RULES: list[Rule] = []
