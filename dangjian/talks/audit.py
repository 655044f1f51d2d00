"""Audit action names of the talks app (registered into core.audit.ACTIONS at start-up)."""

ACTIONS: dict[str, object] = {}
