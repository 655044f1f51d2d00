"""Audit action names of the recruitment app (registered into core.audit.ACTIONS at start-up)."""

ACTIONS: dict[str, object] = {}
