"""Audit action names of the meetings app (registered into core.audit.ACTIONS at start-up)."""

ACTIONS: dict[str, object] = {}
